/* admin.c: staff sign-in, invitations and the admin home (AUTH-5). The first admin comes from
 * `kairos user add`; admins invite everyone else with a one-time link sent by email. */
#include "web/web.h"
#include "jobs/jobs.h"
#include "notify/notify.h"

#include <string.h>
#include <time.h>

#include <json-c/json.h>

/* ---- staff sign-in (page; its JSON twin is auth_api.c's login, on the same spec) ---- */

static struct web_view
web_staff_signin_page(struct web_app *app, struct request *req,
    int status, const struct input_errors *e)
{
	struct json_object *model = web_form_model(app, req, &web_staff_login_spec, e,
	    web_next_of(req, "/admin"));

	web_form_put(model, "email", "type", "email");
	web_form_put(model, "email", "spellcheck", "false");
	return web_view_page(status, "pages/staff-signin", model);
}

/* GET /staff/signin: the form; POST: signs in, or the form again with why not. */
struct web_view
web_staff_signin_form(struct web_app *app, struct request *req, struct response *resp)
{
	struct auth_tokens t = { "", "", "" };
	struct web_password_login in = { 0 };
	struct input_errors e = { 0 };
	int retry_after;
	char secs[16];

	if (req->method != HTTP_POST)
		return web_staff_signin_page(app, req, 200, NULL);
	if (web_input(app, req, &web_staff_login_spec, &in, &e))
		return web_staff_signin_page(app, req, WEB_STATUS_FORM_INVALID, &e);
	switch (web_staff_signin(app, req, in.email, in.password, &t, &retry_after)) {
	case AUTH_LOGIN_OK:
		web_session_cookies(req, resp, &t);
		return web_view_redirect(303, web_next_of(req, "/admin"));
	case AUTH_LOGIN_BAD:
		input_error_add(&e, &req->arena, "email", "Enter a correct email address and password");
		return web_staff_signin_page(app, req, 401, &e);
	case AUTH_LOGIN_LOCKED:
		input_error_add(&e, &req->arena, "email", arena_printf(&req->arena,
		    "Too many failed sign-ins. Try again in %d minutes.", (retry_after + 59) / 60));
		/* as the API's 429 says it (patient-api.md), for a known email or not alike */
		snprintf(secs, sizeof secs, "%d", retry_after);
		http_response_header(resp, "Retry-After", secs);
		return web_staff_signin_page(app, req, 429, &e);
	default:
		return web_view_db_failed();
	}
}

/* ---- invitations ---- */

struct web_invite_in {
	const char *name, *email, *role;
	const char *password, *confirm;
};

static const char *const invite_roles[] = { "practitioner", "receptionist", "admin", NULL };
static const char *const invite_role_labels[] = { "Practitioner", "Receptionist", "Administrator", NULL };

#define INVITE_ROLE_ROW \
	{ .name = "role", .label = "Role", .type = INPUT_ENUM, .flags = INPUT_REQUIRED, \
	  .choices = invite_roles, .choice_labels = invite_role_labels, .legend = "Role", \
	  .missing = "Choose a role", .offset = offsetof(struct web_invite_in, role) }

static const struct input_field invite_fields[] = {
	{ .name = "name", .label = "Full name", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .max = VALID_NAME_MAX, .missing = "Enter their full name",
	  .offset = offsetof(struct web_invite_in, name) },
	{ .name = "email", .label = "Email address", .type = INPUT_EMAIL, .flags = INPUT_REQUIRED,
	  .missing = "Enter their email address",
	  .offset = offsetof(struct web_invite_in, email) },
	INVITE_ROLE_ROW,
};
static const struct input_spec invite_spec =
	INPUT_SPEC("invite", invite_fields, struct web_invite_in, NULL);

static const struct input_field role_fields[] = { INVITE_ROLE_ROW };
static const struct input_spec role_spec =
	INPUT_SPEC("role", role_fields, struct web_invite_in, NULL);

