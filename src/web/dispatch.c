/* dispatch.c: from a parsed request to a handler's answer. */
#include "web/web.h"

#include <string.h>

#include <json-c/json.h>

void
web_unavailable(struct response *resp, enum http_kind kind)
{
	http_response_error(resp, kind, 503,
	    "The service is temporarily unavailable. Please try again in a moment.");
	http_response_header(resp, "Retry-After", "1");
}

int
web_read_body(struct web_app *app, struct request *req, struct response *resp)
{
	struct http_error err = { 0, NULL, NULL };

	if (http_request_read_body(req, (size_t)app->cfg.max_body_bytes, &err) == 0)
		return 0;
	if (req->kind == HTTP_KIND_JSON) {
		struct json_object *details = json_object_new_object();

		/* the field at fault, or the body as a whole */
		json_object_object_add(details, err.field ? err.field : "body",
		    json_object_new_string(err.message));
		http_response_error_json(resp, err.status,
		    err.status == 400 ? "Invalid request" : err.message, details);
	} else
		http_response_error_html(resp, err.status, err.message);
	return -1;
}

void
web_dispatch(void *ctx, struct request *req, struct response *resp)
{
	struct web_app *app = ctx;
	struct buf allow = BUF_INIT;
	const struct web_route *r;
	size_t i = 0;

	switch (http_router_match(web_routes, web_nroutes, sizeof *web_routes, req, &i, &allow)) {
	case HTTP_MATCH_NOT_FOUND:
		http_response_error(resp, req->kind, 404,
		    "We couldn't find that page.");
		goto out;
	case HTTP_MATCH_WRONG_METHOD:
		http_response_error(resp, req->kind, 405,
		    "That method is not allowed here.");
		http_response_header(resp, "Allow", allow.data);
		goto out;
	case HTTP_MATCH_FOUND:
		break;
	}
	r = &web_routes[i];
	req->kind = r->kind;
	if (r->debug_only && !app->cfg.debug_routes) {
		http_response_error(resp, r->kind, 404, "We couldn't find that page.");
		goto out;
	}
	if (r->access != WEB_PUBLIC) {
		/* sign-in does not exist yet, so nobody can be allowed in */
		http_response_error(resp, r->kind, 401, "Not signed in");
		goto out;
	}
	r->handler(app, req, resp);
out:
	buf_free(&allow);
}
