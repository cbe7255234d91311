/* dispatch.c: from a parsed request to a handler's answer (ARCHITECTURE.md, steps 2–3).
 *
 * For every routed request: the tenant from the Host; the caller from a bearer token or the
 * access cookie (a revoked session counts as nobody on routes that need someone); the
 * route's roles; CSRF for unsafe requests that carry ambient credentials; then the handler,
 * whose database writes share one tenant transaction, committed only after a success
 * answer. */
#include "web/web.h"
#include "audit/audit.h"

#include <string.h>
#include <time.h>

#include <json-c/json.h>

enum web_caller { WEB_CALLER_NONE, WEB_CALLER_OK, WEB_CALLER_EXPIRED, WEB_CALLER_INVALID };

/* Answers a body that could not be read. */
static void
web_body_refuse(struct web_app *app, struct request *req, struct response *resp,
    const struct http_error *err)
{
	if (req->kind == HTTP_KIND_JSON && err->status == 400) {
		struct json_object *details = json_object_new_object();

		/* the field at fault, or the body as a whole */
		json_object_object_add(details, err->field ? err->field : "body",
		    json_object_new_string(err->message));
		http_response_error_json(resp, 400, "Invalid request", details);
	} else
		web_error(app, req, resp, err->status, err->message, err->field);
}

/* Reads the body unless read, answering a failure. A JSON body refused only for members at
 * fault (req->json_faulty) passes when dispatch reads it for the CSRF check, so a handler's
 * input spec can name those members (web_input); a handler reading it here refuses it. */
static int
web_body(struct web_app *app, struct request *req, struct response *resp, bool for_spec)
{
	struct http_error err = { 400, NULL, NULL };

	if (req->body_done) {
		if (req->json_faulty == NULL || for_spec)
			return 0;	/* any other failure ended the request */
		err.message = http_json_fault_message(&req->json_faults);
	} else if (http_request_read_body(req, (size_t)app->cfg.max_body_bytes, &err) == 0 ||
	    (for_spec && req->json_faulty != NULL))
		return 0;
	web_body_refuse(app, req, resp, &err);
	return -1;
}

int
web_read_body(struct web_app *app, struct request *req, struct response *resp)
{
	return web_body(app, req, resp, false);
}

static bool
web_route_enabled(const struct web_app *app, const struct web_route *r)
{
	if (r->debug_only && !app->cfg.debug_routes)
		return false;
	if (r->dev_only && strcmp(app->cfg.env, "production") == 0)
		return false;
	return true;
}

static bool
web_method_unsafe(enum http_method m)
{
	return m != HTTP_GET && m != HTTP_HEAD && m != HTTP_OPTIONS;
}

int
web_db_first_use(struct db *db, void *ctx)
{
	struct web_app *app = ctx;
	int rc;

	if (app->rq.tx_closed) {
		snprintf(db->error, sizeof db->error, "a statement after the request's transaction ended");
		return DB_FAILED;
	}
	if (app->rq.org_id[0] == '\0')
		return DB_OK;	/* before the tenant is known (its lookup), or routes without one */
	if (!app->rq.in_tx) {
		/* the tenant transaction: row-level security limits each statement to org_id */
		if ((rc = db_begin_tenant(db, app->rq.org_id)) == DB_OK) {
			app->rq.in_tx = true;
			app->rq.tx_generation = db->generation;
		}
		return rc;
	}
	return db->conn != NULL && db->generation == app->rq.tx_generation ? DB_OK : DB_UNAVAILABLE;
}

void
web_tx_keep(struct web_app *app)
{
	app->rq.keep_tx = true;
}

int
web_audit(struct web_app *app, const struct request *req, const char *action,
    const char *subject_type, const char *subject_id, const char *details_json)
{
	const struct auth_principal *who = &app->rq.who;
	unsigned role = app->rq.signed_in ? who->role : 0;
	struct audit_entry e = {
		.org_id = app->rq.org_id,
		.actor_kind = role == 0 ? "anonymous" : role == AUTH_ROLE_PATIENT ? "patient" : "staff",
		.actor_id = role ? who->user_id : NULL,
		.action = action,
		.subject_type = subject_type,
		.subject_id = subject_id,
		.patient_id = role == AUTH_ROLE_PATIENT ? who->user_id : NULL,
		.ip = *req->client_addr ? req->client_addr : NULL,
		.request_id = req->request_id,
		.details_json = details_json,
	};
	return audit_record(&app->db, &e);
}

/* Verifies an access token for this request's organisation; fills app->rq.who on OK and
 * EXPIRED, clears it on INVALID. */
