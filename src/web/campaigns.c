/* campaigns.c: bulk sends — POST /api/campaigns (NOTE-1), clinic admins only:
 * {"name","type":"sms"|"email"|"whatsapp","subject"?,"body","clientIds":[uuid,...]} →
 * 202 {"id","queued","skipped"}.
 *
 * One campaigns row and one outbox message per patient (event key campaign:<id>:<patient>),
 * all in the request's one transaction: a failure anywhere leaves nothing. The content is
 * read, checked and rendered exactly as for POST /api/notifications (comms.c: the same limits,
 * the staff-message WhatsApp template and its PHI-free variant without a BAA). An id listed
 * twice gets one message. Patients without the contact the channel needs, ids of no patient
 * and other clinics' patients (row-level security hides them, and so does the query) are
 * skipped and counted together, so the answer never tells which ids exist elsewhere:
 * queued + skipped = the number of distinct ids. An Idempotency-Key makes a retry answer
 * with the first request's campaign. */
#include "web/web.h"
#include "notify/notify.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* Recipients one request may name: 10,000 ids are about 400 KB of JSON, under
 * KAIROS_MAX_BODY_BYTES' default, and one statement's worth of rows. */
#define CAMPAIGN_MAX_RECIPIENTS 10000
/* "campaign:" + uuid + ":" + uuid + NUL */
#define CAMPAIGN_EVENT_SIZE     (9 + 36 + 1 + 36 + 1)

static const char *const campaign_types[] = { "sms", "email", "whatsapp", NULL };

static const struct input_field campaign_id_fields[] = {
	{ .name = "", .label = "Patients", .type = INPUT_UUID, .flags = INPUT_REQUIRED },
};
static const struct input_spec campaign_id_spec =
	INPUT_SPEC("campaign id", campaign_id_fields, const char *, NULL);

static const struct input_field campaign_fields[] = {
	{ .name = "name", .label = "Campaign name", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .max = WEB_COMMS_MAX_NAME, .offset = offsetof(struct web_comms, name) },
	WEB_COMMS_FIELDS(campaign_types),
	{ .name = "clientIds", .label = "Patients", .type = INPUT_ARRAY, .flags = INPUT_REQUIRED,
	  .min = 1, .max = CAMPAIGN_MAX_RECIPIENTS, .of = &campaign_id_spec,
	  .offset = offsetof(struct web_comms, client_ids) },
};
static const struct input_spec campaign_spec =
	INPUT_SPEC("campaign", campaign_fields, struct web_comms, web_comms_check);

static struct json_object *
campaign_answer(const struct notify_campaign *c)
{
	struct json_object *out = web_strings(json_object_new_object(), "id", c->id, NULL);

	json_object_object_add(out, "queued", json_object_new_int64(c->queued));
	json_object_object_add(out, "skipped", json_object_new_int64(c->skipped));
	return out;
}

struct web_view
web_campaigns_create(struct web_app *app, struct request *req, struct response *resp)
{
	struct input_errors e = { 0 };
	struct notify_message m = { 0 };
	struct notify_campaign camp = { 0 };
	struct web_comms c = { 0 };
	struct auth_contact *found;
	const char **ids, **to, **patients, **keys, *idem;
	size_t nids = 0, queued = 0;
	char audit[160];
	long created = 0;
	int n, rc;

	(void)resp;
	web_input(app, req, &campaign_spec, &c, &e);
	idem = web_idempotency_key(req, &e);
	if (e.count) {
		struct web_view v = web_view_invalid(&e);

		/* more ids than one request may hold: 413 (input.h), the client must split it */
		if (v.status == 413)
			v.message = "Too many recipients";
		return v;
	}
	if (idem != NULL) {
		if (notify_campaign_find(&app->db, idem, &camp) != DB_OK)
			return web_view_db_failed();
		if (camp.found)
			return web_view_json(202, campaign_answer(&camp));	/* a retry */
	}

	/* an id listed twice gets one message */
	ids = c.client_ids.items;
	qsort(ids, c.client_ids.count, sizeof *ids, str_ptr_cmp);
	for (size_t i = 0; i < c.client_ids.count; i++)
		if (nids == 0 || strcmp(ids[nids - 1], ids[i]) != 0)
			ids[nids++] = ids[i];
	/* every listed id at once; the table keeps only this clinic's patients */
	if ((n = auth_patient_contacts(&app->db, &req->arena, app->rq.org_id, ids, nids, &found)) < 0)
		return web_view_db_failed();
	to = arena_calloc(&req->arena, (size_t)n + 1, sizeof *to);
	patients = arena_calloc(&req->arena, (size_t)n + 1, sizeof *patients);
	for (int i = 0; i < n; i++) {
		const char *contact = c.channel == NOTIFY_EMAIL ? found[i].email : found[i].phone;

		if (*contact == '\0')
			continue;	/* no mobile number (sms, whatsapp) or email address: skipped */
		to[queued] = contact;
		patients[queued++] = found[i].id;
	}
	m.org_id = app->rq.org_id;
	m.channel = c.channel;
	m.subject = c.channel == NOTIFY_EMAIL ? c.subject : NULL;
	m.requested_by = app->rq.who.user_id;
	if (notify_campaign_create(&app->db, c.name, c.body, &m, idem, (long)queued,
	    (long)(nids - queued), &camp) != DB_OK)
		return web_view_db_failed();
	if (!camp.created)	/* the same key, committed meanwhile */
		return camp.found ? web_view_json(202, campaign_answer(&camp)) : web_view_db_failed();
	keys = arena_calloc(&req->arena, queued + 1, sizeof *keys);
	for (size_t i = 0; i < queued; i++) {
		char *event = arena_alloc(&req->arena, CAMPAIGN_EVENT_SIZE);

		snprintf(event, CAMPAIGN_EVENT_SIZE, "campaign:%s:%s", camp.id, patients[i]);
		keys[i] = event;
	}
	if (queued > 0 && (rc = web_comms_queue(app, req, &c, &m, to, patients, keys, queued,
	    &created)) != DB_OK)
		return rc == WEB_QUEUE_UNRENDERED ? web_view_error(500, "Internal error", NULL) :
		    web_view_db_failed();
	snprintf(audit, sizeof audit, "{\"channel\":\"%s\",\"queued\":%zu,\"skipped\":%zu}",
	    notify_channel_name(c.channel), queued, nids - queued);
	if (web_audit(app, req, "campaign.created", "campaign", camp.id, audit) != DB_OK)
		return web_view_db_failed();
	log_info("campaign queued", "%s: %ld messages, %zu skipped", camp.id, created, nids - queued);
	return web_view_json(202, campaign_answer(&camp));
}
