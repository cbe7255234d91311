/* auth_api.c: the JSON sign-in API (AUTH-8, patient-api.md "Sign-in" and "Staff sign-in"):
 * send-otp, verify-otp, refresh-token, logout and me for patients; login, refresh-token and
 * logout for staff. Tokens are answered in the body; pages use cookies instead. Each reads
 * its body through the spec its page shares (signin.c) and makes the page's domain call. */
#include "web/web.h"

#include <string.h>

#include <json-c/json.h>

/* 429 {"error":"Too many requests","retryAfterSeconds":N} with Retry-After. */
static struct web_view
web_too_many(struct response *resp, int retry_after)
{
	struct json_object *out = json_object_new_object();
	char secs[16];

	json_object_object_add(out, "error", json_object_new_string("Too many requests"));
	json_object_object_add(out, "retryAfterSeconds", json_object_new_int(retry_after));
	snprintf(secs, sizeof secs, "%d", retry_after);
	http_response_header(resp, "Retry-After", secs);
	return web_view_json(429, out);
}

/* {"accessToken","refreshToken","tokenType","expiresIn"} of t. */
static struct json_object *
web_tokens_json(struct auth_tokens *t)
{
	struct json_object *out = json_object_new_object();

	json_object_object_add(out, "accessToken", json_object_new_string(t->access));
	json_object_object_add(out, "refreshToken", json_object_new_string(t->refresh));
	json_object_object_add(out, "tokenType", json_object_new_string("Bearer"));
	json_object_object_add(out, "expiresIn", json_object_new_int(AUTH_ACCESS_TTL_SECONDS));
	return out;
}

/* A person as the API shows them: patients {id,name,email,phone,dateOfBirth}, staff
 * {id,name,email,role}. NULL on a database failure. */
static struct json_object *
web_person_json(struct web_app *app, const char *user_id)
{
	struct json_object *p;
	struct auth_user u;

#define WEB_OR_NULL(s) (*(s) ? json_object_new_string(s) : NULL)
	if (auth_user_get(&app->db, user_id, &u) != DB_OK)
		return NULL;
	p = json_object_new_object();
	json_object_object_add(p, "id", json_object_new_string(u.id));
	json_object_object_add(p, "name", WEB_OR_NULL(u.name));
	json_object_object_add(p, "email", WEB_OR_NULL(u.email));
	if (u.role == AUTH_ROLE_PATIENT) {
		json_object_object_add(p, "phone", WEB_OR_NULL(u.phone));
		json_object_object_add(p, "dateOfBirth", WEB_OR_NULL(u.date_of_birth));
	} else
		json_object_object_add(p, "role", json_object_new_string(auth_role_name(u.role)));
#undef WEB_OR_NULL
	return p;
}

/* The tokens of a new session and the person as `key`: 200; a failure: 503. */
static struct web_view
web_signed_in(struct web_app *app, struct auth_tokens *t, const char *key, bool is_new,
    bool with_new)
{
	struct json_object *person = web_person_json(app, app->rq.who.user_id), *out;

	if (person == NULL)
		return web_view_db_failed();
	out = web_tokens_json(t);
	if (with_new)
		json_object_object_add(out, "isNewUser", json_object_new_boolean(is_new));
	json_object_object_add(out, key, person);
	return web_view_json(200, out);
}

/* POST /api/patient-auth/send-otp {"phone","channel"?,"email"?,"signup"?} */
struct web_view
web_api_send_otp(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_otp_ask ask = { .channel = "sms" };
	struct input_errors e = { 0 };
	struct json_object *out;
	int retry_after;

	if (web_input(app, req, &web_send_otp_spec, &ask, &e))
		return web_view_invalid(&e);
	switch (web_otp_send(app, req, &ask, &retry_after)) {
	case AUTH_OTP_OK:
		break;
	case AUTH_OTP_THROTTLED:
		return web_too_many(resp, retry_after);
	default:
		return web_view_db_failed();
	}
	out = json_object_new_object();
	json_object_object_add(out, "success", json_object_new_boolean(1));
	json_object_object_add(out, "expiresInSeconds", json_object_new_int(AUTH_OTP_TTL_SECONDS));
	json_object_object_add(out, "resendAfterSeconds", json_object_new_int(AUTH_OTP_RESEND_SECONDS));
	return web_view_json(200, out);
}

