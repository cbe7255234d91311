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
