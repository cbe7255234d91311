/* auth_api.c: the JSON sign-in API (AUTH-8, patient-api.md "Sign-in" and "Staff sign-in"):
 * send-otp, verify-otp, refresh-token, logout and me for patients; login, refresh-token and
 * logout for staff. Tokens are answered in the body; pages use cookies instead. */
#include "web/web.h"

#include <string.h>
#include <time.h>

#include <json-c/json.h>

/* 429 {"error":"Too many requests","retryAfterSeconds":N} with Retry-After. */
static void
web_too_many(struct response *resp, int retry_after)
{
	struct json_object *out = json_object_new_object();
	char secs[16];

	json_object_object_add(out, "error", json_object_new_string("Too many requests"));
	json_object_object_add(out, "retryAfterSeconds", json_object_new_int(retry_after));
	http_response_json(resp, 429, out);
	json_object_put(out);
	snprintf(secs, sizeof secs, "%d", retry_after);
	http_response_header(resp, "Retry-After", secs);
}

/* {"accessToken","refreshToken","tokenType","expiresIn"} of t. */
static struct json_object *
web_tokens_json(const struct auth_tokens *t)
{
	struct json_object *out = json_object_new_object();

	json_object_object_add(out, "accessToken", json_object_new_string(t->access.data));
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

/* The sign-up part of send-otp (AUTH-1): {"name","email","dateOfBirth","consent":true}, each
 * checked as the sign-up page checks it; problems go into details as "signup.FIELD". The
 * canonical JSON to store goes into out (owned by the caller). */
static void
web_api_signup(struct json_object *signup, struct json_object *details, struct buf *out)
{
	struct json_object *inner = json_object_new_object(), *consent = NULL, *clean;
	const char *name, *email, *dob;

	if (!json_object_is_type(signup, json_type_object)) {
		web_detail(details, "signup", "must be an object");
		json_object_put(inner);
		return;
	}
	name = web_json_str(signup, "name", inner);
	email = web_json_str(signup, "email", inner);
	dob = web_json_str(signup, "dateOfBirth", inner);
	web_detail(inner, "name", valid_text(name, VALID_NAME_MAX, "Enter your full name"));
	web_detail(inner, "email", valid_email(email));
	web_detail(inner, "dateOfBirth", valid_birth_date(dob));
	if (!json_object_object_get_ex(signup, "consent", &consent) ||
	    !json_object_is_type(consent, json_type_boolean) || !json_object_get_boolean(consent))
		web_detail(inner, "consent", "must be true: the terms and the privacy policy are agreed to");
	json_object_object_foreach(inner, key, val) {
		char field[64];

		snprintf(field, sizeof field, "signup.%s", key);
		web_detail(details, field, json_object_get_string(val));
	}
	if (json_object_object_length(inner) == 0) {
		clean = json_object_new_object();
		json_object_object_add(clean, "name", json_object_new_string(name));
		json_object_object_add(clean, "email", json_object_new_string(email));
		json_object_object_add(clean, "dateOfBirth", json_object_new_string(dob));
		json_object_object_add(clean, "consent", json_object_new_boolean(1));
		buf_puts(out, json_object_to_json_string_ext(clean, JSON_C_TO_STRING_PLAIN));
		json_object_put(clean);
	}
	json_object_put(inner);
}

/* POST /api/patient-auth/send-otp {"phone","channel","email"?,"signup"?} */
void
web_api_send_otp(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *body, *details, *out, *signup;
	struct web_otp_ask ask = { NULL, NULL, NULL, NULL };
	struct buf signup_json = BUF_INIT;
	char phone[PHONE_E164_SIZE];
	int retry_after;

	if ((body = web_json_body(app, req, resp)) == NULL)
		return;
	details = json_object_new_object();
	if (json_object_object_get_ex(body, "signup", &signup) && signup != NULL) {
		web_api_signup(signup, details, &signup_json);
		ask.signup_json = signup_json.len ? signup_json.data : NULL;
	}
	ask.phone = web_json_str(body, "phone", details);
	ask.channel = web_json_str(body, "channel", details);
	ask.email = web_json_str(body, "email", details);
	/* one number, one form: the code, its throttle and the account go by the E.164 form */
	web_detail(details, "phone", phone_check(ask.phone, app->cfg.default_region, phone));
	ask.phone = phone;
	if (ask.channel == NULL)
		ask.channel = "sms";
	if (strcmp(ask.channel, "sms") != 0 && strcmp(ask.channel, "whatsapp") != 0 &&
	    strcmp(ask.channel, "email") != 0)
		web_detail(details, "channel", "must be sms, whatsapp or email");
	if (strcmp(ask.channel, "email") == 0)
		web_detail(details, "email", valid_email(ask.email));
	if (web_invalid(resp, details)) {
		buf_free(&signup_json);
		return;
	}
	switch (web_otp_send(app, req, &ask, &retry_after)) {
	case AUTH_OTP_OK:
		break;
	case AUTH_OTP_THROTTLED:
		web_too_many(resp, retry_after);
		buf_free(&signup_json);
		return;
	default:
		log_error("sign-in code not sent", "%s", app->db.error);
		web_unavailable(app, req, resp);
		buf_free(&signup_json);
		return;
	}
	buf_free(&signup_json);
	out = json_object_new_object();
	json_object_object_add(out, "success", json_object_new_boolean(1));
	json_object_object_add(out, "expiresInSeconds", json_object_new_int(AUTH_OTP_TTL_SECONDS));
	json_object_object_add(out, "resendAfterSeconds", json_object_new_int(AUTH_OTP_RESEND_SECONDS));
	http_response_json(resp, 200, out);
	json_object_put(out);
}

/* POST /api/patient-auth/verify-otp {"phone","otp"} */
void
web_api_verify_otp(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_tokens t = { BUF_INIT, "", "" };
	struct auth_otp_outcome outcome;
	struct json_object *body, *details, *out, *patient;
	const char *typed, *otp;
	char phone[PHONE_E164_SIZE];

	if ((body = web_json_body(app, req, resp)) == NULL)
		return;
	details = json_object_new_object();
	typed = web_json_str(body, "phone", details);
	otp = web_json_str(body, "otp", details);
	web_detail(details, "phone", phone_check(typed, app->cfg.default_region, phone));
	if (!auth_otp_shape_ok(otp))
		web_detail(details, "otp", "must be the 6 digits of the code");
	if (web_invalid(resp, details))
		return;
	switch (web_otp_signin(app, req, phone, otp, &t, &outcome)) {
	case AUTH_OTP_OK:
		break;
	case AUTH_OTP_WRONG:
	case AUTH_OTP_EXPIRED:
		out = json_object_new_object();
		json_object_object_add(out, "error", json_object_new_string("Invalid or expired code"));
		json_object_object_add(out, "attemptsRemaining", json_object_new_int(outcome.remaining));
		http_response_json(resp, 401, out);
		json_object_put(out);
		return;
	default:
		log_error("sign-in failed", "%s", app->db.error);
		web_unavailable(app, req, resp);
		auth_tokens_free(&t);
		return;
	}
	if ((patient = web_person_json(app, outcome.user_id)) == NULL) {
		web_unavailable(app, req, resp);
		auth_tokens_free(&t);
		return;
	}
	out = web_tokens_json(&t);
	json_object_object_add(out, "isNewUser", json_object_new_boolean(outcome.is_new));
	json_object_object_add(out, "patient", patient);
	http_response_json(resp, 200, out);
	json_object_put(out);
	auth_tokens_free(&t);
}

/* Whether a refresh or logout call came to the right family of endpoints for the role. */
static bool
web_role_fits(const struct request *req, unsigned role)
{
	bool staff_route = strncmp(req->path, "/api/staff-auth/", 16) == 0;

	return staff_route ? (role & AUTH_ROLES_STAFF) != 0 : role == AUTH_ROLE_PATIENT;
}

/* POST /api/{patient,staff}-auth/refresh-token {"refreshToken"} */
void
web_api_refresh(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_tokens t = { BUF_INIT, "", "" };
	struct json_object *body, *details, *out;
	enum auth_refresh_result r;
	const char *token;

	if ((body = web_json_body(app, req, resp)) == NULL)
		return;
	details = json_object_new_object();
	if ((token = web_json_str(body, "refreshToken", details)) == NULL || *token == '\0')
		web_detail(details, "refreshToken", "is required");
	if (web_invalid(resp, details))
		return;
	if (web_tx(app) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	r = auth_session_refresh(&app->db, &app->keys, token,
	    *req->client_addr ? req->client_addr : NULL, (long)clock_now(), &t, &app->rq.who);
	if (r == AUTH_REFRESH_OK && !web_role_fits(req, app->rq.who.role))
		r = AUTH_REFRESH_INVALID;	/* rolled back with the 401: the token stays unspent */
	switch (r) {
	case AUTH_REFRESH_OK:
		app->rq.signed_in = true;
		out = web_tokens_json(&t);
		json_object_object_del(out, "tokenType");
		http_response_json(resp, 200, out);
		json_object_put(out);
		break;
	case AUTH_REFRESH_REUSED:
		web_tx_keep(app);	/* the revocation must stand */
		app->rq.signed_in = true;
		web_audit(app, req, "auth.refresh_reuse", "session", app->rq.who.session_id, NULL);
		app->rq.signed_in = false;
		log_warn("refresh token reused", "session %s revoked", app->rq.who.session_id);
		web_error(app, req, resp, 401, "Session revoked: this refresh token was already used", NULL);
		break;
	case AUTH_REFRESH_INVALID:
		web_error(app, req, resp, 401, "Invalid or expired refresh token", NULL);
		break;
	case AUTH_REFRESH_ERROR:
		log_error("refresh failed", "%s", app->db.error);
		web_unavailable(app, req, resp);
		break;
	}
	auth_tokens_free(&t);
}

/* POST /api/{patient,staff}-auth/logout {"refreshToken"}: always {"success":true}, so the
 * answer says nothing about the token. */
void
web_api_logout(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *body, *details, *out;
	const char *token;
	bool found = false;

	if ((body = web_json_body(app, req, resp)) == NULL)
		return;
	details = json_object_new_object();
	if ((token = web_json_str(body, "refreshToken", details)) == NULL || *token == '\0')
		web_detail(details, "refreshToken", "is required");
	if (web_invalid(resp, details))
		return;
	if (web_tx(app) != DB_OK ||
	    auth_session_revoke_by_token(&app->db, token, &app->rq.who, &found) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	if (found) {
		app->rq.signed_in = true;
		if (web_audit(app, req, "auth.signout", "session", app->rq.who.session_id, NULL) != DB_OK) {
			web_unavailable(app, req, resp);
			return;
		}
	}
	out = json_object_new_object();
	json_object_object_add(out, "success", json_object_new_boolean(1));
	http_response_json(resp, 200, out);
	json_object_put(out);
}

/* GET /api/patient-auth/me */
void
web_api_me(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *out, *patient;

	if (web_tx(app) != DB_OK || (patient = web_person_json(app, app->rq.who.user_id)) == NULL) {
		web_unavailable(app, req, resp);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "patient", patient);
	http_response_json(resp, 200, out);
	json_object_put(out);
}

/* POST /api/staff-auth/login {"email","password"} */
void
web_api_staff_login(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_tokens t = { BUF_INIT, "", "" };
	struct json_object *body, *details, *out, *staff;
	const char *email, *password;
	int retry_after;

	if ((body = web_json_body(app, req, resp)) == NULL)
		return;
	details = json_object_new_object();
	email = web_json_str(body, "email", details);
	password = web_json_str(body, "password", details);
	if (email == NULL || *email == '\0')
		web_detail(details, "email", "is required");
	if (password == NULL || *password == '\0')
		web_detail(details, "password", "is required");
	else if (strlen(password) > AUTH_PASSWORD_MAX)
		web_detail(details, "password", "is too long");
	if (web_invalid(resp, details))
		return;
	switch (web_staff_signin(app, req, email, password, &t, &retry_after)) {
	case AUTH_LOGIN_OK:
		break;
	case AUTH_LOGIN_BAD:
		web_error(app, req, resp, 401, "Invalid email or password", NULL);
		return;
	case AUTH_LOGIN_LOCKED:
		web_too_many(resp, retry_after);
		return;
	case AUTH_LOGIN_ERROR:
		log_error("staff sign-in failed", "%s", app->db.error);
		web_unavailable(app, req, resp);
		auth_tokens_free(&t);
		return;
	}
	if ((staff = web_person_json(app, app->rq.who.user_id)) == NULL) {
		web_unavailable(app, req, resp);
		auth_tokens_free(&t);
		return;
	}
	out = web_tokens_json(&t);
	json_object_object_add(out, "staff", staff);
	http_response_json(resp, 200, out);
	json_object_put(out);
	auth_tokens_free(&t);
}
