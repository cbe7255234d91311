/* admin.c: staff sign-in, invitations and the admin home (AUTH-5). The first admin comes from
 * `kairos user add`; admins invite everyone else with a one-time link sent by email. */
#include "web/web.h"
#include "jobs/jobs.h"
#include "notify/notify.h"

#include <string.h>
#include <time.h>

#include <json-c/json.h>

static struct json_object *
web_staff_signin_fields(struct web_form *f, const char *email)
{
	struct json_object *field;

	field = web_form_field(f, "email", "Email address", email);
	web_form_set(field, "type", "email");
	web_form_set(field, "autocomplete", "username");
	web_form_set(field, "spellcheck", "false");
	field = web_form_field(f, "password", "Password", "");
	web_form_set(field, "type", "password");
	web_form_set(field, "autocomplete", "current-password");
	return field;
}

static void
web_staff_signin_render(struct web_app *app, struct request *req, struct response *resp,
    int status, struct web_form *f, const char *next)
{
	web_form_page(app, req, resp, status, f, next, "pages/staff-signin");
}

void
web_staff_signin_form(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_form f;

	web_form_init(&f, req);
	web_staff_signin_fields(&f, "");
	web_staff_signin_render(app, req, resp, 200, &f,
	    web_next(http_param(&req->query, "next"), "/admin"));
}

void
web_staff_signin_post(struct web_app *app, struct request *req, struct response *resp)
{
	const char *email = web_form_value(req, "email"), *password = web_form_value(req, "password");
	const char *next = web_next(http_param(&req->form, "next"), "/admin");
	struct auth_tokens t = { BUF_INIT, "", "" };
	struct web_form f;
	char msg[160];
	int retry_after;

	web_form_init(&f, req);
	web_staff_signin_fields(&f, email);
	if (*email == '\0')
		web_form_error(&f, "email", "Enter your email address");
	if (*password == '\0')
		web_form_error(&f, "password", "Enter your password");
	else if (strlen(password) > AUTH_PASSWORD_MAX)
		web_form_error(&f, "password", "That password is too long");
	if (web_form_invalid(&f)) {
		web_staff_signin_render(app, req, resp, 422, &f, next);
		return;
	}
	switch (web_staff_signin(app, req, email, password, &t, &retry_after)) {
	case AUTH_LOGIN_OK:
		json_object_put(f.model);
		web_session_cookies(req, resp, &t);
		http_response_redirect(resp, 303, next);
		break;
	case AUTH_LOGIN_BAD:
		web_form_error(&f, "email", "Enter a correct email address and password");
		web_staff_signin_render(app, req, resp, 401, &f, next);
		break;
	case AUTH_LOGIN_LOCKED:
		snprintf(msg, sizeof msg, "Too many failed sign-ins. Try again in %d minutes.",
		    (retry_after + 59) / 60);
		web_form_error(&f, "email", msg);
		web_staff_signin_render(app, req, resp, 429, &f, next);
		/* as the API's 429 says it (patient-api.md), for a known email or not alike */
		snprintf(msg, sizeof msg, "%d", retry_after);
		http_response_header(resp, "Retry-After", msg);
		break;
	case AUTH_LOGIN_ERROR:
		json_object_put(f.model);
		web_unavailable(app, req, resp);
		break;
	}
	auth_tokens_free(&t);
}

/* ---- invitations ---- */

static void
web_invite_render(struct web_app *app, struct request *req, struct response *resp, int status,
    struct web_form *f, const struct auth_invite *inv)
{
	struct json_object *model = web_page_model(app, req, resp, f), *who = json_object_new_object();

	web_form_set(who, "name", inv->name);
	web_form_set(who, "email", inv->email);
	web_form_set(who, "role", auth_role_name(inv->role));
	json_object_object_add(model, "invite", who);
	web_form_set(model, "token", http_param(&req->route, "token"));
	web_page(app, req, resp, status, "pages/staff-invite", model);
}