/* bytes, as the hash is fed: a message of its own rather than "must be at least" */
static const char *
invite_password_check(const void *value, const void *whole)
{
	(void)whole;
	return strlen(*(const char *const *)value) < AUTH_PASSWORD_MIN ?
	    "Use at least 12 characters" : NULL;
}

static void
invite_accept_check(const void *whole, struct arena *a, struct input_errors *e)
{
	const struct web_invite_in *in = whole;

	if (strcmp(in->password, in->confirm) != 0)
		input_error_add(e, a, "confirm", "The two passwords are not the same");
}

static const struct input_field accept_fields[] = {
	{ .name = "password", .label = "Choose a password", .type = INPUT_PASSWORD,
	  .flags = INPUT_REQUIRED, .max = AUTH_PASSWORD_MAX, .check = invite_password_check,
	  .missing = "Use at least 12 characters", .autocomplete = "new-password",
	  .hint = "At least 12 characters. A few unrelated words make a strong one.",
	  .offset = offsetof(struct web_invite_in, password) },
	{ .name = "confirm", .label = "Type it again", .type = INPUT_PASSWORD,
	  .flags = INPUT_REQUIRED, .max = AUTH_PASSWORD_MAX, .missing = "Type the password again",
	  .autocomplete = "new-password", .offset = offsetof(struct web_invite_in, confirm) },
};
static const struct input_spec accept_spec =
	INPUT_SPEC("invite accept", accept_fields, struct web_invite_in, invite_accept_check);

/* The invitation page of the route's token, with the problems of e (NULL: none). */
static struct web_view
web_invite_page(struct web_app *app, struct request *req,
    const struct auth_invite *inv, const struct input_errors *e)
{
	struct json_object *model = web_form_model(app, req, &accept_spec, e, NULL);
	struct json_object *who = web_strings(json_object_new_object(), "name", inv->name,
	    "email", inv->email, "role", auth_role_name(inv->role), NULL);

	json_object_object_add(model, "invite", who);
	web_form_set(model, "token", http_param(&req->route, "token"));
	return web_view_page(e != NULL && e->count ? WEB_STATUS_FORM_INVALID : 200,
	    "pages/staff-invite", model);
}

#define INVITE_GONE "This invitation has expired or was already used. Ask your clinic's administrator for a new one."

/* GET /staff/invite/:token: the invitation; POST: accepts it with a password, signed in. */
struct web_view
web_invite(struct web_app *app, struct request *req, struct response *resp)
{
	const char *token = http_param(&req->route, "token");
	struct auth_tokens t = { "", "", "" };
	struct web_invite_in in = { 0 };
	struct input_errors e = { 0 };
	char user_id[AUTH_UUID_SIZE];
	struct auth_invite inv;
	bool found = false;

	if (auth_invite_find(&app->db, token, &inv, &found) != DB_OK)
		return web_view_db_failed();
	if (!found)
		return web_view_error(404, INVITE_GONE, NULL);
	if (req->method != HTTP_POST)
		return web_invite_page(app, req, &inv, NULL);
	if (web_input(app, req, &accept_spec, &in, &e))
		return web_invite_page(app, req, &inv, &e);
	if (auth_invite_accept(&app->db, app->rq.org_id, token, in.password, strlen(in.password),
	    user_id, &found) != DB_OK)
		return web_view_db_failed();
	if (!found)
		return web_view_error(409, "An account with this email address already exists.", NULL);
	if (web_session_begin(app, req, user_id, inv.role, &t, "auth.invite_accepted", NULL) != DB_OK)
		return web_view_db_failed();
	web_session_cookies(req, resp, &t);
	return web_view_redirect(303, "/admin");
}

/* ---- admin pages ---- */

