/* auth_pages.c: the patient sign-in pages (AUTH-1, AUTH-2, AUTH-3): sign in with a one-time
 * code, sign up, sign out, and the transparent renewal of an expired access token.
 *
 * Forms post back to themselves; a problem renders the form again with the message by the
 * field and in the summary, keeping what was typed. The number a code went to rides in a
 * short-lived cookie limited to /signin, so it never appears in a URL or a log line. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#define WEB_STATUS_FORM_INVALID 422	/* the form again, with its problems */

/* The channel choice every sign-in form offers. */
static void
web_channel_field(struct web_form *f, const char *chosen, bool with_email)
{
	struct json_object *ch = web_form_field(f, "channel", "", chosen);

	web_form_set(ch, "legend", "How should we send your code?");
	json_object_object_add(ch, "inline", json_object_new_boolean(1));
	web_form_option(ch, "sms", "Text message", *chosen == '\0' || strcmp(chosen, "sms") == 0);
	web_form_option(ch, "whatsapp", "WhatsApp", strcmp(chosen, "whatsapp") == 0);
	if (with_email)
		web_form_option(ch, "email", "Email", strcmp(chosen, "email") == 0);
}

static bool
web_channel_ok(const char *c, bool with_email)
{
	return strcmp(c, "sms") == 0 || strcmp(c, "whatsapp") == 0 ||
	    (with_email && strcmp(c, "email") == 0);
}

/* The phone field: people type the number as they know it, so the hint shows the clinic's
 * country's own format beside the international one (both from libphonenumber). */
static void
web_phone_field(struct web_form *f, const char *value, const char *region)
{
	struct json_object *phone = web_form_field(f, "phone", "Mobile number", value);
	char national[PHONE_EXAMPLE_SIZE], international[PHONE_EXAMPLE_SIZE], hint[160];

	web_form_set(phone, "type", "tel");
	web_form_set(phone, "autocomplete", "tel");
	if (phone_example(region, national, international) == 0)
		snprintf(hint, sizeof hint, "For example %s, or with the country code: %s", national,
		    international);
	else
		snprintf(hint, sizeof hint, "With the country code, starting with +");
	web_form_set(phone, "hint", hint);
	web_form_set(phone, "width", "medium");
}

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

/* The sign-in form, empty or with what was sent. */
static void
web_signin_render(struct web_app *app, struct request *req, struct response *resp, int status,
    struct web_form *f, const char *next)
{
	web_form_page(app, req, resp, status, f, next, "pages/signin");
}

static void
web_signin_fields(struct web_form *f, const struct request *req, const char *region)
{
	struct json_object *email;

	web_phone_field(f, web_form_value(req, "phone"), region);
	web_channel_field(f, web_form_value(req, "channel"), true);
	email = web_form_field(f, "email", "Email address", web_form_value(req, "email"));
	web_form_set(email, "type", "email");
	web_form_set(email, "autocomplete", "email");
	web_form_set(email, "spellcheck", "false");
	web_form_set(email, "hint", "Only if you chose email: the address on your account");
	json_object_object_add(email, "required", json_object_new_boolean(0));
	json_object_object_add(email, "optional", json_object_new_boolean(1));
}

void
web_signin_form(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_form f;

	web_form_init(&f, req);
	web_signin_fields(&f, req, app->cfg.default_region);
	web_signin_render(app, req, resp, 200, &f,
	    web_next(http_param(&req->query, "next"), "/account"));
}

/* Sends the code and moves on to the code form; or the form again with why not. */
static void
web_send_and_continue(struct web_app *app, struct request *req, struct response *resp,
    struct web_form *f, const struct web_otp_ask *ask, const char *next,
    void (*render)(struct web_app *, struct request *, struct response *, int,
    struct web_form *, const char *))
{
	char msg[160];
	int retry_after;

	switch (web_otp_send(app, req, ask, &retry_after)) {
	case AUTH_OTP_OK:
		break;
	case AUTH_OTP_THROTTLED:
		snprintf(msg, sizeof msg, "You have asked for too many codes. Try again in %d minute%s.",
		    (retry_after + 59) / 60, (retry_after + 59) / 60 == 1 ? "" : "s");
		web_form_error(f, "phone", msg);
		render(app, req, resp, 429, f, next);
		return;
	default:
		log_error("sign-in code not sent", "%s", app->db.error);
		json_object_put(f->model);
		web_unavailable(app, req, resp);
		return;
	}
	json_object_put(f->model);
	http_response_cookie(resp, req, WEB_COOKIE_PHONE, ask->phone, "/signin", AUTH_OTP_TTL_SECONDS);
	web_redirect_next(resp, 303, "/signin/code", next);
}

