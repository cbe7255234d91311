/* message.c: a message to a person from a request — rendered from its template with the BAA
 * gate of the channel's provider (NOTE-5) and queued in the request's transaction (NOTE-2),
 * so it exists if and only if the request's changes commit. */
#include "web/web.h"
#include "notify/notify.h"

#include <json-c/json.h>

int
web_queue_message(struct web_app *app, const char *name, struct json_object *model,
    struct notify_message *m, bool *created)
{
	struct buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT, vars = BUF_INIT, err = BUF_INIT;
	struct json_object *site = json_object_new_object();
	int rc = DB_FAILED;

	json_object_object_add(site, "name", json_object_new_string(web_org_name(app)));
	json_object_object_add(model, "site", site);
	m->org_id = app->rq.org_id;
	if (notify_render(app->views, name, notify_channel_baa(&app->cfg, m->channel), model, m,
	    &subject, &text, &html, &vars, &err) < 0) {
		log_error("message not rendered", "%s: %s", name, buf_cstr(&err));
		snprintf(app->db.error, sizeof app->db.error, "template %s: %s", name, buf_cstr(&err));
	} else
		rc = notify_enqueue(&app->db, m, created);
	json_object_put(model);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	buf_free(&vars);
	buf_free(&err);
	return rc;
}
