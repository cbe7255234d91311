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

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* Recipients one request may name: 10,000 ids are about 400 KB of JSON, under
 * KAIROS_MAX_BODY_BYTES' default, and one statement's worth of rows. */
#define CAMPAIGN_MAX_RECIPIENTS 10000
#define CAMPAIGN_UUID_SIZE      37
/* "campaign:" + uuid + ":" + uuid + NUL */
#define CAMPAIGN_EVENT_SIZE     (9 + 36 + 1 + 36 + 1)

/* The users table will belong to auth/ (issue 5); like comms.c's lookup, this one lives here
 * until then. */
static struct db_stmt web_stmt_campaign_contacts = DB_STMT("web_campaign_contacts", 2,
	"SELECT id::text, coalesce(phone, ''), coalesce(email::text, '') FROM users"
	" WHERE id = ANY($1::uuid[]) AND org_id = $2 AND role = 'patient' AND disabled_at IS NULL");

static int
campaign_id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The characters of a UTF-8 string (bytes that do not continue a sequence). */
static size_t
campaign_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* clientIds, checked, lowercased and without repeats, into *out (owned by the caller, free
 * it); their number, or -1 after naming the problem in details, or -2 when there are too
 * many (the caller answers 413). */
static long
campaign_ids(struct json_object *body, struct json_object *details, char (**out)[CAMPAIGN_UUID_SIZE])
{
	struct json_object *list;
	char (*ids)[CAMPAIGN_UUID_SIZE];
	size_t n, unique = 0;

	*out = NULL;
	if (!json_object_object_get_ex(body, "clientIds", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		web_detail(details, "clientIds", "must be an array of patient ids (UUIDs)");
		return -1;
	}
	n = json_object_array_length(list);
	if (n > CAMPAIGN_MAX_RECIPIENTS)
		return -2;
	if (n == 0) {
		web_detail(details, "clientIds", "must list at least one patient id");
		return -1;
	}
	ids = xcalloc(n, sizeof *ids);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(list, i);
		const char *s = http_json_text(v);	/* a NUL-cut id would pass as a UUID */

		if (!valid_uuid(s)) {
			web_detail(details, "clientIds", "must be an array of patient ids (UUIDs)");
			free(ids);
			return -1;
		}
		for (size_t k = 0; k < CAMPAIGN_UUID_SIZE; k++)
			ids[i][k] = (char)tolower((unsigned char)s[k]);
	}
	qsort(ids, n, sizeof *ids, campaign_id_cmp);
	for (size_t i = 0; i < n; i++)
		if (unique == 0 || strcmp(ids[unique - 1], ids[i]) != 0)
			memmove(ids[unique++], ids[i], CAMPAIGN_UUID_SIZE);
	*out = ids;
	return (long)unique;
}

static void
campaign_answer(struct response *resp, const struct notify_campaign *c)
{
	struct json_object *out = json_object_new_object();

	json_object_object_add(out, "id", json_object_new_string(c->id));
	json_object_object_add(out, "queued", json_object_new_int64(c->queued));
	json_object_object_add(out, "skipped", json_object_new_int64(c->skipped));
	http_response_json(resp, 202, out);
	json_object_put(out);
}