static void
web_invite_fields(struct web_form *f)
{
	struct json_object *field;

	field = web_form_field(f, "password", "Choose a password", "");
	web_form_set(field, "type", "password");
	web_form_set(field, "autocomplete", "new-password");
	web_form_set(field, "hint", "At least 12 characters. A few unrelated words make a strong one.");
	field = web_form_field(f, "confirm", "Type it again", "");
	web_form_set(field, "type", "password");
	web_form_set(field, "autocomplete", "new-password");
}

/* The invitation of the route's token, or an answer that there is none. */
static bool
web_invite_open(struct web_app *app, struct request *req, struct response *resp,
    struct auth_invite *inv)
{
	bool found = false;

	if (web_tx(app) != DB_OK ||
	    auth_invite_find(&app->db, http_param(&req->route, "token"), inv, &found) != DB_OK) {
		web_unavailable(app, req, resp);
		return false;
	}
	if (!found)
		web_error(app, req, resp, 404, "This invitation has expired or was already used. Ask your clinic's administrator for a new one.", NULL);
	return found;
}

void
web_invite_form(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_invite inv;
	struct web_form f;

	if (!web_invite_open(app, req, resp, &inv))
		return;
	web_form_init(&f, req);
	web_invite_fields(&f);
	web_invite_render(app, req, resp, 200, &f, &inv);
}

void
web_invite_accept(struct web_app *app, struct request *req, struct response *resp)
{
	const char *password = web_form_value(req, "password"), *confirm = web_form_value(req, "confirm");
	struct auth_tokens t = { BUF_INIT, "", "" };
	char user_id[AUTH_UUID_SIZE];
	struct auth_invite inv;
	struct web_form f;
	bool found = false;

	if (!web_invite_open(app, req, resp, &inv))
		return;
	web_form_init(&f, req);
	web_invite_fields(&f);
	if (strlen(password) < AUTH_PASSWORD_MIN)
		web_form_error(&f, "password", "Use at least 12 characters");
	else if (strlen(password) > AUTH_PASSWORD_MAX)
		web_form_error(&f, "password", "That password is too long");
	else if (strcmp(password, confirm) != 0)
		web_form_error(&f, "confirm", "The two passwords are not the same");
	if (web_form_invalid(&f)) {
		web_invite_render(app, req, resp, 422, &f, &inv);
		return;
	}
	json_object_put(f.model);
	if (auth_invite_accept(&app->db, app->rq.org_id, http_param(&req->route, "token"), password,
	    strlen(password), user_id, &found) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	if (!found) {
		web_error(app, req, resp, 409, "An account with this email address already exists.", NULL);
		return;
	}
	{
		struct auth_session_start s = { app->rq.org_id, user_id, http_header(req, "User-Agent"),
			*req->client_addr ? req->client_addr : NULL, inv.role };

		if (auth_session_start(&app->db, &app->keys, &s, (long)clock_now(), &t) != DB_OK) {
			web_unavailable(app, req, resp);
			auth_tokens_free(&t);
			return;
		}
	}
	app->rq.who = (struct auth_principal){ .role = inv.role };
	memcpy(app->rq.who.user_id, user_id, AUTH_UUID_SIZE);
	memcpy(app->rq.who.session_id, t.session_id, AUTH_UUID_SIZE);
	app->rq.signed_in = true;
	if (web_audit(app, req, "auth.invite_accepted", "user", user_id, NULL) != DB_OK) {
		web_unavailable(app, req, resp);
		auth_tokens_free(&t);
		return;
	}
	web_session_cookies(req, resp, &t);
	http_response_redirect(resp, 303, "/admin");
	auth_tokens_free(&t);
}

/* ---- admin pages ---- */

void
web_admin_home(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *model = web_page_model(app, req, resp, NULL);

	web_form_set(model, "role", auth_role_name(app->rq.who.role));
	json_object_object_add(model, "isAdmin",
	    json_object_new_boolean(app->rq.who.role == AUTH_ROLE_ADMIN));
	json_object_object_add(model, "isPractitioner",
	    json_object_new_boolean(app->rq.who.role == AUTH_ROLE_PRACTITIONER));
	web_page(app, req, resp, 200, "pages/admin", model);
}

static void
web_invite_form_fields(struct web_form *f, const struct request *req)
{
	struct json_object *field;
	const char *role = web_form_value(req, "role");

	field = web_form_field(f, "name", "Full name", web_form_value(req, "name"));
	web_form_set(field, "spellcheck", "false");
	field = web_form_field(f, "email", "Email address", web_form_value(req, "email"));
	web_form_set(field, "type", "email");
	web_form_set(field, "spellcheck", "false");
	field = web_form_field(f, "role", "", role);
	web_form_set(field, "legend", "Role");
	web_form_option(field, "practitioner", "Practitioner", *role == '\0' || strcmp(role, "practitioner") == 0);
	web_form_option(field, "receptionist", "Receptionist", strcmp(role, "receptionist") == 0);
	web_form_option(field, "admin", "Administrator", strcmp(role, "admin") == 0);
}

static void
web_admin_staff_render(struct web_app *app, struct request *req, struct response *resp,
    int status, struct web_form *f)
{
	static struct auth_user rows[AUTH_STAFF_LIST_MAX];
	struct json_object *model, *list;
	int n;

	if (web_tx(app) != DB_OK || (n = auth_staff_list(&app->db, rows, AUTH_STAFF_LIST_MAX)) < 0) {
		json_object_put(f->model);
		web_unavailable(app, req, resp);
		return;
	}
	model = web_page_model(app, req, resp, f);
	list = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *s = json_object_new_object();

		web_form_set(s, "id", rows[i].id);
		web_form_set(s, "name", rows[i].name);
		web_form_set(s, "email", rows[i].email);
		web_form_set(s, "role", auth_role_name(rows[i].role));
		json_object_object_add(s, "isAdmin", json_object_new_boolean(rows[i].role == AUTH_ROLE_ADMIN));
		json_object_object_add(s, "isPractitioner",
		    json_object_new_boolean(rows[i].role == AUTH_ROLE_PRACTITIONER));
		json_object_object_add(s, "isReceptionist",
		    json_object_new_boolean(rows[i].role == AUTH_ROLE_RECEPTIONIST));
		json_object_array_add(list, s);
	}
	json_object_object_add(model, "staff", list);
	{
		static const struct { const char *param, *message; } done[] = {
			{ "invited", "Invitation sent." }, { "role", "Role changed." },
		};

		for (size_t i = 0; i < sizeof done / sizeof *done; i++)
			if (http_param(&req->query, done[i].param) != NULL)
				web_flash(model, "success", done[i].message);
	}
	web_page(app, req, resp, status, "pages/admin-staff", model);
}

