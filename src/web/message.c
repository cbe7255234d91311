/* message.c: a message to a person from a request — rendered from its template with the BAA
 * gate of the channel's provider (NOTE-5) and queued in the request's transaction (NOTE-2),
 * so it exists if and only if the request's changes commit. */
#include "web/web.h"
#include "notify/notify.h"

#include <json-c/json.h>

_Static_assert(WEB_QUEUE_UNRENDERED != DB_OK && WEB_QUEUE_UNRENDERED != DB_UNAVAILABLE &&
    WEB_QUEUE_UNRENDERED != DB_FAILED, "a failed template must not read as a db_result");

int
web_queue_messages(struct web_app *app, const char *name, struct json_object *model,
    struct notify_message *m, const char *const *recipients, const char *const *patient_ids,
    const char *const *event_keys, size_t n, long *created)
{
	struct arena *a = app->rq.arena;
	struct buf subject = BUF_ARENA(a), text = BUF_ARENA(a), html = BUF_ARENA(a),
	    vars = BUF_ARENA(a), err = BUF_ARENA(a);
	struct json_object *site = json_object_new_object();
	bool one = false;
	int rc = WEB_QUEUE_UNRENDERED;

	json_object_object_add(site, "name", json_object_new_string(web_org_name(app)));
	json_object_object_add(model, "site", site);
	m->org_id = app->rq.org_id;
	*created = 0;
	if (notify_render(app->views, name, notify_channel_baa(&app->cfg, m->channel), model, m,
	    &subject, &text, &html, &vars, &err) < 0) {
		log_error("message not rendered", "%s: %s", name, buf_cstr(&err));
		snprintf(app->db.error, sizeof app->db.error, "template %s: %s", name, buf_cstr(&err));
	} else if (n == 0) {
		rc = notify_enqueue(&app->db, m, &one);
		*created = one;
	} else
		rc = notify_enqueue_many(&app->db, m, recipients, patient_ids, event_keys, n, created);
	json_object_put(model);	/* consumed, as web.h says */
	return rc;
}

int
web_queue_message(struct web_app *app, const char *name, struct json_object *model,
    struct notify_message *m, bool *created)
{
	long n = 0;
	int rc = web_queue_messages(app, name, model, m, NULL, NULL, NULL, 0, &n);

	if (created != NULL)
		*created = n > 0;
	return rc == WEB_QUEUE_UNRENDERED ? DB_FAILED : rc;
}
