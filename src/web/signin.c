/* signin.c: sending and checking one-time codes, shared by the sign-in pages and the JSON
 * API (AUTH-2): one path, so both get the same throttles, audit entries and answers. */
#include "web/web.h"
#include "notify/notify.h"

#include <string.h>
#include <time.h>

#include <json-c/json.h>

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
	return web_queue_message(app, "otp", model, &m);
}

enum auth_otp_result
web_otp_send(struct web_app *app, struct request *req, const struct web_otp_ask *ask,
    int *retry_after)
{
	struct auth_otp_request r = { app->rq.org_id, ask->phone, ask->channel, ask->email,
		*req->client_addr ? req->client_addr : NULL, ask->signup_json };
	char code[AUTH_OTP_DIGITS + 1], id[AUTH_UUID_SIZE], details[64];
	enum auth_otp_result res;
	bool deliver = true;

	*retry_after = 0;
	if (web_tx(app) != DB_OK)
		return AUTH_OTP_ERROR;
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

	if (web_tx(app) != DB_OK)
		return AUTH_OTP_ERROR;
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
	{
		struct auth_session_start s = { app->rq.org_id, outcome->user_id,
			http_header(req, "User-Agent"), *req->client_addr ? req->client_addr : NULL,
			AUTH_ROLE_PATIENT };

		if (auth_session_start(&app->db, &app->keys, &s, (long)clock_now(), out) != DB_OK)
			return AUTH_OTP_ERROR;
	}
	/* from here on the request acts as the patient who just signed in */
	app->rq.who = (struct auth_principal){ .role = AUTH_ROLE_PATIENT };
	memcpy(app->rq.who.user_id, outcome->user_id, AUTH_UUID_SIZE);
	memcpy(app->rq.who.org_id, app->rq.org_id, AUTH_UUID_SIZE);
	memcpy(app->rq.who.session_id, out->session_id, AUTH_UUID_SIZE);
	app->rq.signed_in = true;
	snprintf(details, sizeof details, "{\"method\":\"otp\",\"newAccount\":%s}",
	    outcome->is_new ? "true" : "false");
	return web_audit(app, req, "auth.signin", "session", out->session_id, details) == DB_OK ?
	    res : AUTH_OTP_ERROR;
}

enum auth_login_result
web_staff_signin(struct web_app *app, struct request *req, const char *email, const char *password,
    struct auth_tokens *out, int *retry_after)
{
	struct auth_principal who;
	enum auth_login_result r;

	*retry_after = 0;
	if (web_tx(app) != DB_OK)
		return AUTH_LOGIN_ERROR;
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
	{
		struct auth_session_start s = { app->rq.org_id, who.user_id, http_header(req, "User-Agent"),
			*req->client_addr ? req->client_addr : NULL, who.role };

		if (auth_session_start(&app->db, &app->keys, &s, (long)clock_now(), out) != DB_OK)
			return AUTH_LOGIN_ERROR;
	}
	app->rq.who = who;
	memcpy(app->rq.who.session_id, out->session_id, AUTH_UUID_SIZE);
	app->rq.signed_in = true;
	return web_audit(app, req, "auth.signin", "session", out->session_id,
	    "{\"method\":\"password\"}") == DB_OK ? r : AUTH_LOGIN_ERROR;
}
