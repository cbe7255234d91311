/* account.c: a patient's account pages, and "Where you're signed in" for everyone
 * (AUTH-2: details asked after the first sign-in; AUTH-4: sessions, revoke one or all). */
#include "web/web.h"

#include <string.h>

#include <json-c/json.h>

#define WEB_SESSIONS_SHOWN 50	/* devices listed at most */

void
web_account(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *model, *me;
	struct auth_user u;

	if (web_tx(app) != DB_OK || auth_user_get(&app->db, app->rq.who.user_id, &u) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	model = web_page_model(app, req, resp, NULL);
	me = json_object_new_object();
	web_form_set(me, "name", u.name);
	web_form_set(me, "email", u.email);
	web_form_set(me, "phone", u.phone);
	web_form_set(me, "dateOfBirth", u.date_of_birth);
	json_object_object_add(model, "me", me);
	web_page(app, req, resp, 200, "pages/account", model);
}

static void
web_details_render(struct web_app *app, struct request *req, struct response *resp, int status,
    struct web_form *f)
{
	struct json_object *model = web_page_model(app, req, resp, f);

	json_object_object_add(model, "welcome",
	    json_object_new_boolean(http_param(&req->query, "welcome") != NULL));
	web_page(app, req, resp, status, "pages/account-details", model);
}

static void
web_details_fields(struct web_form *f, const char *name, const char *email)
{
	struct json_object *field;

	web_name_email_fields(f, name, email);
	if (json_object_object_get_ex(f->fields, "email", &field))
		web_form_set(field, "hint", "We send booking confirmations here");
}

void
web_account_details(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_form f;
	struct auth_user u;

	if (web_tx(app) != DB_OK || auth_user_get(&app->db, app->rq.who.user_id, &u) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	web_form_init(&f, req);
	web_details_fields(&f, u.name, u.email);
	web_details_render(app, req, resp, 200, &f);
}

void
web_account_details_save(struct web_app *app, struct request *req, struct response *resp)
{
	const char *name = web_form_value(req, "name"), *email = web_form_value(req, "email");
	struct web_form f;
	bool taken = false;

	web_form_init(&f, req);
	web_details_fields(&f, name, email);
	web_form_error(&f, "name", valid_text(name, VALID_NAME_MAX, "Enter your full name"));
	web_form_error(&f, "email", valid_email(email));
	if (!web_form_invalid(&f)) {
		if (web_tx(app) != DB_OK ||
		    auth_user_set_details(&app->db, app->rq.who.user_id, name, email, &taken) != DB_OK) {
			json_object_put(f.model);
			web_unavailable(app, req, resp);
			return;
		}
		if (taken)
			web_form_error(&f, "email", "Another account uses this email address. Use a different one, or contact the clinic.");
	}
	if (web_form_invalid(&f)) {
		web_details_render(app, req, resp, 422, &f);
		return;
	}
	json_object_put(f.model);
	if (web_audit(app, req, "account.details_changed", "user", app->rq.who.user_id, NULL) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	http_response_redirect(resp, 303, "/account");
}

void
web_sessions(struct web_app *app, struct request *req, struct response *resp)
{
	static struct auth_session_row rows[WEB_SESSIONS_SHOWN];
	struct json_object *model, *list;
	const char *done = http_param(&req->query, "done");
	int n;

	if (web_tx(app) != DB_OK ||
	    (n = auth_sessions_list(&app->db, app->rq.who.user_id, rows, WEB_SESSIONS_SHOWN)) < 0) {
		web_unavailable(app, req, resp);
		return;
	}
	model = web_page_model(app, req, resp, NULL);
	list = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *s = json_object_new_object();

		web_form_set(s, "id", rows[i].id);
		web_form_set(s, "device", *rows[i].user_agent ? rows[i].user_agent : "Unknown device");
		web_form_set(s, "ip", rows[i].ip);
		web_form_set(s, "createdAt", rows[i].created_at);
		web_form_set(s, "lastSeenAt", rows[i].last_seen_at);
		json_object_object_add(s, "current",
		    json_object_new_boolean(strcmp(rows[i].id, app->rq.who.session_id) == 0));
		json_object_array_add(list, s);
	}
	json_object_object_add(model, "sessions", list);
	json_object_object_add(model, "others", json_object_new_boolean(n > 1));
	if (done != NULL)
		web_flash(model, "success", strcmp(done, "all") == 0 ?
		    "You are signed out everywhere else." : "That device is signed out.");
	web_page(app, req, resp, 200, "pages/sessions", model);
}

void
web_sessions_revoke(struct web_app *app, struct request *req, struct response *resp)
{
	const char *id = http_param(&req->route, "id");
	bool current = strcmp(id, app->rq.who.session_id) == 0;
	int n = 0;

	if (!valid_uuid(id)) {
		web_error(app, req, resp, 404, "We couldn't find that page.", NULL);
		return;
	}
	if (web_tx(app) != DB_OK ||
	    auth_session_revoke(&app->db, app->rq.who.user_id, id, "revoked", &n) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	if (n == 0) {	/* not this person's, or already gone */
		web_error(app, req, resp, 404, "That session no longer exists.", NULL);
		return;
	}
	if (web_audit(app, req, "auth.session_revoked", "session", id, NULL) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	if (current) {
		web_session_cookies_clear(req, resp);
		http_response_redirect(resp, 303, "/");
	} else
		http_response_redirect(resp, 303, "/account/sessions?done=one");
}

void
web_sessions_revoke_all(struct web_app *app, struct request *req, struct response *resp)
{
	char details[32];
	int n = 0;

	if (web_tx(app) != DB_OK ||
	    auth_session_revoke_all(&app->db, app->rq.who.user_id, app->rq.who.session_id, &n) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	snprintf(details, sizeof details, "{\"count\":%d}", n);
	if (web_audit(app, req, "auth.sessions_revoked_all", "user", app->rq.who.user_id, details) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	http_response_redirect(resp, 303, "/account/sessions?done=all");
}
