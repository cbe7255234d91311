/* signin.c: sending and checking one-time codes, shared by the sign-in pages and the JSON
 * API (AUTH-2): one path, so both get the same throttles, audit entries and answers. */
#include "web/web.h"
#include "notify/notify.h"

#include <string.h>
#include <time.h>

#include <json-c/json.h>

/* ---- the specs: one per page and its JSON twin, declared for the JSON shape; the table
 * says where a page differs (input/input.h) ---- */

static const char *const signin_channels[] = { "sms", "whatsapp", "email", NULL };
static const char *const signin_channel_labels[] = { "Text message", "WhatsApp", "Email", NULL };
/* a new account's first code goes to the phone it is for: email needs an account's address */
const char *const web_signup_channels[] = { "sms", "whatsapp", NULL };
/* what the channel row says of another choice, so /signup reads as when it offered these */
#define SIGNUP_CHANNEL_MESSAGE "Channel must be one of: sms, whatsapp"
#define SIGNUP_CONSENT_MESSAGE \
	"You need to agree to the terms and the privacy policy to create an account"
#define CODE_MESSAGE "Enter the 6 digits of the code we sent you"

/* send-otp's and verify-otp's number: codes go to it, so send-otp's must take texts
 * (INPUT_MOBILE); verify-otp's only names the code's number, and a wrong one is a wrong
 * code (401) like any other */
#define PHONE_ROW(type_, field_, flags_) \
	{ .name = "phone", .label = "Mobile number", .type = INPUT_PHONE, .flags = (flags_), \
	  .missing = "Enter a mobile number", .width = "medium", .offset = offsetof(type_, field_) }

/* JSON false is no consent (a form's unticked box is absent: the row's `missing`) */
static const char *
signup_consent_check(const void *value, const void *whole)
{
	(void)whole;
	return *(const bool *)value ? NULL : SIGNUP_CONSENT_MESSAGE;
}

static const char *
code_shape_check(const void *value, const void *whole)
{
	(void)whole;
	return auth_otp_shape_ok(*(const char *const *)value) ? NULL : CODE_MESSAGE;
}

/* Sign-up details go with a code to the phone; an emailed code needs the address (it
 * reaches only the account's own). */
static void
send_otp_check(const void *whole, struct arena *a, struct input_errors *e)
{
	const struct web_otp_ask *ask = whole;
	bool phone_channel = false;

	for (const char *const *c = web_signup_channels; *c != NULL; c++)
		phone_channel |= strcmp(ask->channel, *c) == 0;
	if (ask->signup.name != NULL && !phone_channel)
		input_error_add(e, a, "channel", SIGNUP_CHANNEL_MESSAGE);
	else if (strcmp(ask->channel, "email") == 0 && ask->email == NULL)
		input_error_add(e, a, "email", "Enter an email address");
}

static const struct input_field signup_fields[] = {
	{ .name = "name", .label = "Full name", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .max = VALID_NAME_MAX, .missing = "Enter your full name", .autocomplete = "name",
	  .offset = offsetof(struct web_signup, name) },
	{ .name = "email", .label = "Email address", .type = INPUT_EMAIL, .flags = INPUT_REQUIRED,
	  .missing = "Enter an email address", .offset = offsetof(struct web_signup, email) },
	{ .name = "dateOfBirth", .label = "Date of birth", .type = INPUT_BIRTH_DATE,
	  .flags = INPUT_REQUIRED, .hint = "For example, 1990-03-27", .width = "medium",
	  .missing = "Enter your date of birth",
	  .offset = offsetof(struct web_signup, date_of_birth) },
	{ .name = "consent", .label = "I agree to the terms of use and the privacy policy",
	  .type = INPUT_BOOL, .flags = INPUT_REQUIRED, .legend = "Terms and privacy",
	  .missing = SIGNUP_CONSENT_MESSAGE, .check = signup_consent_check,
	  .offset = offsetof(struct web_signup, consent) },
};
static const struct input_spec signup_spec =
	INPUT_SPEC("signup", signup_fields, struct web_signup, NULL);

static const struct input_field send_otp_fields[] = {
	PHONE_ROW(struct web_otp_ask, phone, INPUT_REQUIRED | INPUT_MOBILE),
	{ .name = "channel", .label = "Channel", .type = INPUT_ENUM, .choices = signin_channels,
	  .choice_labels = signin_channel_labels, .legend = "How should we send your code?",
	  .missing = "Choose how we should send your code",
	  .offset = offsetof(struct web_otp_ask, channel) },
	{ .name = "email", .label = "Email address", .type = INPUT_EMAIL,
	  .hint = "Only if you chose email: the address on your account",
	  .offset = offsetof(struct web_otp_ask, email) },
	/* the sign-up page's own fields, beside the phone and channel it shares with /signin */
	{ .name = "signup", .label = "Sign-up details", .type = INPUT_OBJECT, .flags = INPUT_FLAT,
	  .of = &signup_spec, .offset = offsetof(struct web_otp_ask, signup) },
};
const struct input_spec web_send_otp_spec =
	INPUT_SPEC("send-otp", send_otp_fields, struct web_otp_ask, send_otp_check);
