/* view.c: what a handler returns, and how dispatch turns it into the answer (web.h).
 *
 * A handler decides; it does not write bytes. It returns a page (template and model), a
 * JSON model, a redirect, an error, the errors of its input spec, or "the database
 * failed". web_view_send renders, serialises and frees, in one place, so every database
 * failure gets the same 503 and every model is freed whatever path the handler took. */
#include "web/web.h"

#include <string.h>

#include <json-c/json.h>

#define WEB_DB_FAILED_MESSAGE "The service is temporarily unavailable. Please try again in a moment."
#define WEB_DB_RETRY_AFTER    "1"	/* seconds: a worker reconnects on its next request */

struct web_view
web_view_page(int status, const char *page, struct json_object *model)
{
	return (struct web_view){ .kind = WEB_VIEW_PAGE, .status = status, .page = page,
		.model = model };
}

struct web_view
web_view_page_around(int status, const char *page, struct json_object *model, const char *main,
    size_t len)
{
	return (struct web_view){ .kind = WEB_VIEW_PAGE, .status = status, .page = page,
		.model = model, .body = main, .body_len = len };
}

struct web_view
web_view_json(int status, struct json_object *model)
{
	return (struct web_view){ .kind = WEB_VIEW_JSON, .status = status, .model = model };
}

struct web_view
web_view_json_text(int status, const char *body, size_t len)
{
	return (struct web_view){ .kind = WEB_VIEW_JSON_TEXT, .status = status, .body = body,
		.body_len = len };
}

struct web_view
web_view_redirect(int status, const char *location)
{
	return (struct web_view){ .kind = WEB_VIEW_REDIRECT, .status = status, .location = location };
}

struct web_view
web_view_error(int status, const char *message, const char *field)
{
	return (struct web_view){ .kind = WEB_VIEW_ERROR, .status = status, .message = message,
		.field = field };
}

struct web_view
web_view_invalid(const struct input_errors *errors)
{
	return (struct web_view){ .kind = WEB_VIEW_INVALID, .status = errors->status ?
		errors->status : 400, .errors = *errors };
}

struct web_view
web_view_db_failed(void)
{
	return (struct web_view){ .kind = WEB_VIEW_DB_FAILED, .status = 503 };
}

struct web_view
web_view_sent(void)
{
	return (struct web_view){ .kind = WEB_VIEW_SENT };
}

struct web_view
web_view_freeing(struct web_view v, struct json_object *model)
{
	if (v.kind == WEB_VIEW_PAGE || v.kind == WEB_VIEW_JSON || v.model != NULL)
		json_object_put(model);
	else
		v.model = model;	/* web_view_send puts every view's model */
	return v;
}

bool
web_route_renders(const struct web_app *app, const char *name)
{
	const char *names, *p;
	size_t n;

	if (!app->cfg.debug_routes)
		return true;	/* production pays nothing for it */
	names = app->rq.route ? app->rq.route->templates : NULL;
	n = strlen(name);
	for (p = names; p != NULL && (p = strstr(p, name)) != NULL; p += n)
		if ((p == names || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	log_error("template not named by its route", "%s %s renders %s: name it in its row "
	    "(web/routes.c)", app->rq.route ? app->rq.route->route.pattern : "?",
	    app->rq.route ? app->rq.route->handler : "?", name);
	return false;
}

struct json_object *
web_details(const struct input_errors *e)
{
	struct json_object *details = json_object_new_object();

	for (size_t i = 0; i < e->count; i++)
		json_object_object_add(details, e->items[i].path,
		    json_object_new_string(e->items[i].message));
	return details;
}

void
web_view_send(struct web_app *app, struct request *req, struct response *resp,
    struct web_view *v)
{
	switch (v->kind) {
	case WEB_VIEW_PAGE:
		if (!web_route_renders(app, v->page)) {
			web_error(app, req, resp, 500, "Something went wrong on our side.", NULL);
			break;
		}
		web_page_around(app, req, resp, v->status, v->page, v->model, v->body,
		    v->body_len);	/* consumes the model */
		v->model = NULL;
		break;
	case WEB_VIEW_JSON:
		http_response_json(resp, v->status, v->model);
		break;
	case WEB_VIEW_JSON_TEXT:
		http_response_set(resp, v->status, "application/json", v->body, v->body_len);
		break;
	case WEB_VIEW_REDIRECT:
		http_response_redirect(resp, v->status ? v->status : 303, v->location);
		break;
	case WEB_VIEW_ERROR:
		web_error(app, req, resp, v->status, v->message, v->field);
		break;
	case WEB_VIEW_INVALID:
		http_response_error_json(resp, v->status, v->message ? v->message : "Invalid request",
		    web_details(&v->errors));
		break;
	case WEB_VIEW_DB_FAILED:
		log_error("database failed", "%s", app->db.error);
		resp->nheaders = 0;	/* it rolls back: no cookie of its session goes out */
		web_error(app, req, resp, 503, WEB_DB_FAILED_MESSAGE, NULL);
		http_response_header(resp, "Retry-After", WEB_DB_RETRY_AFTER);
		break;
	case WEB_VIEW_SENT:
		break;
	}
	json_object_put(v->model);
	v->model = NULL;
}
