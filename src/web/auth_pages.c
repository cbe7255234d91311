/* auth_pages.c: the patient sign-in pages (AUTH-1, AUTH-2, AUTH-3): sign in with a one-time
 * code, sign up, sign out, and the transparent renewal of an expired access token.
 *
 * Forms post back to themselves and read their input through the spec each shares with its
 * JSON twin (signin.c); a problem renders the form again with the message by the field and
 * in the summary, keeping what was typed. The number a code went to rides in a short-lived
 * cookie limited to /signin, so it never appears in a URL or a log line. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

/* The number a code went to, from its cookie: only ever the E.164 form we set. */
static const char *
web_code_phone(const struct request *req)
{
	const char *phone = http_param(&req->cookies, WEB_COOKIE_PHONE);
	char e164[PHONE_E164_SIZE];

	if (phone == NULL || phone_check(phone, NULL, e164) != NULL || strcmp(phone, e164) != 0)
		return NULL;
	return phone;
}

/* The sign-in or sign-up form (page), with the channel's radios inline. */
static struct web_view
web_otp_form(struct web_app *app, struct request *req, int status,
    bool signup, const struct input_errors *e)
{
	struct json_object *model = web_page_form_model(app, req, &web_send_otp_spec,
	    signup ? web_signup_page : web_signin_page, e, web_next_of(req, "/account"));

	web_form_put(model, "channel", "inline", "inline");
	if (signup)
		web_form_options_only(model, "channel", web_signup_channels);
	return web_view_page(status, signup ? "pages/signup" : "pages/signin", model);
}

/* GET /signin, /signup: the form. POST: sends the code and moves on to the code form; or
 * the form again with why not. */
struct web_view
web_signin(struct web_app *app, struct request *req, struct response *resp)
{
	bool signup = strcmp(req->path, "/signup") == 0;
	struct web_otp_ask ask = { .channel = "sms" };
	struct input_errors e = { 0 };
	int retry_after, minutes;

	if (req->method != HTTP_POST)
		return web_otp_form(app, req, 200, signup, NULL);
	if (web_page_input(app, req, &web_send_otp_spec, signup ? web_signup_page : web_signin_page,
	    &ask, &e))
		return web_otp_form(app, req, WEB_STATUS_FORM_INVALID, signup, &e);
	switch (web_otp_send(app, req, &ask, &retry_after)) {
	case AUTH_OTP_OK:
		break;
	case AUTH_OTP_THROTTLED:
		minutes = (retry_after + 59) / 60;
		input_error_add(&e, &req->arena, "phone", arena_printf(&req->arena,
		    "You have asked for too many codes. Try again in %d minute%s.", minutes,
		    minutes == 1 ? "" : "s"));
		return web_otp_form(app, req, 429, signup, &e);
	default:
		return web_view_db_failed();
	}
	http_response_cookie(resp, req, WEB_COOKIE_PHONE, ask.phone, "/signin", AUTH_OTP_TTL_SECONDS);
	return web_view_redirect(303, web_next_url(req, "/signin/code", web_next_of(req, "/account")));
}

/* The code form; the page says where the code went. */
static struct web_view
web_code_form(struct web_app *app, struct request *req, int status,
    const char *phone, const struct input_errors *e)
{
	struct json_object *model = web_form_model(app, req, &web_verify_otp_spec, e,
	    web_next_of(req, "/account"));

	web_form_put(model, "code", "inputmode", "numeric");
	web_form_put(model, "code", "spellcheck", "false");
	json_object_object_add(model, "phone", json_object_new_string(phone));
	return web_view_page(status, "pages/signin-code", model);
}

/* GET /signin/code: the form; POST: checks the code, signs in and goes on. */
struct web_view
web_signin_code(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_code_check in = { .phone = web_code_phone(req) };
	struct auth_tokens t = { "", "", "" };
	struct auth_otp_outcome outcome = { 0 };
	struct input_errors e = { 0 };
	enum auth_otp_result r;
	struct auth_user u;
	const char *to;

	if (in.phone == NULL)
		return web_view_redirect(303, "/signin");
	if (req->method != HTTP_POST)
		return web_code_form(app, req, 200, in.phone, NULL);
	if (web_input(app, req, &web_verify_otp_spec, &in, &e))
		return web_code_form(app, req, WEB_STATUS_FORM_INVALID, in.phone, &e);
	switch ((r = web_otp_signin(app, req, in.phone, in.code, &t, &outcome))) {
	case AUTH_OTP_OK:
		break;
	case AUTH_OTP_WRONG:
	case AUTH_OTP_EXPIRED:
		input_error_add(&e, &req->arena, "code", r == AUTH_OTP_WRONG && outcome.remaining > 0 ?
		    arena_printf(&req->arena, "That code is not right. You have %d more tr%s.",
		    outcome.remaining, outcome.remaining == 1 ? "y" : "ies") : r == AUTH_OTP_WRONG ?
		    "That code is not right, and it can't be used again. Ask for a new code." :
		    "This code has expired or can't be used again. Ask for a new code.");
		return web_code_form(app, req, 401, in.phone, &e);
	default:
		return web_view_db_failed();
	}
	if (auth_user_get(&app->db, outcome.user_id, &u) != DB_OK)
		return web_view_db_failed();
	web_session_cookies(req, resp, &t);
	http_response_cookie(resp, req, WEB_COOKIE_PHONE, "", "/signin", 0);
	/* a new number gives no name or email yet: ask for them first (AUTH-2) */
	to = *u.name == '\0' || *u.email == '\0' ? "/account/details?welcome=1" : web_next_of(req, "/account");
	return web_view_redirect(303, to);
}

/* ---- sign-out and renewal ---- */

struct web_view
web_signout(struct web_app *app, struct request *req, struct response *resp)
{
	int n;

	if (auth_session_revoke(&app->db, app->rq.who.user_id, app->rq.who.session_id, "logout",
	    &n) != DB_OK ||
	    web_audit(app, req, "auth.signout", "session", app->rq.who.session_id, NULL) != DB_OK)
		return web_view_db_failed();
	web_session_cookies_clear(req, resp);
	return web_view_redirect(303, "/");
}

/* GET|POST /auth/refresh?next=PATH: renews the session from the refresh cookie (which only
 * this path receives) and goes back; a form post is repeated with 307. */
struct web_view
web_auth_refresh(struct web_app *app, struct request *req, struct response *resp)
{
	const char *next = web_next(http_param(&req->query, "next"), "/");
	struct auth_tokens t = { "", "", "" };
	enum auth_refresh_result r;
	struct auth_principal was = app->rq.who;	/* the expired token's, if any */

	r = web_session_refresh(app, req, http_param(&req->cookies, WEB_COOKIE_REFRESH), &t);
	if (r == AUTH_REFRESH_OK)
		web_session_cookies(req, resp, &t);
	if (r == AUTH_REFRESH_OK)
		return web_view_redirect(req->method == HTTP_POST ? 307 : 303, next);
	if (r == AUTH_REFRESH_ERROR)
		return web_view_db_failed();
	/* nothing to renew: sign in again, on the page for who the old token said it was (a
	 * 303 even after a post: the form is not repeated across a new sign-in) */
	web_session_cookies_clear(req, resp);
	return web_view_redirect(303, web_next_url(req, (was.role & AUTH_ROLES_STAFF) ?
	    "/staff/signin" : "/signin", next));
}