static enum web_caller
web_token_check(struct web_app *app, const char *token, const char **why)
{
	int rc = auth_jwt_verify(&app->keys, token, (long)clock_now(), &app->rq.who, why);

	if (rc == -1) {
		memset(&app->rq.who, 0, sizeof app->rq.who);
		return WEB_CALLER_INVALID;
	}
	if (strcmp(app->rq.who.org_id, app->rq.org_id) != 0) {
		memset(&app->rq.who, 0, sizeof app->rq.who);
		*why = "token is for another organisation";
		return WEB_CALLER_INVALID;
	}
	return rc == -2 ? WEB_CALLER_EXPIRED : WEB_CALLER_OK;
}

/* The caller, from `Authorization: Bearer` or else the access cookie. The token must be
 * for this request's organisation. On EXPIRED and OK app->rq.who is filled.
 *
 * An Authorization header that does not verify (not Bearer, forged, another clinic's) is
 * no credential at all: the request is judged on its cookies as if the header were absent,
 * so it gets the CSRF check its cookies call for. Only a bearer token that verified sets
 * via_bearer, the one thing that exempts a request from CSRF (issue 11, item 6). */
static enum web_caller
web_identify(struct web_app *app, struct request *req, const char **why)
{
	const char *auth = http_header(req, "Authorization"), *token;
	const char *bearer_why = NULL;
	enum web_caller caller;

	*why = NULL;
	if (auth != NULL) {
		if (strncmp(auth, "Bearer ", 7) != 0)
			bearer_why = "Authorization must be a Bearer token";
		else if ((caller = web_token_check(app, auth + 7, &bearer_why)) != WEB_CALLER_INVALID) {
			app->rq.via_bearer = true;
			*why = bearer_why;
			return caller;
		}
	}
	token = http_param(&req->cookies, WEB_COOKIE_ACCESS);
	if (token == NULL || *token == '\0') {
		*why = bearer_why;
		return auth != NULL ? WEB_CALLER_INVALID : WEB_CALLER_NONE;
	}
	if (bearer_why != NULL)
		log_info("Authorization ignored", "%s; the access cookie decides", bearer_why);
	app->rq.via_cookie = true;
	return web_token_check(app, token, why);
}

/* Whether an Origin header, when there is one, is this request's own scheme://host[:port]
 * or KAIROS_PUBLIC_URL. */
static bool
web_origin_ok(const struct web_app *app, const struct request *req)
{
	const char *origin = http_header(req, "Origin"), *host = http_env(req, "HTTP_HOST");
	const char *scheme = req->tls ? "https://" : "http://";
	size_t n = strlen(scheme);

	if (origin == NULL)
		return true;	/* not a browser, or a same-origin GET; the token still applies */
	if (strcmp(origin, app->cfg.public_url) == 0)
		return true;
	return host != NULL && strncmp(origin, scheme, n) == 0 && strcmp(origin + n, host) == 0;
}

/* Whether an unsafe request carries the CSRF token its credentials call for. */
static bool
web_csrf_ok(struct web_app *app, struct request *req)
{
	const char *given, *binding;

	if (app->rq.via_bearer)
		return true;	/* a bearer token that verified: browsers do not send one on their own */
	if (!app->rq.via_cookie && req->kind == HTTP_KIND_JSON)
		return true;	/* no ambient credentials to abuse */
	given = http_header(req, "X-CSRF-Token");
	if (given == NULL)
		given = http_param(&req->form, "_csrf");
	binding = app->rq.who.session_id[0] ? app->rq.who.session_id :
	    http_param(&req->cookies, WEB_COOKIE_VISITOR);
	return auth_csrf_ok(&app->keys, binding, given);
}

const char *
web_csrf(struct web_app *app, struct request *req, struct response *resp)
{
	const char *binding = app->rq.who.session_id;
	char visitor[33];

	if (app->rq.csrf[0] != '\0')
		return app->rq.csrf;
	if (*binding == '\0') {
		if (resp == NULL)
			return "";
		binding = http_param(&req->cookies, WEB_COOKIE_VISITOR);
		if (binding == NULL || strlen(binding) != 32 || strspn(binding, "0123456789abcdef") != 32) {
			if (rand_hex(visitor, 16) < 0)
				return "";
			http_response_cookie(resp, req, WEB_COOKIE_VISITOR, visitor, "/",
			    AUTH_REFRESH_TTL_SECONDS);
			binding = visitor;
		}
	}
	auth_csrf_token(&app->keys, binding, app->rq.csrf);
	return app->rq.csrf;
}

void
web_session_cookies(struct request *req, struct response *resp, const struct auth_tokens *t)
{
	/* the access cookie outlives its token, so an expired token can still say who to renew */
	http_response_cookie(resp, req, WEB_COOKIE_ACCESS, t->access, "/", AUTH_REFRESH_TTL_SECONDS);
	http_response_cookie(resp, req, WEB_COOKIE_REFRESH, t->refresh, WEB_REFRESH_PATH,
	    AUTH_REFRESH_TTL_SECONDS);
}