void
web_admin_staff(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_form f;

	web_form_init(&f, req);
	web_invite_form_fields(&f, req);
	web_admin_staff_render(app, req, resp, 200, &f);
}

/* The invitation email, queued with the invitation; the link is a secret, so the text goes
 * once a provider has it. */
static int
web_invite_send(struct web_app *app, struct request *req, const struct auth_invite *inv,
    const char *token)
{
	struct json_object *model = json_object_new_object();
	struct notify_message m = { 0 };
	const char *host = http_env(req, "HTTP_HOST");
	char event[80], hash[AUTH_TOKEN_HASH_SIZE];
	struct buf link = BUF_INIT;
	int rc;

	/* the clinic's own address, as the admin reached it */
	buf_printf(&link, "%s%s/staff/invite/%s", req->tls ? "https://" : "http://",
	    host ? host : "localhost", token);
	json_object_object_add(model, "name", json_object_new_string(inv->name));
	json_object_object_add(model, "role", json_object_new_string(auth_role_name(inv->role)));
	json_object_object_add(model, "link", json_object_new_string(link.data));
	json_object_object_add(model, "days", json_object_new_int(AUTH_INVITE_TTL_SECONDS / 86400));
	auth_token_hash_hex(token, hash);
	snprintf(event, sizeof event, "invite:%s", hash + 2);	/* never the token itself */
	m.event_key = event;
	m.channel = NOTIFY_EMAIL;
	m.recipient = inv->email;
	m.requested_by = app->rq.who.user_id;
	m.requested_ip = *req->client_addr ? req->client_addr : NULL;
	m.sensitive = true;
	rc = web_queue_message(app, "staff-invite", model, &m);
	buf_free(&link);
	return rc;
}