struct web_view
web_admin_home(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *model = web_page_model(NULL);

	(void)req;
	(void)resp;
	web_form_set(model, "role", auth_role_name(app->rq.who.role));
	json_object_object_add(model, "isAdmin",
	    json_object_new_boolean(app->rq.who.role == AUTH_ROLE_ADMIN));
	json_object_object_add(model, "isPractitioner",
	    json_object_new_boolean(app->rq.who.role == AUTH_ROLE_PRACTITIONER));
	return web_view_page(200, "pages/admin", model);
}

/* The staff page: the list, a page at a time by name, and the invitation form with e's
 * problems (NULL: a blank form). */
static struct web_view
web_admin_staff_page(struct web_app *app, struct request *req,
    const struct input_errors *e)
{
	static const struct { const char *param, *message; } done[] = {
		{ "invited", "Invitation sent." }, { "role", "Role changed." },
	};
	struct auth_user *rows = arena_calloc(&req->arena, WEB_LIST_PAGE + 1, sizeof *rows);
	struct input_errors bad = { 0 };
	const char *after = web_page_after(req, "after", &bad);
	struct json_object *model, *list;
	int n;

	if (bad.count)
		return web_view_error(400, bad.items[0].message, "after");
	if ((n = auth_staff_list(&app->db, after, rows, WEB_LIST_PAGE + 1)) < 0)
		return web_view_db_failed();
	model = web_form_model(app, req, &invite_spec, e, NULL);
	list = json_object_new_array();
	for (int i = 0; i < n && i < WEB_LIST_PAGE; i++) {
		struct json_object *s = web_strings(json_object_new_object(), "id", rows[i].id,
		    "name", rows[i].name, "email", rows[i].email, "role", auth_role_name(rows[i].role), NULL);

		json_object_object_add(s, "isAdmin", json_object_new_boolean(rows[i].role == AUTH_ROLE_ADMIN));
		json_object_object_add(s, "isPractitioner",
		    json_object_new_boolean(rows[i].role == AUTH_ROLE_PRACTITIONER));
		json_object_object_add(s, "isReceptionist",
		    json_object_new_boolean(rows[i].role == AUTH_ROLE_RECEPTIONIST));
		json_object_array_add(list, s);
	}
	json_object_object_add(model, "staff", list);
	web_page_next(req, model, "pagination", "Staff pages", "after",
	    n > WEB_LIST_PAGE ? rows[WEB_LIST_PAGE - 1].id : NULL);
	for (size_t i = 0; i < sizeof done / sizeof *done; i++)
		if (http_param(&req->query, done[i].param) != NULL)
			web_flash(model, "success", done[i].message);
	return web_view_page(e != NULL && e->count ? WEB_STATUS_FORM_INVALID : 200,
	    "pages/admin-staff", model);
}

/* The invitation email, queued with the invitation; the link is a secret, so the text goes
 * once a provider has it. */
static int
web_invite_send(struct web_app *app, struct request *req, const struct auth_invite *inv,
    const char *token)
{
	const char *host = http_env(req, "HTTP_HOST");
	/* the clinic's own address, as the admin reached it */
	const char *link = arena_printf(&req->arena, "%s%s/staff/invite/%s", req->tls ? "https://" :
	    "http://", host ? host : "localhost", token);
	struct json_object *model = web_strings(json_object_new_object(), "name", inv->name,
	    "role", auth_role_name(inv->role), "link", link, NULL);
	struct notify_message m = { 0 };
	char event[80], hash[AUTH_TOKEN_HASH_SIZE];

	json_object_object_add(model, "days", json_object_new_int(AUTH_INVITE_TTL_SECONDS / 86400));
	auth_token_hash_hex(token, hash);
	snprintf(event, sizeof event, "invite:%s", hash + 2);	/* never the token itself */
	m.event_key = event;
	m.channel = NOTIFY_EMAIL;
	m.recipient = inv->email;
	m.requested_by = app->rq.who.user_id;
	m.requested_ip = *req->client_addr ? req->client_addr : NULL;
	m.sensitive = true;
	return web_queue_message(app, "staff-invite", model, &m, NULL);
}

