/* input.c: reading JSON API bodies field by field, with one message per bad field
 * (`{"error":"Invalid request","details":{field: message}}`, patient-api.md). */
#include "web/web.h"

#include <json-c/json.h>

struct json_object *
web_json_body(struct web_app *app, struct request *req, struct response *resp)
{
	if (web_read_body(app, req, resp) < 0)
		return NULL;
	if (req->json == NULL || !json_object_is_type(req->json, json_type_object)) {
		struct json_object *details = json_object_new_object();

		json_object_object_add(details, "body", json_object_new_string("must be a JSON object"));
		http_response_error_json(resp, 400, "Invalid request", details);
		return NULL;
	}
	return req->json;
}

void
web_detail(struct json_object *details, const char *field, const char *message)
{
	if (message != NULL && !json_object_object_get_ex(details, field, NULL))
		json_object_object_add(details, field, json_object_new_string(message));
}

const char *
web_json_str(struct json_object *body, const char *key, struct json_object *details)
{
	struct json_object *v;

	if (!json_object_object_get_ex(body, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		web_detail(details, key, "must be a string");
		return NULL;
	}
	/* refused, not cut: "960583\u0000" must not read as the code 960583 */
	if (http_json_text(v) == NULL) {
		web_detail(details, key, WEB_JSON_NUL_MESSAGE);
		return NULL;
	}
	return http_json_text(v);
}

bool
web_invalid(struct response *resp, struct json_object *details)
{
	if (json_object_object_length(details) == 0) {
		json_object_put(details);
		return false;
	}
	http_response_error_json(resp, 400, "Invalid request", details);
	return true;
}

size_t
web_input(struct web_app *app, struct request *req, const struct input_spec *spec, void *out,
    struct input_errors *e)
{
	struct input_ctx ctx = { &req->arena, app->cfg.default_region };
	struct http_error err = { 0, NULL, NULL };
	size_t before = e->count;

	/* a GET reads its query: filters and wizard steps keep their choices in the URL */
	if (req->method == HTTP_GET || req->method == HTTP_HEAD)
		return input_form(spec, &req->query, out, &ctx, e);
	if (!req->body_done &&	/* dispatch reads it first for the CSRF check */
	    http_request_read_body(req, (size_t)app->cfg.max_body_bytes, &err) < 0) {
		input_error_add(e, &req->arena, err.field ? err.field : "body", err.message);
		return e->count - before;
	}
	if (req->kind == HTTP_KIND_JSON)
		return input_json(spec, req->json, out, &ctx, e);
	return input_form(spec, &req->form, out, &ctx, e);
}
