/* input.c: a request's input through its spec (input/input.h): the query of a GET, else the
 * JSON or form body; a JSON route's errors answer `{"error":"Invalid request","details":
 * {field: message}}` (patient-api.md, web_view_invalid). */
#include "web/web.h"

#include <json-c/json.h>

size_t
web_input(struct web_app *app, struct request *req, const struct input_spec *spec, void *out,
    struct input_errors *e)
{
	return web_page_input(app, req, spec, NULL, out, e);
}

size_t
web_page_input(struct web_app *app, struct request *req, const struct input_spec *spec,
    const char *const *fields, void *out, struct input_errors *e)
{
	struct input_ctx ctx = { &req->arena, web_region(app),
		app->rq.org != NULL && *app->rq.org->timezone ? app->rq.org->timezone : NULL, fields };
	struct http_error err = { 0, NULL, NULL };
	size_t before = e->count;

	/* a GET reads its query: filters and wizard steps keep their choices in the URL */
	if (req->method == HTTP_GET || req->method == HTTP_HEAD)
		return input_form(spec, &req->query, out, &ctx, e);
	if (!req->body_done &&	/* dispatch reads it first for the CSRF check */
	    http_request_read_body(req, (size_t)app->cfg.max_body_bytes, &err) < 0 &&
	    req->json_faulty == NULL) {
		input_error_add(e, &req->arena, err.field ? err.field : "body", err.message);
		return e->count - before;
	}
	if (req->kind == HTTP_KIND_JSON && req->json_faulty != NULL) {
		/* well-formed but refused: each member at fault gets its field's error, and the
		 * rest of the body is read as ever so every other problem is named too */
		input_json_faulty(spec, req->json_faulty, &req->json_faults, out, &ctx, e);
		if (e->count == before)
			input_error_add(e, &req->arena, "body", http_json_fault_message(&req->json_faults));
		return e->count - before;
	}
	if (req->kind == HTTP_KIND_JSON)
		return input_json(spec, req->json, out, &ctx, e);
	return input_form(spec, &req->form, out, &ctx, e);
}
