/* account.c: a patient's account pages, and "Where you're signed in" for everyone
 * (AUTH-2: details asked after the first sign-in; AUTH-4: sessions, revoke one or all). */
#include "web/web.h"

#include <string.h>

#include <json-c/json.h>

struct web_details_in {
	const char *name, *email;
};
static const struct input_field details_fields[] = {
	{ .name = "name", .label = "Full name", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .max = VALID_NAME_MAX, .missing = "Enter your full name", .autocomplete = "name",
	  .offset = offsetof(struct web_details_in, name) },
	{ .name = "email", .label = "Email address", .type = INPUT_EMAIL, .flags = INPUT_REQUIRED,
	  .hint = "We send booking confirmations here", .missing = "Enter an email address",
	  .offset = offsetof(struct web_details_in, email) },
};
static const struct input_spec details_spec =
	INPUT_SPEC("account details", details_fields, struct web_details_in, NULL);

struct web_view
web_account(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *model;
	struct auth_user u;

	(void)req;
	(void)resp;
	if (auth_user_get(&app->db, app->rq.who.user_id, &u) != DB_OK)
		return web_view_db_failed();
	model = web_page_model(NULL);
	json_object_object_add(model, "me", web_strings(json_object_new_object(), "name", u.name,
	    "email", u.email, "phone", u.phone, "dateOfBirth", u.date_of_birth, NULL));
	return web_view_page(200, "pages/account", model);
}

/* The details form: what was posted with its problems (e), or the account's own details. */
static struct web_view
web_details_page(struct web_app *app, struct request *req,
    const struct input_errors *e)
{
	struct json_object *model;
	struct auth_user u;

	if (e == NULL && auth_user_get(&app->db, app->rq.who.user_id, &u) != DB_OK)
		return web_view_db_failed();
	model = web_form_model(app, req, &details_spec, e, NULL);
	if (e == NULL) {
		web_form_put(model, "name", "value", u.name);
		web_form_put(model, "email", "value", u.email);
	}
	json_object_object_add(model, "welcome",
	    json_object_new_boolean(http_param(&req->query, "welcome") != NULL));
	return web_view_page(e ? WEB_STATUS_FORM_INVALID : 200, "pages/account-details", model);
}

/* GET /account/details: the form; POST: saves it, or the form again with why not. */
struct web_view
web_account_details(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_details_in in = { 0 };
	struct input_errors e = { 0 };
	bool taken = false;

	(void)resp;
	if (req->method != HTTP_POST)
		return web_details_page(app, req, NULL);
	if (web_input(app, req, &details_spec, &in, &e))
		return web_details_page(app, req, &e);
	if (auth_user_set_details(&app->db, app->rq.who.user_id, in.name, in.email, &taken) != DB_OK)
		return web_view_db_failed();
	if (taken) {
		input_error_add(&e, &req->arena, "email", "Another account uses this email address. Use a different one, or contact the clinic.");
		return web_details_page(app, req, &e);
	}
	if (web_audit(app, req, "account.details_changed", "user", app->rq.who.user_id, NULL) != DB_OK)
		return web_view_db_failed();
	return web_view_redirect(303, "/account");
}

/* GET /account/sessions: the caller's live sessions, newest first, a page at a time. */
struct web_view
web_sessions(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_session_row *rows = arena_calloc(&req->arena, WEB_LIST_PAGE + 1, sizeof *rows);
	const char *done = http_param(&req->query, "done"), *after;
	struct input_errors e = { 0 };
	struct json_object *model, *list;
	int n;

	(void)resp;
	after = web_page_after(req, "after", &e);
	if (e.count)
		return web_view_error(400, e.items[0].message, "after");
	if ((n = auth_sessions_list(&app->db, app->rq.who.user_id, after, rows, WEB_LIST_PAGE + 1)) < 0)
		return web_view_db_failed();
	model = web_page_model(NULL);
	list = json_object_new_array();
	for (int i = 0; i < n && i < WEB_LIST_PAGE; i++) {
		struct json_object *s = web_strings(json_object_new_object(), "id", rows[i].id,
		    "device", *rows[i].user_agent ? rows[i].user_agent : "Unknown device", "ip", rows[i].ip,
		    "createdAt", rows[i].created_at, "lastSeenAt", rows[i].last_seen_at, NULL);

		json_object_object_add(s, "current",
		    json_object_new_boolean(strcmp(rows[i].id, app->rq.who.session_id) == 0));
		json_object_array_add(list, s);
	}
	json_object_object_add(model, "sessions", list);
	json_object_object_add(model, "others", json_object_new_boolean(n > 1 || after != NULL));
	web_page_next(req, model, "pagination", "Session pages", "after",
	    n > WEB_LIST_PAGE ? rows[WEB_LIST_PAGE - 1].id : NULL);
	if (done != NULL)
		web_flash(model, "success", strcmp(done, "all") == 0 ?
		    "You are signed out everywhere else." : "That device is signed out.");
	return web_view_page(200, "pages/sessions", model);
}

/* POST /account/sessions/:id/revoke, /account/sessions/revoke-all */
struct web_view
web_sessions_revoke(struct web_app *app, struct request *req, struct response *resp)
{
	const char *id = http_param(&req->route, "id");
	bool all = id == NULL, current = !all && strcmp(id, app->rq.who.session_id) == 0;
	int n = 0;

	if (!all && !valid_uuid(id))
		return web_view_error(404, "We couldn't find that page.", NULL);
	if ((all ? auth_session_revoke_all(&app->db, app->rq.who.user_id, app->rq.who.session_id, &n) :
	    auth_session_revoke(&app->db, app->rq.who.user_id, id, "revoked", &n)) != DB_OK)
		return web_view_db_failed();
	if (n == 0 && !all)	/* not this person's, or already gone */
		return web_view_error(404, "That session no longer exists.", NULL);
	if (web_audit(app, req, all ? "auth.sessions_revoked_all" : "auth.session_revoked",
	    all ? "user" : "session", all ? app->rq.who.user_id : id,
	    all ? arena_printf(&req->arena, "{\"count\":%d}", n) : NULL) != DB_OK)
		return web_view_db_failed();
	if (!current)
		return web_view_redirect(303, all ? "/account/sessions?done=all" : "/account/sessions?done=one");
	web_session_cookies_clear(req, resp);
	return web_view_redirect(303, "/");
}