/* GET /admin/staff: the staff page; POST: invites someone (an email with a one-time link). */
struct web_view
web_admin_staff(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_invite_in in = { 0 };
	struct input_errors e = { 0 };
	struct auth_invite inv = { 0 };
	char token[AUTH_TOKEN_TEXT_SIZE];
	bool taken = false;

	(void)resp;
	if (req->method != HTTP_POST)
		return web_admin_staff_page(app, req, NULL);
	if (web_input(app, req, &invite_spec, &in, &e))
		return web_admin_staff_page(app, req, &e);
	inv.role = auth_role_parse(in.role);
	snprintf(inv.name, sizeof inv.name, "%s", in.name);
	snprintf(inv.email, sizeof inv.email, "%s", in.email);
	if (auth_invite_create(&app->db, app->rq.org_id, app->rq.who.user_id, &inv, token,
	    &taken) != DB_OK)
		return web_view_db_failed();
	if (taken) {
		input_error_add(&e, &req->arena, "email", "Someone with this email address already has an account");
		return web_admin_staff_page(app, req, &e);
	}
	if (web_invite_send(app, req, &inv, token) != DB_OK || web_audit(app, req, "auth.staff_invited",
	    NULL, NULL, arena_printf(&req->arena, "{\"role\":\"%s\"}", in.role)) != DB_OK)
		return web_view_db_failed();
	return web_view_redirect(303, "/admin/staff?invited=1");
}

/* POST /admin/staff/:id/role — another role for a staff member; the last admin stays one. */
struct web_view
web_admin_set_role(struct web_app *app, struct request *req, struct response *resp)
{
	const char *id = http_param(&req->route, "id");
	struct web_invite_in in = { 0 };
	struct input_errors e = { 0 };
	enum auth_role_change change;
	unsigned role, was = 0;

	(void)resp;
	if (web_input(app, req, &role_spec, &in, &e))
		return web_view_error(400, "Choose practitioner, receptionist or administrator.", "role");
	if (!valid_uuid(id))
		return web_view_error(404, "There is no such staff member.", NULL);
	role = auth_role_parse(in.role);
	if (auth_staff_set_role(&app->db, app->rq.org_id, id, role, &was, &change) != DB_OK)
		return web_view_db_failed();
	switch (change) {
	case AUTH_ROLE_NO_SUCH_STAFF:
		return web_view_error(404, "There is no such staff member.", NULL);
	case AUTH_ROLE_LAST_ADMIN:
		return web_view_error(409, "The clinic needs at least one administrator. Make someone else an administrator first.", NULL);
	case AUTH_ROLE_UNCHANGED:
		break;
	case AUTH_ROLE_CHANGED:
		if (web_audit(app, req, "auth.role_changed", "user", id, arena_printf(&req->arena,
		    "{\"from\":\"%s\",\"to\":\"%s\"}", auth_role_name(was), in.role)) != DB_OK)
			return web_view_db_failed();
		break;
	}
	return web_view_redirect(303, "/admin/staff?role=1");
}

/* ---- dead letters (NOTE-2: visible to admins with the reason, and a retry) ----
 *
 * One page for everything that could not be done: the outbox's dead messages and the job
 * queue's dead jobs of every kind (jobs.h), each with its reason and a retry button (a plain
 * form POST with the CSRF token: no script needed). A request's connection sees only its
 * organisation's rows (row-level security); system jobs, which belong to none, are the
 * operator's (`kairos jobs --dead`, `--retry`). /admin/jobs is the same page. */

/* GET /admin/messages, /admin/jobs: a page of each (?after= and ?jobsAfter=, the last id
 * shown: the newest first). */