const char *const web_signin_page[] = { "phone", "channel", "email", NULL };
const char *const web_signup_page[] = { "signup.name", "signup.email", "phone",
	"signup.dateOfBirth", "channel", "signup.consent", NULL };

static const struct input_field verify_otp_fields[] = {
	/* the code page's number is the one its code went to (auth_pages.c) */
	PHONE_ROW(struct web_code_check, phone, INPUT_REQUIRED | INPUT_JSON_ONLY),
	{ .name = "otp", .form = "code", .label = "Code", .form_label = "Your 6-digit code",
	  .type = INPUT_TEXT, .flags = INPUT_REQUIRED, .max = AUTH_OTP_DIGITS,
	  .check = code_shape_check, .missing = CODE_MESSAGE, .autocomplete = "one-time-code",
	  .width = "short", .offset = offsetof(struct web_code_check, code) },
};
const struct input_spec web_verify_otp_spec =
	INPUT_SPEC("verify-otp", verify_otp_fields, struct web_code_check, NULL);

static const struct input_field staff_login_fields[] = {
	/* text, not an email's shape: a wrong address is "wrong email or password" (401) */
	{ .name = "email", .label = "Email address", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .max = INPUT_EMAIL_MAX, .missing = "Enter your email address", .autocomplete = "username",
	  .offset = offsetof(struct web_password_login, email) },
	{ .name = "password", .label = "Password", .type = INPUT_PASSWORD, .flags = INPUT_REQUIRED,
	  .max = AUTH_PASSWORD_MAX, .missing = "Enter your password",
	  .offset = offsetof(struct web_password_login, password) },
};
const struct input_spec web_staff_login_spec =
	INPUT_SPEC("staff login", staff_login_fields, struct web_password_login, NULL);

/* The code's message, queued in the request's transaction; it holds a secret, so its text
 * goes once a provider has it. */
static int
web_otp_queue(struct web_app *app, struct request *req, const struct web_otp_ask *ask,
    const char *code, const char *otp_id)
{
	struct json_object *model = json_object_new_object();
	struct notify_message m = { 0 };
	char event[64];

	if (notify_channel_parse(ask->channel, &m.channel) < 0)
		m.channel = NOTIFY_SMS;
	json_object_object_add(model, "code", json_object_new_string(code));
	json_object_object_add(model, "minutes", json_object_new_int(AUTH_OTP_TTL_SECONDS / 60));
	snprintf(event, sizeof event, "otp:%s", otp_id);
	m.event_key = event;
	m.recipient = m.channel == NOTIFY_EMAIL ? ask->email : ask->phone;
	m.requested_ip = *req->client_addr ? req->client_addr : NULL;
	m.sensitive = true;
	return web_queue_message(app, "otp", model, &m, NULL);
}

enum auth_otp_result
web_otp_send(struct web_app *app, struct request *req, const struct web_otp_ask *ask,
    int *retry_after)
{
	struct auth_otp_request r = { app->rq.org_id, ask->phone, ask->channel, ask->email,
		*req->client_addr ? req->client_addr : NULL, NULL };
	char code[AUTH_OTP_DIGITS + 1], id[AUTH_UUID_SIZE], details[64];
	enum auth_otp_result res;
	bool deliver = true;

	*retry_after = 0;
	if (ask->signup.name != NULL) {
		/* applied when the number's first code is verified; an existing account keeps its
		 * own details, and the answer is the same either way */
		struct json_object *signup = web_strings(json_object_new_object(), "name",
		    ask->signup.name, "email", ask->signup.email, "dateOfBirth",
		    ask->signup.date_of_birth, NULL);

		json_object_object_add(signup, "consent", json_object_new_boolean(1));
		r.signup_json = arena_strdup(&req->arena,
		    json_object_to_json_string_ext(signup, JSON_C_TO_STRING_PLAIN));
		json_object_put(signup);
	}
	if (strcmp(ask->channel, "email") == 0 &&
	    auth_otp_email_allowed(&app->db, app->rq.org_id, ask->phone, ask->email, &deliver) != DB_OK)
		return AUTH_OTP_ERROR;
	/* a code is made (and its slow hash paid for) even when it will not be delivered, so the
	 * answer and its timing are the same for every number */
	res = auth_otp_issue(&app->db, &r, code, id, retry_after);
	if (res == AUTH_OTP_THROTTLED) {
		web_tx_keep(app);
		snprintf(details, sizeof details, "{\"retryAfterSeconds\":%d}", *retry_after);
		return web_audit(app, req, "auth.otp_throttled", NULL, NULL, details) == DB_OK ?
		    res : AUTH_OTP_ERROR;
	}
	if (res != AUTH_OTP_OK)
		return res;
	if (deliver && web_otp_queue(app, req, ask, code, id) != DB_OK)
		return AUTH_OTP_ERROR;
	snprintf(details, sizeof details, "{\"channel\":\"%s\",\"delivered\":%s}", ask->channel,
	    deliver ? "true" : "false");
	return web_audit(app, req, "auth.otp_sent", "otp", id, details) == DB_OK ? res : AUTH_OTP_ERROR;
}