void
web_campaigns_create(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *details;
	struct notify_message m = { 0 };
	struct notify_campaign camp = { 0 };
	struct web_comms_text t;
	struct web_comms c;
	struct buf list = BUF_INIT, audit = BUF_INIT;
	char (*ids)[CAMPAIGN_UUID_SIZE] = NULL, (*events)[CAMPAIGN_EVENT_SIZE] = NULL;
	const char **to = NULL, **patients = NULL, **keys = NULL, *name, *idem;
	PGresult *res = NULL;
	long nids, queued = 0, created = 0;

	web_comms_text_init(&t);
	if (web_json_body(app, req, resp) == NULL)
		goto done;
	details = json_object_new_object();
	name = web_json_str(req->json, "name", details);
	if (name == NULL || *name == '\0' || campaign_chars(name) > NOTIFY_CAMPAIGN_MAX_NAME ||
	    strpbrk(name, "\r\n") != NULL)
		web_detail(details, "name", "is required, one line of at most 200 characters");
	web_comms_read(req->json, true, &c, details);
	idem = web_idempotency_key(req, details);
	if ((nids = campaign_ids(req->json, details, &ids)) == -2) {
		json_object_put(details);
		details = json_object_new_object();
		web_detail(details, "clientIds", "at most 10000 patient ids per request");
		http_response_error_json(resp, 413, "Too many recipients", details);
		goto done;
	}
	if (web_invalid(resp, details))
		goto done;
	if (web_tx(app) != DB_OK)
		goto unavailable;
	if (idem != NULL) {
		if (notify_campaign_find(&app->db, idem, &camp) != DB_OK)
			goto unavailable;
		if (camp.found) {
			campaign_answer(resp, &camp);	/* a retry: the first request's campaign */
			goto done;
		}
	}

	/* every listed id at once; the table keeps only this clinic's patients */
	buf_putc(&list, '{');
	for (long i = 0; i < nids; i++)
		buf_printf(&list, "%s%s", i ? "," : "", ids[i]);
	buf_putc(&list, '}');
	{
		const char *params[2] = { list.data, app->rq.org_id };

		if (db_query(&app->db, &web_stmt_campaign_contacts, params, &res) != DB_OK)
			goto unavailable;
	}
	to = xcalloc((size_t)PQntuples(res) + 1, sizeof *to);
	patients = xcalloc((size_t)PQntuples(res) + 1, sizeof *patients);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *contact = PQgetvalue(res, i, c.channel == NOTIFY_EMAIL ? 2 : 1);

		if (*contact == '\0')
			continue;	/* no mobile number (sms, whatsapp) or email address: skipped */
		to[queued] = contact;
		patients[queued++] = PQgetvalue(res, i, 0);
	}

	if (web_comms_message(app, req, &c, &m, &t) < 0) {
		web_error(app, req, resp, 500, "Internal error", NULL);
		goto done;
	}
	if (notify_campaign_create(&app->db, name, c.body, &m, idem, queued, nids - queued, &camp) != DB_OK)
		goto unavailable;
	if (!camp.created) {
		if (!camp.found)
			goto unavailable;
		campaign_answer(resp, &camp);	/* the same key, committed meanwhile */
		goto done;
	}
	events = xcalloc((size_t)queued + 1, sizeof *events);
	keys = xcalloc((size_t)queued + 1, sizeof *keys);
	for (long i = 0; i < queued; i++) {
		snprintf(events[i], sizeof events[i], "campaign:%s:%s", camp.id, patients[i]);
		keys[i] = events[i];
	}
	if (queued > 0 && notify_enqueue_many(&app->db, &m, to, patients, keys, (size_t)queued,
	    &created) != DB_OK) {
		log_error("campaign not queued", "%s", app->db.error);
		goto unavailable;
	}
	buf_printf(&audit, "{\"channel\":\"%s\",\"queued\":%ld,\"skipped\":%ld}",
	    notify_channel_name(c.channel), queued, nids - queued);
	if (web_audit(app, req, "campaign.created", "campaign", camp.id, audit.data) != DB_OK)
		goto unavailable;
	log_info("campaign queued", "%s: %ld messages, %ld skipped", camp.id, created, nids - queued);
	campaign_answer(resp, &camp);
	goto done;
unavailable:
	/* the transaction is rolled back (status >= 400): no campaign, no message */
	web_unavailable(app, req, resp);
done:
	PQclear(res);
	web_comms_text_free(&t);
	buf_free(&list);
	buf_free(&audit);
	free(ids);
	free(events);
	free(keys);
	free(to);
	free(patients);
}