void
web_session_cookies_clear(struct request *req, struct response *resp)
{
	http_response_cookie(resp, req, WEB_COOKIE_ACCESS, "", "/", 0);
	http_response_cookie(resp, req, WEB_COOKIE_REFRESH, "", WEB_REFRESH_PATH, 0);
}

const char *
web_next_of(const struct request *req, const char *fallback)
{
	return web_next(http_param(req->method == HTTP_POST ? &req->form : &req->query, "next"),
	    fallback);
}

const char *
web_next(const char *next, const char *fallback)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
	    strlen(next) > 2000 || strpbrk(next, "\r\n\t") != NULL)
		return fallback;
	return next;
}

const char *
web_next_url(struct request *req, const char *where, const char *next)
{
	struct buf url = BUF_ARENA(&req->arena);

	buf_printf(&url, "%s?next=", where);
	http_percent_encode(&url, next, strlen(next), "/");
	return url.data;
}

/* Answers a request whose path is not canonical (http_path_normalise: "/signin/",
 * "//signin", "/./signin", "/signin%2F") with 308 to the canonical spelling, query kept.
 * Such a path never reaches a handler: nginx matches its locations on its own
 * normalisation ($uri), which keeps a trailing slash, so "/signin/" misses the rate-limited
 * "^/signin$" that "/signin" hits. A redirect rather than a refusal: a browser or client
 * that followed a sloppy link still gets there, and 308 keeps the method and body, so the
 * retry is one more request to the canonical path, through nginx's limits like any other.
 * The target is built from the normalised path, which starts with one "/" and never has
 * "//", so it cannot name another host. */
static void
web_redirect_canonical(struct request *req, struct response *resp)
{
	struct buf url = BUF_INIT;

	http_percent_encode(&url, req->path, strlen(req->path), "/");
	if (*req->query_string != '\0')
		buf_printf(&url, "?%s", req->query_string);
	http_response_redirect(resp, 308, url.data);
	buf_free(&url);
}

/* 503 "temporarily unavailable", web_view_db_failed's answer, for dispatch's own database
 * failures (a transaction that would not open or commit). */
static void
web_unavailable(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_view v = web_view_db_failed();

	web_view_send(app, req, resp, &v);
}

/* Decides whether the caller may use route r; answers (and returns false) when not. */
static bool
web_authorise(struct web_app *app, struct request *req, struct response *resp,
    const struct web_route *r, enum web_caller caller, const char *why)
{
	unsigned roles = r->access & WEB_SIGNED_IN, now_role = 0;
	bool live = false;

	if (roles == 0)
		return true;
	if (caller == WEB_CALLER_OK) {
		if (auth_session_check(&app->db, app->rq.who.session_id, &live, &now_role) != DB_OK) {
			web_unavailable(app, req, resp);
			return false;
		}
		if (!live) {
			caller = WEB_CALLER_INVALID;
			app->rq.signed_in = false;
			why = "session ended";
		} else
			app->rq.who.role = now_role;	/* the account's role now, not the token's */
	}
	if (caller == WEB_CALLER_OK) {
		if ((app->rq.who.role & roles) != 0)
			return true;
		web_error(app, req, resp, 403, req->kind == HTTP_KIND_JSON ? "Forbidden" :
		    "Your account can't open this page.", NULL);
		return false;
	}
	if (req->kind == HTTP_KIND_HTML) {
		bool unsafe = web_method_unsafe(req->method);

		/* 307 repeats a form post with its body once the session is renewed */
		if (caller == WEB_CALLER_EXPIRED && app->rq.via_cookie)
			http_response_redirect(resp, unsafe ? 307 : 303,
			    web_next_url(req, WEB_REFRESH_PATH "/refresh", req->raw_uri));
		else
			http_response_redirect(resp, 303, web_next_url(req,
			    (roles & WEB_PATIENT) ? "/signin" : "/staff/signin", req->raw_uri));
		return false;
	}
	if (why != NULL)
		log_info("not signed in", "%s", why);
	web_error(app, req, resp, 401, caller == WEB_CALLER_EXPIRED ? "Token expired" : "Not signed in",
	    NULL);
	http_response_header(resp, "WWW-Authenticate", "Bearer");
	return false;
}

/* Ends the request's transaction: commit after success (or when asked to keep it). */
static void
web_tx_finish(struct web_app *app, struct request *req, struct response *resp)
{
	app->rq.tx_closed = true;
	if (!app->rq.in_tx)
		return;
	if (resp->status < 400 || app->rq.keep_tx) {
		if (db_commit(&app->db) != DB_OK) {
			log_error("commit failed", "%s", app->db.error);
			web_unavailable(app, req, resp);	/* without the cookies it set */
		}
	} else
		db_rollback(&app->db);
	app->rq.in_tx = false;
}

