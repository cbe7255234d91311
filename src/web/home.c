/* home.c: the front page. For now it names the clinic; the booking wizard starts here. */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static struct db_stmt web_stmt_home_org = DB_STMT("web_home_org", 0,
	"SELECT name FROM organisations WHERE is_default");

void
web_home(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *model, *org;
	PGresult *res = NULL;

	if (db_query(&app->db, &web_stmt_home_org, NULL, &res) != DB_OK) {
		log_error("home query failed", "%s", app->db.error);
		web_unavailable(app, req, resp);
		return;
	}
	if (PQntuples(res) == 1 && (app->org_name == NULL ||
	    strcmp(app->org_name, PQgetvalue(res, 0, 0)) != 0)) {
		free(app->org_name);
		app->org_name = xstrdup(PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	model = json_object_new_object();
	org = json_object_new_object();
	json_object_object_add(org, "name", json_object_new_string(app->org_name ? app->org_name : "Kairos"));
	json_object_object_add(model, "organisation", org);
	web_page(app, req, resp, 200, "pages/home", model);
}
