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

#define COMMS_MAX_IDEMPOTENCY 100
#define COMMS_EVENT_SIZE      (6 + COMMS_MAX_IDEMPOTENCY + 1)	/* "comms:" key NUL */
#define COMMS_TEMPLATE "staff-message"	/* templates/{sms,email,whatsapp}/, notify/whatsapp.c */

static const char *const comms_types[] = { "sms", "email", NULL };
static const char *const comms_types_whatsapp[] = { "sms", "email", "whatsapp", NULL };

#define COMMS_CLIENT_FIELD \
	{ .name = "client_id", .label = "Patient", .type = INPUT_UUID, .flags = INPUT_REQUIRED, \
	  .offset = offsetof(struct web_comms, client_id) }

static const struct input_field comms_fields[] = {
	COMMS_CLIENT_FIELD, WEB_COMMS_FIELDS(comms_types),
};
static const struct input_field notifications_fields[] = {
	COMMS_CLIENT_FIELD, WEB_COMMS_FIELDS(comms_types_whatsapp),
};
static const struct input_spec comms_spec =
	INPUT_SPEC("comms", comms_fields, struct web_comms, web_comms_check);
static const struct input_spec notifications_spec =
	INPUT_SPEC("notifications", notifications_fields, struct web_comms, web_comms_check);

void
web_comms_check(const void *comms, struct arena *a, struct input_errors *e)
{
	struct web_comms *c = (struct web_comms *)comms;	/* the reader's own struct */
	size_t chars = 0;

	(void)notify_channel_parse(c->type, &c->channel);	/* the spec allowed only channels */
	for (const char *p = c->body; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	switch (c->channel) {
	case NOTIFY_EMAIL:
		if (c->subject == NULL)
			input_error_add(e, a, "subject", "Enter a subject for an email");
		break;
	case NOTIFY_SMS:
		if (chars > WEB_COMMS_MAX_SMS)
			input_error_add(e, a, "body", "Message must be 1600 characters or fewer for a text message");
		break;
	case NOTIFY_WHATSAPP:
		if (!notify_whatsapp_var_ok(c->body))
			input_error_add(e, a, "body", "Message must be one line of at most 1000 "
			    "characters, without tabs or 5 spaces in a row, for WhatsApp");
		break;
	}
}

const char *
web_idempotency_key(struct request *req, struct input_errors *e)
{
	const char *idem = http_header(req, "Idempotency-Key");

	if (idem != NULL && (strlen(idem) == 0 || strlen(idem) > COMMS_MAX_IDEMPOTENCY ||
	    strspn(idem, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(idem)))
		input_error_add(e, &req->arena, "Idempotency-Key", "Idempotency-Key must be 1-100 of A-Z a-z 0-9 - _ .");
	return idem;
}

int
web_comms_queue(struct web_app *app, const struct request *req, const struct web_comms *c,
    struct notify_message *m, const char *const *recipients, const char *const *patient_ids,
    const char *const *event_keys, size_t n, long *created)
{
	m->requested_by = app->rq.who.user_id;
	m->requested_ip = *req->client_addr ? req->client_addr : NULL;
	m->channel = c->channel;
	m->subject = c->channel == NOTIFY_EMAIL ? c->subject : NULL;
	m->body_text = c->body;
	/* every channel goes through the staff-message templates: without a BAA the PHI-free
	 * variant replaces the staff member's words (NOTE-5) */
	return web_queue_messages(app, COMMS_TEMPLATE,
	    web_strings(json_object_new_object(), "body", c->body, "subject", c->subject, NULL), m,
	    recipients, patient_ids, event_keys, n, created);
}

struct web_view
web_staff_comms(struct web_app *app, struct request *req, struct response *resp)
{
	bool whatsapp_ok = strcmp(req->path, "/api/notifications") == 0;
	struct input_errors e = { 0 };
	struct notify_message m = { 0 };
	struct auth_contact *to;
	struct web_comms c = { 0 };
	struct json_object *out;
	char *event = arena_alloc(&req->arena, COMMS_EVENT_SIZE), *id = arena_alloc(&req->arena, 37);
	const char *idem;
	long created;
	int n, rc;

	(void)resp;
	web_input(app, req, whatsapp_ok ? &notifications_spec : &comms_spec, &c, &e);
	idem = web_idempotency_key(req, &e);
	if (e.count)
		return web_view_invalid(&e);
	if ((n = auth_patient_contacts(&app->db, &req->arena, app->rq.org_id, &c.client_id, 1, &to)) < 0)
		return web_view_db_failed();
	if (n == 0)
		return web_view_error(404, "Not found", NULL);	/* also another clinic's patient */
	m.recipient = c.channel != NOTIFY_EMAIL ? to->phone : to->email;
	if (*m.recipient == '\0')
		return web_view_error(409, c.channel != NOTIFY_EMAIL ? "The patient has no mobile number"
		    : "The patient has no email address", NULL);
	if (idem != NULL)
		snprintf(event, COMMS_EVENT_SIZE, "comms:%s", idem);
	else {
		char rnd[33];

		rand_hex(rnd, 16);
		snprintf(event, COMMS_EVENT_SIZE, "comms:%s", rnd);
	}
	m.event_key = event;
	m.patient_id = c.client_id;
	if ((rc = web_comms_queue(app, req, &c, &m, NULL, NULL, NULL, 0, &created)) ==
	    WEB_QUEUE_UNRENDERED)
		return web_view_error(500, "Internal error", NULL);
	if (rc != DB_OK || notify_find(&app->db, app->rq.org_id, event, id) != DB_OK)
		return web_view_db_failed();
	out = web_strings(json_object_new_object(), "id", id, "status", "queued", NULL);
	return web_view_json(202, out);
}