/* Calls the route's handler and sends the view it returns. */
static void
web_run(struct web_app *app, struct request *req, struct response *resp,
    const struct web_route *r)
{
	struct web_view v = r->view(app, req, resp);

	web_view_send(app, req, resp, &v);
}

/* Tests only (KAIROS_DEBUG_ROUTES, which production refuses): the work a request did, in
 * X-Kairos-Work: "argon2id=N; statements=NAME NAME ..." (db.h's trace), so a test can check
 * that answers which must not be told apart (a code pending or not, an account or not)
 * cost the same work, exactly, whatever the machine's load (docs/testing.md). */
struct web_work {
	struct buf    statements;
	unsigned long argon2;	/* auth_argon2_count() when the request began */
};

static void
web_work_begin(struct web_app *app, struct web_work *w)
{
	if (!app->cfg.debug_routes)
		return;
	w->argon2 = auth_argon2_count();
	app->db.trace = &w->statements;
}

static void
web_work_end(struct web_app *app, struct response *resp, struct web_work *w)
{
	struct buf v = BUF_INIT;

	if (app->db.trace == NULL)
		return;
	app->db.trace = NULL;
	buf_printf(&v, "argon2id=%lu; statements=%s", auth_argon2_count() - w->argon2,
	    buf_cstr(&w->statements));
	http_response_header(resp, "X-Kairos-Work", buf_cstr(&v));
	buf_free(&v);
	buf_free(&w->statements);
}

void
web_dispatch(void *ctx, struct request *req, struct response *resp)
{
	struct web_app *app = ctx;
	struct web_work work = { BUF_INIT, 0 };
	struct buf allow = BUF_INIT;
	const struct web_route *r;
	enum web_caller caller;
	const char *why;
	size_t i = 0;

	memset(&app->rq, 0, sizeof app->rq);
	app->rq.arena = &req->arena;
	if (req->error.status != 0) {
		web_error(app, req, resp, req->error.status, req->error.message, req->error.field);
		return;
	}
	web_work_begin(app, &work);
	if (!req->path_canonical) {
		web_redirect_canonical(req, resp);
		goto out;
	}
	switch (http_router_match(web_routes, web_nroutes, sizeof *web_routes, req, &i, &allow)) {
	case HTTP_MATCH_NOT_FOUND:
		web_error(app, req, resp, 404, "We couldn't find that page.", NULL);
		goto out;
	case HTTP_MATCH_WRONG_METHOD:
		web_error(app, req, resp, 405, "That method is not allowed here.", NULL);
		http_response_header(resp, "Allow", allow.data);
		goto out;
	case HTTP_MATCH_FOUND:
		break;
	}
	r = &web_routes[i];
	app->rq.route = r;
	req->kind = r->kind;
	if (r->secret_path) {
		req->log_path = r->route.pattern;
		http_response_header(resp, "Referrer-Policy", "no-referrer");
	}
	if (!web_route_enabled(app, r)) {
		web_error(app, req, resp, 404, "We couldn't find that page.", NULL);
		goto out;
	}
	if (r->access == WEB_WEBHOOK || r->view == web_health_live || r->view == web_health_ready) {
		web_run(app, req, resp, r);	/* no tenant, no caller: they stand alone */
		goto out;
	}
	if (web_tenant_resolve(app, req) != DB_OK) {
		log_error("tenant lookup failed", "%s", app->db.error);
		web_unavailable(app, req, resp);
		goto out;
	}
	caller = web_identify(app, req, &why);
	app->rq.signed_in = caller == WEB_CALLER_OK;
	if (!web_authorise(app, req, resp, r, caller, why))
		goto out;
	if (web_method_unsafe(req->method) && !r->no_csrf) {
		if (!web_origin_ok(app, req)) {
			log_warn("request refused", "cross-origin %s %s", req->method_name, req->path);
			web_error(app, req, resp, 403, "Cross-site request refused", NULL);
			goto out;
		}
		if (web_body(app, req, resp, true) < 0)
			goto out;
		if (!web_csrf_ok(app, req)) {
			log_warn("request refused", "missing or wrong CSRF token on %s", req->path);
			web_error(app, req, resp, 403, req->kind == HTTP_KIND_JSON ? "Invalid CSRF token" :
			    "This form has expired. Go back, reload the page and try again.", NULL);
			goto out;
		}
	}
	web_run(app, req, resp, r);
out:
	web_tx_finish(app, req, resp);
	web_work_end(app, resp, &work);
	buf_free(&allow);
}