void
web_signin_send(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_otp_ask ask = { web_form_value(req, "phone"), web_form_value(req, "channel"),
		web_form_value(req, "email"), NULL };
	const char *next = web_next(http_param(&req->form, "next"), "/account");
	char phone[PHONE_E164_SIZE];
	struct web_form f;

	web_form_init(&f, req);
	web_signin_fields(&f, req, app->cfg.default_region);
	web_form_error(&f, "phone", phone_check(ask.phone, app->cfg.default_region, phone));
	ask.phone = phone;
	if (!web_channel_ok(ask.channel, true))
		web_form_error(&f, "channel", "Choose how we should send your code");
	else if (strcmp(ask.channel, "email") == 0)
		web_form_error(&f, "email", valid_email(ask.email));
	if (web_form_invalid(&f)) {
		web_signin_render(app, req, resp, WEB_STATUS_FORM_INVALID, &f, next);
		return;
	}
	web_send_and_continue(app, req, resp, &f, &ask, next, web_signin_render);
}

/* The code form; phone is where the code went. */
static void
web_code_render(struct web_app *app, struct request *req, struct response *resp, int status,
    struct web_form *f, const char *next)
{
	struct json_object *model = web_page_model(app, req, resp, f);

	json_object_object_add(model, "next", json_object_new_string(next));
	json_object_object_add(model, "phone",
	    json_object_new_string(http_param(&req->cookies, WEB_COOKIE_PHONE)));
	web_page(app, req, resp, status, "pages/signin-code", model);
}

static void
web_code_fields(struct web_form *f, const char *value)
{
	struct json_object *code = web_form_field(f, "code", "Your 6-digit code", value);

	web_form_set(code, "autocomplete", "one-time-code");
	web_form_set(code, "inputmode", "numeric");
	web_form_set(code, "spellcheck", "false");
	web_form_set(code, "width", "short");
}

void
web_signin_code_form(struct web_app *app, struct request *req, struct response *resp)
{
	const char *next = web_next(http_param(&req->query, "next"), "/account");
	struct web_form f;

	if (web_code_phone(req) == NULL) {
		http_response_redirect(resp, 303, "/signin");
		return;
	}
	web_form_init(&f, req);
	web_code_fields(&f, "");
	web_code_render(app, req, resp, 200, &f, next);
}

void
web_signin_code_check(struct web_app *app, struct request *req, struct response *resp)
{
	const char *next = web_next(http_param(&req->form, "next"), "/account");
	const char *phone = web_code_phone(req);
	const char *code = web_form_value(req, "code");
	struct auth_tokens t = { BUF_INIT, "", "" };
	struct auth_otp_outcome outcome;
	struct web_form f;
	char msg[160];

	if (phone == NULL) {
		http_response_redirect(resp, 303, "/signin");
		return;
	}
	web_form_init(&f, req);
	web_code_fields(&f, code);
	if (!auth_otp_shape_ok(code)) {
		web_form_error(&f, "code", "Enter the 6 digits of the code we sent you");
		web_code_render(app, req, resp, WEB_STATUS_FORM_INVALID, &f, next);
		return;
	}
	switch (web_otp_signin(app, req, phone, code, &t, &outcome)) {
	case AUTH_OTP_OK:
		break;
	case AUTH_OTP_WRONG:
		if (outcome.remaining > 0)
			snprintf(msg, sizeof msg, "That code is not right. You have %d more tr%s.",
			    outcome.remaining, outcome.remaining == 1 ? "y" : "ies");
		else
			snprintf(msg, sizeof msg, "That code is not right, and it can't be used again. Ask for a new code.");
		web_form_error(&f, "code", msg);
		web_code_render(app, req, resp, 401, &f, next);
		return;
	case AUTH_OTP_EXPIRED:
		web_form_error(&f, "code", "This code has expired or can't be used again. Ask for a new code.");
		web_code_render(app, req, resp, 401, &f, next);
		return;
	default:
		json_object_put(f.model);
		web_unavailable(app, req, resp);
		auth_tokens_free(&t);
		return;
	}
	json_object_put(f.model);
	web_session_cookies(req, resp, &t);
	http_response_cookie(resp, req, WEB_COOKIE_PHONE, "", "/signin", 0);
	{
		struct auth_user u;

		/* a new number gives no name or email yet: ask for them first (AUTH-2) */
		if (auth_user_get(&app->db, outcome.user_id, &u) == DB_OK && (*u.name == '\0' || *u.email == '\0'))
			http_response_redirect(resp, 303, "/account/details?welcome=1");
		else
			http_response_redirect(resp, 303, next);
	}
	auth_tokens_free(&t);
}

/* ---- sign-up (AUTH-1) ---- */

static void
web_signup_render(struct web_app *app, struct request *req, struct response *resp, int status,
    struct web_form *f, const char *next)
{
	web_form_page(app, req, resp, status, f, next, "pages/signup");
}

static void
web_signup_fields(struct web_form *f, const struct request *req, const char *region)
{
	struct json_object *field, *consent;

	web_name_email_fields(f, web_form_value(req, "name"), web_form_value(req, "email"));
	web_phone_field(f, web_form_value(req, "phone"), region);
	field = web_form_field(f, "dateOfBirth", "Date of birth", web_form_value(req, "dateOfBirth"));
	web_form_set(field, "type", "date");
	web_form_set(field, "autocomplete", "bday");
	web_form_set(field, "hint", "For example, 1990-03-27");
	web_form_set(field, "width", "medium");
	web_channel_field(f, web_form_value(req, "channel"), false);
	consent = web_form_field(f, "consent", "", "");
	web_form_set(consent, "legend", "Terms and privacy");
	web_form_option(consent, "yes", "I agree to the terms of use and the privacy policy",
	    strcmp(web_form_value(req, "consent"), "yes") == 0);
}

