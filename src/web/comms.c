/* comms.c: staff messages to a patient — POST /comms and POST /api/notifications (NOTE-7):
 * {"client_id","type":"sms"|"email","subject","body"} → 202 {"id","status":"queued"}.
 * POST /api/notifications also takes "type":"whatsapp": WhatsApp to a patient must be an
 * approved template, so the body becomes the variable of the staff-message template (and
 * without a BAA the PHI-free variant says only that a message is waiting). /comms stays
 * sms|email as NOTE-7 defines it.
 *
 * Staff only (the route table says so): signed-in pages with their CSRF token, or API
 * clients with the bearer token of POST /api/staff-auth/login. An Idempotency-Key header
 * makes a retry of the same request return the same message instead of queueing a second
 * one. */
#include "web/web.h"
#include "notify/notify.h"

#include <ctype.h>
#include <string.h>

#include <json-c/json.h>

#define COMMS_MAX_SMS        1600	/* Twilio's limit for one message */
#define COMMS_MAX_EMAIL      20000
#define COMMS_MAX_SUBJECT    200
#define COMMS_MAX_IDEMPOTENCY 100
#define COMMS_WHATSAPP_TEMPLATE "staff-message"	/* templates/whatsapp/, notify/whatsapp.c */

/* The users table will belong to auth/ (issue 5); until then the lookup lives here. */
static struct db_stmt web_stmt_patient_contact = DB_STMT("web_patient_contact", 2,
	"SELECT coalesce(phone, ''), coalesce(email::text, '') FROM users"
	" WHERE id = $1 AND org_id = $2 AND role = 'patient' AND disabled_at IS NULL");

static bool
comms_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (s == NULL || strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

void
web_staff_comms(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *details, *out;
	struct notify_message m = { 0 };
	struct buf text = BUF_INIT, name = BUF_INIT, vars = BUF_INIT, render_err = BUF_INIT;
	bool whatsapp_ok = strcmp(req->path, "/api/notifications") == 0;
	const char *client, *type, *subject, *body, *idem = http_header(req, "Idempotency-Key");
	char id[37], event[COMMS_MAX_IDEMPOTENCY + 16];
	PGresult *res = NULL;
	size_t max;

	if (web_json_body(app, req, resp) == NULL)
		return;
	details = json_object_new_object();
	client = web_json_str(req->json, "client_id", details);
	type = web_json_str(req->json, "type", details);
	subject = web_json_str(req->json, "subject", details);
	body = web_json_str(req->json, "body", details);
	if (!comms_uuid(client) && !json_object_object_get_ex(details, "client_id", NULL))
		json_object_object_add(details, "client_id", json_object_new_string("must be a patient id (a UUID)"));
	if (type == NULL || (strcmp(type, "sms") != 0 && strcmp(type, "email") != 0 &&
	    (!whatsapp_ok || strcmp(type, "whatsapp") != 0))) {
		if (!json_object_object_get_ex(details, "type", NULL))
			json_object_object_add(details, "type", json_object_new_string(whatsapp_ok
			    ? "must be sms, email or whatsapp" : "must be sms or email"));
		type = NULL;
	}
	if (type != NULL && strcmp(type, "whatsapp") == 0) {
		if ((body == NULL || !notify_whatsapp_var_ok(body)) &&
		    !json_object_object_get_ex(details, "body", NULL))
			json_object_object_add(details, "body", json_object_new_string(
			    "is required for whatsapp, at most 1000 characters, on one line (no tabs or 5 spaces in a row)"));
	} else {
		max = type != NULL && strcmp(type, "email") == 0 ? COMMS_MAX_EMAIL : COMMS_MAX_SMS;
		if ((body == NULL || *body == '\0' || strlen(body) > max) &&
		    !json_object_object_get_ex(details, "body", NULL))
			json_object_object_add(details, "body", json_object_new_string(max == COMMS_MAX_SMS
			    ? "is required, at most 1600 characters" : "is required, at most 20000 characters"));
	}
	if (type != NULL && strcmp(type, "email") == 0 && (subject == NULL || *subject == '\0' ||
	    strlen(subject) > COMMS_MAX_SUBJECT) && !json_object_object_get_ex(details, "subject", NULL))
		json_object_object_add(details, "subject", json_object_new_string("is required for email, at most 200 characters"));
	if (idem != NULL && (strlen(idem) == 0 || strlen(idem) > COMMS_MAX_IDEMPOTENCY ||
	    strspn(idem, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(idem)))
		json_object_object_add(details, "Idempotency-Key", json_object_new_string("1-100 of A-Z a-z 0-9 - _ ."));
	if (web_invalid(resp, details))
		return;
	if (web_tx(app) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	{
		const char *params[2] = { client, app->rq.org_id };

		if (db_query(&app->db, &web_stmt_patient_contact, params, &res) != DB_OK) {
			web_unavailable(app, req, resp);
			return;
		}
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		web_error(app, req, resp, 404, "Not found", NULL);	/* also another clinic's patient */
		return;
	}
	m.recipient = PQgetvalue(res, 0, strcmp(type, "email") != 0 ? 0 : 1);
	if (*m.recipient == '\0') {
		web_error(app, req, resp, 409, strcmp(type, "email") != 0
		    ? "The patient has no mobile number" : "The patient has no email address", NULL);
		PQclear(res);
		return;
	}
	if (idem != NULL)
		snprintf(event, sizeof event, "comms:%s", idem);
	else {
		char rnd[33];

		rand_hex(rnd, 16);
		snprintf(event, sizeof event, "comms:%s", rnd);
	}
	m.org_id = app->rq.org_id;
	m.requested_by = app->rq.who.user_id;
	m.event_key = event;
	notify_channel_parse(type, &m.channel);
	m.subject = m.channel == NOTIFY_EMAIL ? subject : NULL;
	m.body_text = body;
	if (m.channel == NOTIFY_WHATSAPP) {
		struct json_object *model = json_object_new_object(), *site = json_object_new_object();
		struct buf none = BUF_INIT;
		int rrc;

		json_object_object_add(site, "name", json_object_new_string(app->rq.org_name));
		json_object_object_add(model, "site", site);
		json_object_object_add(model, "body", json_object_new_string(body));
		rrc = notify_render(app->views, COMMS_WHATSAPP_TEMPLATE,
		    notify_channel_baa(&app->cfg, NOTIFY_WHATSAPP), model, &m, &none, &text, &name,
		    &vars, &render_err);
		json_object_put(model);
		buf_free(&none);
		if (rrc < 0) {
			log_error("staff whatsapp not rendered", "%s", buf_cstr(&render_err));
			web_error(app, req, resp, 500, "Internal error", NULL);
			PQclear(res);
			goto done;
		}
	}
	m.patient_id = client;
	m.requested_ip = *req->client_addr ? req->client_addr : NULL;
	if (notify_enqueue(&app->db, &m, NULL) != DB_OK ||
	    notify_find(&app->db, app->rq.org_id, event, id) != DB_OK) {
		log_error("staff message not queued", "%s", app->db.error);
		PQclear(res);
		web_unavailable(app, req, resp);
		goto done;
	}
	PQclear(res);
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_string(id));
	json_object_object_add(out, "status", json_object_new_string("queued"));
	http_response_json(resp, 202, out);
	json_object_put(out);
done:
	buf_free(&text);
	buf_free(&name);
	buf_free(&vars);
	buf_free(&render_err);
}
