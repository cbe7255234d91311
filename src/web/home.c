/* home.c: the front page. For now it names the clinic; the booking wizard starts here. */
#include "web/web.h"

#include <json-c/json.h>

struct web_view
web_home(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *model, *site_org;
	struct org org;

	/* the clinic as it is now, not as this worker's tenant cache last saw it */
	(void)req;
	(void)resp;
	if (org_get(&app->db, app->rq.org_id, &org) != DB_OK)
		return web_view_db_failed();
	model = json_object_new_object();
	site_org = json_object_new_object();
	web_model_put(site_org, "name", json_object_new_string(org.name));
	web_model_put(site_org, "timezone", json_object_new_string(org.timezone));
	web_model_put(model, "organisation", site_org);
	return web_view_page(200, "pages/home", model);
}