void
web_signup_form(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_form f;

	web_form_init(&f, req);
	web_signup_fields(&f, req, app->cfg.default_region);
	web_signup_render(app, req, resp, 200, &f,
	    web_next(http_param(&req->query, "next"), "/account"));
}

void
web_signup_send(struct web_app *app, struct request *req, struct response *resp)
{
	const char *name = web_form_value(req, "name"), *email = web_form_value(req, "email");
	const char *dob = web_form_value(req, "dateOfBirth");
	const char *next = web_next(http_param(&req->form, "next"), "/account");
	struct web_otp_ask ask = { web_form_value(req, "phone"), web_form_value(req, "channel"),
		NULL, NULL };
	struct json_object *signup;
	char phone[PHONE_E164_SIZE];
	struct web_form f;

	web_form_init(&f, req);
	web_signup_fields(&f, req, app->cfg.default_region);
	web_form_error(&f, "name", valid_text(name, VALID_NAME_MAX, "Enter your full name"));
	web_form_error(&f, "email", valid_email(email));
	web_form_error(&f, "phone", phone_check(ask.phone, app->cfg.default_region, phone));
	ask.phone = phone;
	web_form_error(&f, "dateOfBirth", valid_birth_date(dob));
	if (!web_channel_ok(ask.channel, false))
		web_form_error(&f, "channel", "Choose how we should send your code");
	if (strcmp(web_form_value(req, "consent"), "yes") != 0)
		web_form_error(&f, "consent", "You need to agree to the terms and the privacy policy to create an account");
	if (web_form_invalid(&f)) {
		web_signup_render(app, req, resp, WEB_STATUS_FORM_INVALID, &f, next);
		return;
	}
	/* applied when the number's first code is verified; an existing account keeps its own
	 * details, and the answer is the same either way */
	signup = json_object_new_object();
	json_object_object_add(signup, "name", json_object_new_string(name));
	json_object_object_add(signup, "email", json_object_new_string(email));
	json_object_object_add(signup, "dateOfBirth", json_object_new_string(dob));
	json_object_object_add(signup, "consent", json_object_new_boolean(1));
	ask.signup_json = json_object_to_json_string_ext(signup, JSON_C_TO_STRING_PLAIN);
	web_send_and_continue(app, req, resp, &f, &ask, next, web_signup_render);
	json_object_put(signup);
}

/* ---- sign-out and renewal ---- */

void
web_signout(struct web_app *app, struct request *req, struct response *resp)
{
	int n;

	if (web_tx(app) != DB_OK || auth_session_revoke(&app->db, app->rq.who.user_id,
	    app->rq.who.session_id, "logout", &n) != DB_OK ||
	    web_audit(app, req, "auth.signout", "session", app->rq.who.session_id, NULL) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	web_session_cookies_clear(req, resp);
	http_response_redirect(resp, 303, "/");
}

/* GET|POST /auth/refresh?next=PATH: renews the session from the refresh cookie (which only
 * this path receives) and goes back; a form post is repeated with 307. */
void
web_auth_refresh(struct web_app *app, struct request *req, struct response *resp)
{
	const char *next = web_next(http_param(&req->query, "next"), "/");
	bool post = req->method == HTTP_POST;
	struct auth_tokens t = { BUF_INIT, "", "" };
	enum auth_refresh_result r;
	struct auth_principal was = app->rq.who;	/* the expired token's, if any */

	if (web_tx(app) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	r = auth_session_refresh(&app->db, &app->keys, http_param(&req->cookies, WEB_COOKIE_REFRESH),
	    *req->client_addr ? req->client_addr : NULL, (long)clock_now(), &t, &app->rq.who);
	if (r == AUTH_REFRESH_OK) {
		web_session_cookies(req, resp, &t);
		http_response_redirect(resp, post ? 307 : 303, next);
		auth_tokens_free(&t);
		return;
	}
	auth_tokens_free(&t);
	if (r == AUTH_REFRESH_ERROR) {
		web_unavailable(app, req, resp);
		return;
	}
	if (r == AUTH_REFRESH_REUSED) {
		web_tx_keep(app);
		app->rq.signed_in = true;
		web_audit(app, req, "auth.refresh_reuse", "session", app->rq.who.session_id, NULL);
		app->rq.signed_in = false;
	}
	/* nothing to renew: sign in again, on the page for who the old token said it was (a
	 * 303 even after a post: the form is not repeated across a new sign-in) */
	web_session_cookies_clear(req, resp);
	web_redirect_next(resp, 303, (was.role & AUTH_ROLES_STAFF) ? "/staff/signin" : "/signin", next);
}
