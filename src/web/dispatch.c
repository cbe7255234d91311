/* dispatch.c: from a parsed request to a handler's answer. */
#include "web/web.h"

#include <string.h>

#include <json-c/json.h>

int
web_read_body(struct web_app *app, struct request *req, struct response *resp)
{
	struct http_error err = { 0, NULL, NULL };

	if (http_request_read_body(req, (size_t)app->cfg.max_body_bytes, &err) == 0)
		return 0;
	if (req->kind == HTTP_KIND_JSON && err.status == 400) {
		struct json_object *details = json_object_new_object();

		/* the field at fault, or the body as a whole */
		json_object_object_add(details, err.field ? err.field : "body",
		    json_object_new_string(err.message));
		http_response_error_json(resp, 400, "Invalid request", details);
	} else
		web_error(app, req, resp, err.status, err.message, err.field);
	return -1;
}

static bool
web_route_enabled(const struct web_app *app, const struct web_route *r)
{
	if (r->debug_only && !app->cfg.debug_routes)
		return false;
	if (r->dev_only && strcmp(app->cfg.env, "production") == 0)
		return false;
	return true;
}

void
web_dispatch(void *ctx, struct request *req, struct response *resp)
{
	struct web_app *app = ctx;
	struct buf allow = BUF_INIT;
	const struct web_route *r;
	size_t i = 0;

	if (req->error.status != 0) {
		web_error(app, req, resp, req->error.status, req->error.message, req->error.field);
		return;
	}
	switch (http_router_match(web_routes, web_nroutes, sizeof *web_routes, req, &i, &allow)) {
	case HTTP_MATCH_NOT_FOUND:
		web_error(app, req, resp, 404, "We couldn't find that page.", NULL);
		goto out;
	case HTTP_MATCH_WRONG_METHOD:
		web_error(app, req, resp, 405, "That method is not allowed here.", NULL);
		http_response_header(resp, "Allow", allow.data);
		goto out;
	case HTTP_MATCH_FOUND:
		break;
	}
	r = &web_routes[i];
	req->kind = r->kind;
	if (!web_route_enabled(app, r)) {
		web_error(app, req, resp, 404, "We couldn't find that page.", NULL);
		goto out;
	}
	if (r->access == WEB_PATIENT || r->access == WEB_STAFF) {
		/* sign-in does not exist yet, so nobody can be allowed in; webhook and staff-token
		 * handlers check their credentials themselves */
		web_error(app, req, resp, 401, "Not signed in", NULL);
		goto out;
	}
	r->handler(app, req, resp);
out:
	buf_free(&allow);
}
