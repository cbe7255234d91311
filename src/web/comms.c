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

#include <string.h>

#include <json-c/json.h>

#define COMMS_MAX_SMS        1600	/* Twilio's limit for one message */
#define COMMS_MAX_EMAIL      20000
#define COMMS_MAX_SUBJECT    200
#define COMMS_MAX_IDEMPOTENCY 100
#define COMMS_TEMPLATE "staff-message"	/* templates/{sms,email,whatsapp}/, notify/whatsapp.c */

/* The users table will belong to auth/ (issue 5); until then the lookup lives here. */
static struct db_stmt web_stmt_patient_contact = DB_STMT("web_patient_contact", 2,
	"SELECT coalesce(phone, ''), coalesce(email::text, '') FROM users"
	" WHERE id = $1 AND org_id = $2 AND role = 'patient' AND disabled_at IS NULL");

void
web_comms_read(struct json_object *json, bool whatsapp_ok, struct web_comms *c,
    struct json_object *details)
{
	size_t max;

	memset(c, 0, sizeof *c);
	c->type = web_json_str(json, "type", details);
	c->subject = web_json_str(json, "subject", details);
	c->body = web_json_str(json, "body", details);
	if (c->type == NULL || notify_channel_parse(c->type, &c->channel) < 0 ||
	    (!whatsapp_ok && c->channel == NOTIFY_WHATSAPP)) {
		web_detail(details, "type", whatsapp_ok ? "must be sms, email or whatsapp"
		    : "must be sms or email");
		c->type = NULL;
	}
	if (c->type != NULL && c->channel == NOTIFY_WHATSAPP) {
		if (c->body == NULL || !notify_whatsapp_var_ok(c->body))
			web_detail(details, "body",
			    "is required for whatsapp, at most 1000 characters, on one line (no tabs or 5 spaces in a row)");
	} else {
		max = c->type != NULL && c->channel == NOTIFY_EMAIL ? COMMS_MAX_EMAIL : COMMS_MAX_SMS;
		if (c->body == NULL || *c->body == '\0' || strlen(c->body) > max)
			web_detail(details, "body", max == COMMS_MAX_SMS
			    ? "is required, at most 1600 characters" : "is required, at most 20000 characters");
	}
	if (c->type != NULL && c->channel == NOTIFY_EMAIL && (c->subject == NULL ||
	    *c->subject == '\0' || strlen(c->subject) > COMMS_MAX_SUBJECT))
		web_detail(details, "subject", "is required for email, at most 200 characters");
}

const char *
web_idempotency_key(const struct request *req, struct json_object *details)
{
	const char *idem = http_header(req, "Idempotency-Key");

	if (idem != NULL && (strlen(idem) == 0 || strlen(idem) > COMMS_MAX_IDEMPOTENCY ||
	    strspn(idem, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(idem)))
		web_detail(details, "Idempotency-Key", "1-100 of A-Z a-z 0-9 - _ .");
	return idem;
}

void
web_comms_text_init(struct web_comms_text *t)
{
	t->subject = (struct buf)BUF_INIT;
	t->text = (struct buf)BUF_INIT;
	t->name = (struct buf)BUF_INIT;
	t->vars = (struct buf)BUF_INIT;
}

void
web_comms_text_free(struct web_comms_text *t)
{
	buf_free(&t->subject);
	buf_free(&t->text);
	buf_free(&t->name);
	buf_free(&t->vars);
}

int
web_comms_message(struct web_app *app, const struct request *req, const struct web_comms *c,
    struct notify_message *m, struct web_comms_text *t)
{
	m->org_id = app->rq.org_id;
	m->requested_by = app->rq.who.user_id;
	m->requested_ip = *req->client_addr ? req->client_addr : NULL;
	m->channel = c->channel;
	m->subject = c->channel == NOTIFY_EMAIL ? c->subject : NULL;
	m->body_text = c->body;
	{
		/* every channel goes through the staff-message templates: without a BAA the
		 * PHI-free variant replaces the staff member's words (NOTE-5) */
		struct json_object *model = json_object_new_object(), *site = json_object_new_object();
		struct buf err = BUF_INIT;
		int rc;

		json_object_object_add(site, "name", json_object_new_string(app->rq.org_name));
		json_object_object_add(model, "site", site);
		json_object_object_add(model, "body", json_object_new_string(c->body));
		json_object_object_add(model, "subject", json_object_new_string(c->subject ? c->subject : ""));
		rc = notify_render(app->views, COMMS_TEMPLATE, notify_channel_baa(&app->cfg, c->channel),
		    model, m, &t->subject, &t->text, &t->name, &t->vars, &err);
		json_object_put(model);
		if (rc < 0)
			log_error("staff message not rendered", "%s", buf_cstr(&err));
		buf_free(&err);
		return rc;
	}
}

void
web_staff_comms(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *details, *out;
	struct notify_message m = { 0 };
	struct web_comms_text t;
	struct web_comms c;
	bool whatsapp_ok = strcmp(req->path, "/api/notifications") == 0;
	const char *client, *idem;
	char id[37], event[COMMS_MAX_IDEMPOTENCY + 16];
	PGresult *res = NULL;

	if (web_json_body(app, req, resp) == NULL)
		return;
	details = json_object_new_object();
	client = web_json_str(req->json, "client_id", details);
	if (!valid_uuid(client))
		web_detail(details, "client_id", "must be a patient id (a UUID)");
	web_comms_read(req->json, whatsapp_ok, &c, details);
	idem = web_idempotency_key(req, details);
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
	m.recipient = PQgetvalue(res, 0, c.channel != NOTIFY_EMAIL ? 0 : 1);
	if (*m.recipient == '\0') {
		web_error(app, req, resp, 409, c.channel != NOTIFY_EMAIL
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
	web_comms_text_init(&t);
	m.event_key = event;
	m.patient_id = client;
	if (web_comms_message(app, req, &c, &m, &t) < 0) {
		web_error(app, req, resp, 500, "Internal error", NULL);
		goto done;
	}
	if (notify_enqueue(&app->db, &m, NULL) != DB_OK ||
	    notify_find(&app->db, app->rq.org_id, event, id) != DB_OK) {
		log_error("staff message not queued", "%s", app->db.error);
		web_unavailable(app, req, resp);
		goto done;
	}
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_string(id));
	json_object_object_add(out, "status", json_object_new_string("queued"));
	http_response_json(resp, 202, out);
	json_object_put(out);
done:
	PQclear(res);
	web_comms_text_free(&t);
}