struct web_view
web_admin_messages(struct web_app *app, struct request *req, struct response *resp)
{
	struct notify_dead *rows = arena_calloc(&req->arena, WEB_LIST_PAGE + 1, sizeof *rows);
	struct jobs_dead *jobs = arena_calloc(&req->arena, WEB_LIST_PAGE + 1, sizeof *jobs);
	const char *after, *jobs_after;
	struct json_object *model, *list, *jlist;
	struct input_errors e = { 0 };
	int n, nj;

	(void)resp;
	after = web_page_after(req, "after", &e);
	jobs_after = web_page_after(req, "jobsAfter", &e);
	if (e.count)
		return web_view_error(400, e.items[0].message, e.items[0].path);
	if ((n = notify_dead_letters(&app->db, after, rows, WEB_LIST_PAGE + 1)) < 0 ||
	    (nj = jobs_dead_letters(&app->db, jobs_after, jobs, WEB_LIST_PAGE + 1)) < 0)
		return web_view_db_failed();
	model = web_page_model(NULL);
	list = json_object_new_array();
	for (int i = 0; i < n && i < WEB_LIST_PAGE; i++) {
		struct json_object *d = web_strings(json_object_new_object(), "id", rows[i].id,
		    "when", rows[i].when, "channel", rows[i].channel, "recipient", rows[i].recipient,
		    "error", rows[i].error, "event", rows[i].event_key, NULL);

		json_object_object_add(d, "attempts", json_object_new_int(rows[i].attempts));
		json_object_array_add(list, d);
	}
	jlist = json_object_new_array();
	for (int i = 0; i < nj && i < WEB_LIST_PAGE; i++) {
		const struct jobs_kind *k = jobs_kind_find(jobs[i].kind, app->cfg.schedule_test_tasks);
		struct json_object *d = web_strings(json_object_new_object(), "id", jobs[i].id,
		    "when", jobs[i].when, "kind", jobs[i].kind, "about", k != NULL ? k->about : jobs[i].kind,
		    "key", jobs[i].dedupe_key, "error", jobs[i].error, NULL);

		json_object_object_add(d, "attempts", json_object_new_int(jobs[i].attempts));
		json_object_array_add(jlist, d);
	}
	json_object_object_add(model, "dead", list);
	json_object_object_add(model, "deadJobs", jlist);
	json_object_object_add(model, "none", json_object_new_boolean(n == 0));
	json_object_object_add(model, "noJobs", json_object_new_boolean(nj == 0));
	web_page_next(req, model, "pagination", "Dead messages pages", "after",
	    n > WEB_LIST_PAGE ? rows[WEB_LIST_PAGE - 1].id : NULL);
	web_page_next(req, model, "jobsPagination", "Dead jobs pages", "jobsAfter",
	    nj > WEB_LIST_PAGE ? jobs[WEB_LIST_PAGE - 1].id : NULL);
	if (http_param(&req->query, "retried") != NULL)
		web_flash(model, "success", "The message is queued again.");
	if (http_param(&req->query, "job") != NULL)
		web_flash(model, "success", "The job is queued again.");
	return web_view_page(200, "pages/admin-messages", model);
}

/* POST /admin/messages/:id/retry, /admin/jobs/:id/retry — a dead message or job back to
 * the queue, due now, with fresh attempts. */
struct web_view
web_admin_retry(struct web_app *app, struct request *req, struct response *resp)
{
	bool job = strncmp(req->path, "/admin/jobs/", 12) == 0;
	const char *id = http_param(&req->route, "id");
	bool found = false;

	(void)resp;
	if (valid_uuid(id) && (job ? jobs_retry_dead(&app->db, id, &found) :
	    notify_retry_dead(&app->db, id, &found)) != DB_OK)
		return web_view_db_failed();
	/* not dead (any more), another clinic's or a system job: the same answer */
	if (!found)
		return web_view_error(404, job ? "That job is not waiting for a retry." :
		    "That message is not waiting for a retry.", NULL);
	if (web_audit(app, req, job ? "job.retried" : "notification.retried",
	    job ? "job" : "notification", id, NULL) != DB_OK)
		return web_view_db_failed();
	return web_view_redirect(303, job ? "/admin/messages?job=1" : "/admin/messages?retried=1");
}
