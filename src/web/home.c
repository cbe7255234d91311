/* home.c: the front page. For now it names the clinic; the booking wizard starts here. */
#include "web/web.h"

#include <json-c/json.h>

static struct db_stmt web_stmt_home_org = DB_STMT("web_home_org", 1,
	"SELECT name, timezone FROM organisations WHERE id = $1");

void
web_home(struct web_app *app, struct request *req, struct response *resp)
{
	const char *p[] = { app->rq.org_id };
	struct json_object *model, *org;
	PGresult *res = NULL;

	if (db_query(&app->db, &web_stmt_home_org, p, &res) != DB_OK || PQntuples(res) != 1) {
		log_error("home query failed", "%s", app->db.error);
		PQclear(res);
		web_unavailable(app, req, resp);
		return;
	}
	model = json_object_new_object();
	org = json_object_new_object();
	web_model_put(org, "name", json_object_new_string(PQgetvalue(res, 0, 0)));
	web_model_put(org, "timezone", json_object_new_string(PQgetvalue(res, 0, 1)));
	web_model_put(model, "organisation", org);
	PQclear(res);
	web_page(app, req, resp, 200, "pages/home", model);
}