/* POST /api/patient-auth/verify-otp {"phone","otp"} */
struct web_view
web_api_verify_otp(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_tokens t = { "", "", "" };
	struct auth_otp_outcome outcome = { 0 };
	struct web_code_check in = { 0 };
	struct input_errors e = { 0 };
	struct json_object *out;

	(void)resp;
	if (web_input(app, req, &web_verify_otp_spec, &in, &e))
		return web_view_invalid(&e);
	switch (web_otp_signin(app, req, in.phone, in.code, &t, &outcome)) {
	case AUTH_OTP_OK:
		return web_signed_in(app, &t, "patient", outcome.is_new, true);
	case AUTH_OTP_WRONG:
	case AUTH_OTP_EXPIRED:
		out = json_object_new_object();
		json_object_object_add(out, "error", json_object_new_string("Invalid or expired code"));
		json_object_object_add(out, "attemptsRemaining", json_object_new_int(outcome.remaining));
		return web_view_json(401, out);
	default:
		return web_view_db_failed();
	}
}

/* {"refreshToken"}: refresh-token and logout */
struct web_refresh_in {
	const char *token;
};
static const struct input_field refresh_fields[] = {
	{ .name = "refreshToken", .label = "refreshToken", .type = INPUT_TEXT,
	  .flags = INPUT_REQUIRED, .max = AUTH_TOKEN_TEXT_SIZE, .missing = "is required",
	  .offset = offsetof(struct web_refresh_in, token) },
};
static const struct input_spec refresh_spec =
	INPUT_SPEC("refresh", refresh_fields, struct web_refresh_in, NULL);

/* Whether a refresh or logout call came to the right family of endpoints for the role. */
static bool
web_role_fits(const struct request *req, unsigned role)
{
	bool staff_route = strncmp(req->path, "/api/staff-auth/", 16) == 0;

	return staff_route ? (role & AUTH_ROLES_STAFF) != 0 : role == AUTH_ROLE_PATIENT;
}

/* POST /api/{patient,staff}-auth/refresh-token {"refreshToken"} */
struct web_view
web_api_refresh(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_tokens t = { "", "", "" };
	struct web_refresh_in in = { 0 };
	struct input_errors e = { 0 };
	enum auth_refresh_result r;
	struct json_object *out;

	(void)resp;
	if (web_input(app, req, &refresh_spec, &in, &e))
		return web_view_invalid(&e);
	r = web_session_refresh(app, req, in.token, &t);
	if (r == AUTH_REFRESH_OK && !web_role_fits(req, app->rq.who.role))
		r = AUTH_REFRESH_INVALID;	/* rolled back with the 401: the token stays unspent */
	if (r != AUTH_REFRESH_OK) {
		return r == AUTH_REFRESH_ERROR ? web_view_db_failed() : web_view_error(401,
		    r == AUTH_REFRESH_REUSED ? "Session revoked: this refresh token was already used" :
		    "Invalid or expired refresh token", NULL);
	}
	app->rq.signed_in = true;
	out = web_tokens_json(&t);
	json_object_object_del(out, "tokenType");
	return web_view_json(200, out);
}

/* POST /api/{patient,staff}-auth/logout {"refreshToken"}: always {"success":true}, so the
 * answer says nothing about the token. */
struct web_view
web_api_logout(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_refresh_in in = { 0 };
	struct input_errors e = { 0 };
	struct json_object *out;
	bool found = false;

	(void)resp;
	if (web_input(app, req, &refresh_spec, &in, &e))
		return web_view_invalid(&e);
	if (auth_session_revoke_by_token(&app->db, in.token, &app->rq.who, &found) != DB_OK)
		return web_view_db_failed();
	if (found) {
		app->rq.signed_in = true;
		if (web_audit(app, req, "auth.signout", "session", app->rq.who.session_id, NULL) != DB_OK)
			return web_view_db_failed();
	}
	out = json_object_new_object();
	json_object_object_add(out, "success", json_object_new_boolean(1));
	return web_view_json(200, out);
}

/* GET /api/patient-auth/me */
struct web_view
web_api_me(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *out, *patient;

	(void)req;
	(void)resp;
	if ((patient = web_person_json(app, app->rq.who.user_id)) == NULL)
		return web_view_db_failed();
	out = json_object_new_object();
	json_object_object_add(out, "patient", patient);
	return web_view_json(200, out);
}

/* POST /api/staff-auth/login {"email","password"} */
struct web_view
web_api_staff_login(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_tokens t = { "", "", "" };
	struct web_password_login in = { 0 };
	struct input_errors e = { 0 };
	int retry_after;

	if (web_input(app, req, &web_staff_login_spec, &in, &e))
		return web_view_invalid(&e);
	switch (web_staff_signin(app, req, in.email, in.password, &t, &retry_after)) {
	case AUTH_LOGIN_OK:
		return web_signed_in(app, &t, "staff", false, false);
	case AUTH_LOGIN_BAD:
		return web_view_error(401, "Invalid email or password", NULL);
	case AUTH_LOGIN_LOCKED:
		return web_too_many(resp, retry_after);
	default:
		return web_view_db_failed();
	}
}