enum auth_otp_result
web_otp_signin(struct web_app *app, struct request *req, const char *phone, const char *code,
    struct auth_tokens *out, struct auth_otp_outcome *outcome)
{
	enum auth_otp_result res;
	char details[64];

	res = auth_otp_verify(&app->db, app->rq.org_id, phone, code, outcome);
	if (res == AUTH_OTP_WRONG || res == AUTH_OTP_EXPIRED) {
		web_tx_keep(app);	/* the counted try must survive the 401 */
		snprintf(details, sizeof details, "{\"attemptsRemaining\":%d}",
		    res == AUTH_OTP_WRONG ? outcome->remaining : 0);
		if (web_audit(app, req, res == AUTH_OTP_WRONG && outcome->spent_now ?
		    "auth.otp_locked" : "auth.otp_failed", NULL, NULL, details) != DB_OK)
			return AUTH_OTP_ERROR;
		return res;
	}
	if (res != AUTH_OTP_OK)
		return res;
	snprintf(details, sizeof details, "{\"method\":\"otp\",\"newAccount\":%s}",
	    outcome->is_new ? "true" : "false");
	return web_session_begin(app, req, outcome->user_id, AUTH_ROLE_PATIENT, out, "auth.signin",
	    details) == DB_OK ? res : AUTH_OTP_ERROR;
}

int
web_session_begin(struct web_app *app, struct request *req, const char *user_id, unsigned role,
    struct auth_tokens *out, const char *action, const char *details)
{
	struct auth_session_start s = { app->rq.org_id, user_id, http_header(req, "User-Agent"),
		*req->client_addr ? req->client_addr : NULL, role };
	struct auth_principal who = { .role = role };
	int rc;

	if ((rc = auth_session_start(&app->db, &app->keys, &s, (long)clock_now(), out)) != DB_OK)
		return rc;
	snprintf(who.user_id, sizeof who.user_id, "%s", user_id);
	memcpy(who.org_id, app->rq.org_id, AUTH_UUID_SIZE);
	memcpy(who.session_id, out->session_id, AUTH_UUID_SIZE);
	app->rq.who = who;
	app->rq.signed_in = true;
	return web_audit(app, req, action, "session", out->session_id, details);
}

enum auth_login_result
web_staff_signin(struct web_app *app, struct request *req, const char *email, const char *password,
    struct auth_tokens *out, int *retry_after)
{
	struct auth_principal who;
	enum auth_login_result r;

	*retry_after = 0;
	r = auth_staff_login(&app->db, app->rq.org_id, email, password, strlen(password), &who,
	    retry_after);
	if (r == AUTH_LOGIN_BAD || r == AUTH_LOGIN_LOCKED) {
		/* the count and the lockout must survive the error answer; the typed email is not
		 * recorded (people type passwords into the wrong box) */
		web_tx_keep(app);
		if (web_audit(app, req, r == AUTH_LOGIN_LOCKED ? "auth.locked" : "auth.signin_failed",
		    who.user_id[0] ? "user" : NULL, who.user_id[0] ? who.user_id : NULL, NULL) != DB_OK)
			return AUTH_LOGIN_ERROR;
		return r;
	}
	if (r != AUTH_LOGIN_OK)
		return r;
	return web_session_begin(app, req, who.user_id, who.role, out, "auth.signin",
	    "{\"method\":\"password\"}") == DB_OK ? r : AUTH_LOGIN_ERROR;
}

enum auth_refresh_result
web_session_refresh(struct web_app *app, struct request *req, const char *token,
    struct auth_tokens *out)
{
	enum auth_refresh_result r = auth_session_refresh(&app->db, &app->keys, token,
	    *req->client_addr ? req->client_addr : NULL, (long)clock_now(), out, &app->rq.who);

	if (r == AUTH_REFRESH_REUSED) {
		web_tx_keep(app);	/* the revocation must stand */
		app->rq.signed_in = true;
		if (web_audit(app, req, "auth.refresh_reuse", "session", app->rq.who.session_id,
		    NULL) != DB_OK)
			r = AUTH_REFRESH_ERROR;
		app->rq.signed_in = false;
		log_warn("refresh token reused", "session %s revoked", app->rq.who.session_id);
	}
	return r;
}
