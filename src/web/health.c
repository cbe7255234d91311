/* health.c: /healthz (the process answers) and /readyz (it can do real work) — OPS-3. */
#include "web/web.h"

#include <string.h>

#include <json-c/json.h>

/* raw bytes: the cheapest answer, for probes every few seconds */
struct web_view
web_health_live(struct web_app *app, struct request *req, struct response *resp)
{
	(void)app;
	(void)req;
	http_response_set(resp, 200, "application/json", "{\"status\":\"ok\"}", 15);
	http_response_header(resp, "Cache-Control", "no-store");
	return web_view_sent();
}

struct web_view
web_health_ready(struct web_app *app, struct request *req, struct response *resp)
{
	struct buf reason = BUF_ARENA(&req->arena);
	struct json_object *obj = json_object_new_object();
	bool unsafe = false;
	int rc;

	rc = db_migrations_current(&app->db, &app->migrations, &reason);
	/* row-level security holds only for a role that cannot bypass it (0006) */
	if (rc == 0 && db_role_unsafe(&app->db, &unsafe) == DB_OK && unsafe) {
		if (strcmp(app->cfg.env, "production") == 0) {
			buf_puts(&reason, "KAIROS_DATABASE_URL's role owns tables or bypasses row-level security");
			rc = 1;
		} else
			json_object_object_add(obj, "warning", json_object_new_string(
			    "the database role owns tables or bypasses row-level security (refused in production)"));
	}
	if (rc == 0)
		json_object_object_add(obj, "status", json_object_new_string("ready"));
	else {
		json_object_object_add(obj, "status", json_object_new_string("unavailable"));
		json_object_object_add(obj, "error", json_object_new_string("Not ready"));
		json_object_object_add(obj, "reason", json_object_new_string(buf_cstr(&reason)));
		log_warn("not ready", "%s%s%s", buf_cstr(&reason), app->db.error[0] ? ": " : "",
		    app->db.error);
	}
	http_response_header(resp, "Cache-Control", "no-store");
	return web_view_json(rc == 0 ? 200 : 503, obj);
}