void
web_admin_invite(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_invite inv = { .role = auth_role_parse(web_form_value(req, "role")) };
	const char *name = web_form_value(req, "name"), *email = web_form_value(req, "email");
	char token[AUTH_TOKEN_TEXT_SIZE], details[48];
	struct web_form f;
	bool taken = false;

	web_form_init(&f, req);
	web_invite_form_fields(&f, req);
	web_form_error(&f, "name", valid_text(name, VALID_NAME_MAX, "Enter their full name"));
	web_form_error(&f, "email", valid_email(email));
	if ((inv.role & AUTH_ROLES_STAFF) == 0)
		web_form_error(&f, "role", "Choose a role");
	if (!web_form_invalid(&f)) {
		snprintf(inv.name, sizeof inv.name, "%s", name);
		snprintf(inv.email, sizeof inv.email, "%s", email);
		if (web_tx(app) != DB_OK || auth_invite_create(&app->db, app->rq.org_id,
		    app->rq.who.user_id, &inv, token, &taken) != DB_OK) {
			json_object_put(f.model);
			web_unavailable(app, req, resp);
			return;
		}
		if (taken)
			web_form_error(&f, "email", "Someone with this email address already has an account");
	}
	if (web_form_invalid(&f)) {
		web_admin_staff_render(app, req, resp, 422, &f);
		return;
	}
	json_object_put(f.model);
	snprintf(details, sizeof details, "{\"role\":\"%s\"}", auth_role_name(inv.role));
	if (web_invite_send(app, req, &inv, token) != DB_OK ||
	    web_audit(app, req, "auth.staff_invited", NULL, NULL, details) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	http_response_redirect(resp, 303, "/admin/staff?invited=1");
}

/* POST /admin/staff/:id/role — another role for a staff member; the last admin stays one. */
void
web_admin_set_role(struct web_app *app, struct request *req, struct response *resp)
{
	unsigned role = auth_role_parse(web_form_value(req, "role")), was = 0;
	const char *id = http_param(&req->route, "id");
	enum auth_role_change change;
	char details[80];

	if ((role & AUTH_ROLES_STAFF) == 0) {
		web_error(app, req, resp, 400, "Choose practitioner, receptionist or administrator.", "role");
		return;
	}
	if (web_tx(app) != DB_OK ||
	    auth_staff_set_role(&app->db, app->rq.org_id, id, role, &was, &change) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	switch (change) {
	case AUTH_ROLE_NO_SUCH_STAFF:
		web_error(app, req, resp, 404, "There is no such staff member.", NULL);
		return;
	case AUTH_ROLE_LAST_ADMIN:
		web_error(app, req, resp, 409, "The clinic needs at least one administrator. Make someone else an administrator first.", NULL);
		return;
	case AUTH_ROLE_UNCHANGED:
		break;
	case AUTH_ROLE_CHANGED:
		snprintf(details, sizeof details, "{\"from\":\"%s\",\"to\":\"%s\"}", auth_role_name(was),
		    auth_role_name(role));
		if (web_audit(app, req, "auth.role_changed", "user", id, details) != DB_OK) {
			web_unavailable(app, req, resp);
			return;
		}
		break;
	}
	http_response_redirect(resp, 303, "/admin/staff?role=1");
}

/* ---- dead letters (NOTE-2: visible to admins with the reason, and a retry) ----
 *
 * One page for everything that could not be done: the outbox's dead messages and the job
 * queue's dead jobs of every kind (jobs.h), each with its reason and a retry button (a plain
 * form POST with the CSRF token: no script needed). A request's connection sees only its
 * organisation's rows (row-level security); system jobs, which belong to none, are the
 * operator's (`kairos jobs --dead`, `--retry`). /admin/jobs is the same page. */

#define WEB_DEAD_SHOWN 100	/* dead letters of each sort listed at most */

void
web_admin_messages(struct web_app *app, struct request *req, struct response *resp)
{
	static struct notify_dead rows[WEB_DEAD_SHOWN];
	static struct jobs_dead jobs[WEB_DEAD_SHOWN];
	struct json_object *model, *list, *jlist;
	int n, nj;

	if (web_tx(app) != DB_OK || (n = notify_dead_letters(&app->db, rows, WEB_DEAD_SHOWN)) < 0 ||
	    (nj = jobs_dead_letters(&app->db, jobs, WEB_DEAD_SHOWN)) < 0) {
		web_unavailable(app, req, resp);
		return;
	}
	model = web_page_model(app, req, resp, NULL);
	list = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *d = json_object_new_object();
		char attempts[16];

		snprintf(attempts, sizeof attempts, "%d", rows[i].attempts);
		web_form_set(d, "id", rows[i].id);
		web_form_set(d, "when", rows[i].when);
		web_form_set(d, "channel", rows[i].channel);
		web_form_set(d, "recipient", rows[i].recipient);
		web_form_set(d, "attempts", attempts);
		web_form_set(d, "error", rows[i].error);
		web_form_set(d, "event", rows[i].event_key);
		json_object_array_add(list, d);
	}
	jlist = json_object_new_array();
	for (int i = 0; i < nj; i++) {
		const struct jobs_kind *k = jobs_kind_find(jobs[i].kind, app->cfg.schedule_test_tasks);
		struct json_object *d = json_object_new_object();
		char attempts[16];

		snprintf(attempts, sizeof attempts, "%d", jobs[i].attempts);
		web_form_set(d, "id", jobs[i].id);
		web_form_set(d, "when", jobs[i].when);
		web_form_set(d, "kind", jobs[i].kind);
		web_form_set(d, "about", k != NULL ? k->about : jobs[i].kind);
		web_form_set(d, "key", jobs[i].dedupe_key);
		web_form_set(d, "attempts", attempts);
		web_form_set(d, "error", jobs[i].error);
		json_object_array_add(jlist, d);
	}
	json_object_object_add(model, "dead", list);
	json_object_object_add(model, "deadJobs", jlist);
	json_object_object_add(model, "none", json_object_new_boolean(n == 0));
	json_object_object_add(model, "noJobs", json_object_new_boolean(nj == 0));
	if (http_param(&req->query, "retried") != NULL)
		web_flash(model, "success", "The message is queued again.");
	if (http_param(&req->query, "job") != NULL)
		web_flash(model, "success", "The job is queued again.");
	web_page(app, req, resp, 200, "pages/admin-messages", model);
}

void
web_admin_message_retry(struct web_app *app, struct request *req, struct response *resp)
{
	const char *id = http_param(&req->route, "id");
	bool found = false;

	if (web_tx(app) != DB_OK || notify_retry_dead(&app->db, id, &found) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	if (!found) {	/* not dead (any more), or another clinic's: the same answer */
		web_error(app, req, resp, 404, "That message is not waiting for a retry.", NULL);
		return;
	}
	if (web_audit(app, req, "notification.retried", "notification", id, NULL) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	http_response_redirect(resp, 303, "/admin/messages?retried=1");
}

/* POST /admin/jobs/:id/retry — a dead job back to the queue, due now, with fresh attempts. */
void
web_admin_job_retry(struct web_app *app, struct request *req, struct response *resp)
{
	const char *id = http_param(&req->route, "id");
	bool found = false;

	if (web_tx(app) != DB_OK || jobs_retry_dead(&app->db, id, &found) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	if (!found) {	/* not dead (any more), another clinic's or a system job: the same answer */
		web_error(app, req, resp, 404, "That job is not waiting for a retry.", NULL);
		return;
	}
	if (web_audit(app, req, "job.retried", "job", id, NULL) != DB_OK) {
		web_unavailable(app, req, resp);
		return;
	}
	http_response_redirect(resp, 303, "/admin/messages?job=1");
}
