/* web: the route table, the handlers behind it, and `kairos serve` which runs them.
 *
 * web is the top of the dependency arrows (ARCHITECTURE.md): it may use every domain
 * module; nothing includes web/. */
#ifndef KAIROS_WEB_H
#define KAIROS_WEB_H

#include <stddef.h>

#include "auth/auth.h"
#include "core/core.h"
#include "db/db.h"
#include "http/http.h"
#include "input/input.h"
#include "notify/notify.h"
#include "org/org.h"
#include "view/view.h"

#define WEB_TENANT_CACHE        32	/* hosts a worker remembers */
#define WEB_TENANT_TTL_SECONDS  30	/* how long a host → organisation answer is trusted */

/* A host's organisation, as a worker last looked it up. */
struct web_tenant {
	char       host[ORG_HOST_MAX + 1];
	struct org org;
	long long  fetched_us;	/* monotonic; 0: empty slot */
};

struct web_route;

/* What dispatch learnt about the request in flight; reset for each one. */
struct web_request_state {
	char                  org_id[AUTH_UUID_SIZE];	/* the tenant, from the Host */
	const struct org     *org;		/* the tenant's name and zone; borrowed from tenants[] */
	struct auth_principal who;		/* the token's, also an expired one's */
	bool                  signed_in;	/* who is a live caller (role 0 otherwise) */
	bool                  via_cookie;	/* who came from cookies: CSRF applies */
	bool                  via_bearer;	/* who came from a bearer token that verified
						 * (expired or not): the one CSRF exemption */
	bool                  in_tx;		/* a tenant transaction is open */
	unsigned long         tx_generation;	/* the connection it was opened on */
	bool                  tx_closed;	/* committed or rolled back: no statement may follow */
	bool                  keep_tx;		/* commit it even though the answer is an error */
	char                  csrf[AUTH_CSRF_SIZE];	/* the form token, once asked for */
	struct arena         *arena;	/* the request's, for helpers not given the request
					 * (message.c): what they build goes with it */
	const struct web_route *route;	/* the row matched, once routed */
};

/* A page's navigation depends only on who looks and which entries are current, so a worker
 * builds each such list once and every page shares it (render.c). */
#define WEB_NAV_CACHE 32
struct web_nav_list {
	unsigned            viewer;		/* roles, or render.c's WEB_NAV_ANONYMOUS */
	unsigned            current;	/* bit i: entry i is the current section */
	struct json_object *items;		/* owned */
};

/* One worker's state, alive from its start to its exit. */
struct web_app {
	struct config        cfg;		/* owned */
	struct db            db;		/* opened on first use */
	struct db_migrations migrations;	/* the files of this build, for /readyz */
	struct view_registry *views;		/* every template, compiled at start */
	/* The pages whose text shows site.csrf (a form that posts), in name order; the names
	 * are the registry's. Only these get a token (and a visitor cookie) made for them. */
	const char          **csrf_pages;
	size_t                ncsrf_pages;
	struct json_object   *assets;		/* {css, js, logo}: fingerprinted URLs */
	struct web_nav_list   nav[WEB_NAV_CACHE];
	size_t                nnav;
	struct auth_keyring  keys;		/* KAIROS_JWT_KEYS */
	struct web_tenant    tenants[WEB_TENANT_CACHE];
	struct web_request_state rq;
};

/* Who may call a route: a set of roles (auth.h), or one of these. WEB_PUBLIC: anyone.
 * WEB_WEBHOOK: anyone, without CSRF checks; the handler verifies the provider's signature. */
#define WEB_PUBLIC     0u
#define WEB_PATIENT    ((unsigned)AUTH_ROLE_PATIENT)
#define WEB_STAFF      ((unsigned)AUTH_ROLES_STAFF)
#define WEB_ADMIN      ((unsigned)AUTH_ROLE_ADMIN)
#define WEB_SIGNED_IN  (WEB_PATIENT | WEB_STAFF)
#define WEB_WEBHOOK    (1u << 8)

/* ---- view.c: what a handler returns ----
 *
 * A handler returns a view; dispatch renders, serialises or redirects, frees the model, and
 * commits or rolls back the request's transaction by the status (web_view_send). */
enum web_view_kind {
	WEB_VIEW_PAGE,		/* status, template `page` over `model`, through the layout */
	WEB_VIEW_JSON,		/* status, `model` serialised */
	WEB_VIEW_JSON_TEXT,	/* status, `body` (`body_len` bytes of JSON) as it is */
	WEB_VIEW_REDIRECT,	/* status (0: 303), `location` */
	WEB_VIEW_ERROR,		/* status, `message` (`field`): the error page or {"error"} */
	WEB_VIEW_INVALID,	/* 400 {"error","details"} from an input spec's errors (JSON) */
	WEB_VIEW_DB_FAILED,	/* the database failed: logged, 503 with Retry-After */
	WEB_VIEW_SENT,		/* the handler wrote resp itself (raw bodies, debug routes) */
};

struct web_view {
	enum web_view_kind          kind;
	int                         status;
	const char                 *page, *location, *message, *field;	/* borrowed */
	const char                 *body;	/* borrowed: JSON_TEXT's bytes, or a PAGE's main
						 * (web_view_page_around) */
	size_t                      body_len;
	struct json_object         *model;	/* owned by the view until it is sent */
	struct input_errors         errors;	/* a copy; its items live in the request's arena */
};

/* Constructors; each takes ownership of model. Strings must outlive the request (literals
 * or the request's arena); web_view_invalid copies *errors (its items must be arena-owned,
 * as input_error_add makes them). */
struct web_view web_view_page(int status, const char *page, struct json_object *model);
/* A page whose {{{main}}} is the len bytes at main, sent from where they are
 * (web_page_around): they must outlive the request (its arena, or the catalogue's kept
 * answers, which nothing changes before the answer is sent). */
struct web_view web_view_page_around(int status, const char *page, struct json_object *model,
	const char *main, size_t len);
struct web_view web_view_json(int status, struct json_object *model);
/* JSON already serialised (a cached answer): sent as it is, no json-c work. */
struct web_view web_view_json_text(int status, const char *body, size_t len);
struct web_view web_view_redirect(int status, const char *location);
struct web_view web_view_error(int status, const char *message, const char *field);
struct web_view web_view_invalid(const struct input_errors *errors);
struct web_view web_view_db_failed(void);
/* The handler wrote its answer into resp itself (http_response_set, headers) and dispatch
 * sends it as it is, committing or rolling back by its status. Right only for bytes no view
 * makes: /healthz's fixed body (the cheapest answer, for probes every few seconds), Meta's
 * hub.challenge echoed as text/plain, the refusal web_read_body has already written, and
 * the debug routes' raw echoes. Anything a page, JSON model or error can say goes through
 * them, so the rendering, its headers and the error's log line stay in one place. */
struct web_view web_view_sent(void);
/* v, which also frees model (the handler's reference) once sent: for a handler that fails
 * after it built a model, so that it returns its answer without freeing anything. v must
 * not be a page or JSON view (their model is what they send; model is then freed now). */
struct web_view web_view_freeing(struct web_view v, struct json_object *model);
/* Whether template `name` may be rendered for the request: on a test stack
 * (KAIROS_DEBUG_ROUTES) only if its route's row names it (routes.c), else always. A page
 * its row does not name is then a 500, logged, so no row can hide a template it shows. */
bool web_route_renders(const struct web_app *app, const char *name);
/* Answers v into resp and frees its model. */
void web_view_send(struct web_app *app, struct request *req, struct response *resp,
	struct web_view *v);
/* {path: message} of every error; a new object owned by the caller. */
struct json_object *web_details(const struct input_errors *e);

/* A handler returns a view (view.c). resp is there for what a view does not carry:
 * cookies and extra headers. */
typedef struct web_view (*web_view_handler)(struct web_app *app, struct request *req,
	struct response *resp);

struct web_route {
	struct http_route route;	/* first: the router reads it */
	web_view_handler  view;		/* returns its answer; dispatch sends it */
	const char       *handler;	/* view's C name, for `kairos routes` */
	const char       *specs;	/* the input specs view reads, by C name, space-separated;
					 * NULL: none (routes.c) */
	const char       *sql;		/* the functions outside web/ it calls that run
					 * statements, space-separated; NULL or "": none */
	const char       *templates;	/* the templates it renders (templates/NAME.mustache),
					 * space-separated; NULL: none */
	unsigned          access;	/* WEB_* above */
	enum http_kind    kind;
	bool              debug_only;	/* only with KAIROS_DEBUG_ROUTES */
	bool              dev_only;	/* only when KAIROS_ENV is not production */
	bool              no_csrf;	/* an unsafe method that changes nothing of the caller's
					 * but their own cookies (/auth/refresh) */
	bool              signin;	/* a sign-in step: nginx rate-limits its path (routes.c) */
	bool              secret_path;	/* its path holds a secret (a token): logs show the
					 * pattern, and its pages send no Referer (routes.c) */
};

extern const struct web_route web_routes[];
extern const size_t web_nroutes;

/* Appends to out the nginx location regex matching exactly the paths of the sign-in routes
 * (route.signin), the one nginx/kairos.conf.in limits: "^(/signin|...)$". */
void web_routes_signin_regex(struct buf *out);
/* `kairos routes [--nginx-auth-location]`: the route table, or the regex above. */
int  web_routes_main(int argc, char **argv);

/* The http_handler of every worker: route, check access, call the handler. */
void web_dispatch(void *app, struct request *req, struct response *resp);

/* Reads the body of req within the configured limit; on failure writes the error answer
 * (in the route's kind) into resp and returns -1. */
int  web_read_body(struct web_app *app, struct request *req, struct response *resp);
/* An error answer in the request's kind: JSON {"error","details"?} (details names `field`
 * when given) or the error page through the layout. */
void web_error(struct web_app *app, struct request *req, struct response *resp, int status,
	const char *message, const char *field);
/* Renders `page` (a template name) over model with `site` (and the request) added, as
 * the response body with status. Consumes model. On a template failure: 500, logged. */
void web_page(struct web_app *app, struct request *req, struct response *resp, int status,
	const char *page, struct json_object *model);
/* web_page with `main` (len bytes, borrowed: alive until the answer is sent) as the page's
 * {{{main}}}, which the template must show once, unescaped: the layout is rendered around a
 * mark that stands for it, and the bytes go out from where they are (response.h's insert),
 * not copied into the model and again into the page. NULL main: web_page. */
void web_page_around(struct web_app *app, struct request *req, struct response *resp,
	int status, const char *page, struct json_object *model, const char *main, size_t len);
/* Adds v (owned by o from now on) to o under key, a string literal, which json-c then
 * does not copy (nor free); an old value under key is replaced, as json_object_object_add
 * does. */
void web_model_put(struct json_object *o, const char *key, struct json_object *v);
/* Loads templates and the asset manifest for a worker. 0, or -1 with the reason in err. */
int  web_views_load(struct web_app *app, struct buf *err);
void web_views_free(struct web_app *app);

/* The form field's message for a value with a NUL inside (%00). */
#define WEB_FORM_NUL_MESSAGE "This contains a NUL character, which is not allowed"

/* ---- comms.c: what staff messages (/comms) and campaigns (/api/campaigns) share ---- */

#define WEB_COMMS_MAX_SMS     1600	/* Twilio's limit for one message */
#define WEB_COMMS_MAX_EMAIL   20000
#define WEB_COMMS_MAX_SUBJECT 200
#define WEB_COMMS_MAX_NAME    200	/* a campaign's name */

/* A staff message's input: POST /comms, /api/notifications and /api/campaigns read into it
 * through their specs. Strings are borrowed from the request. */
struct web_comms {
	const char          *client_id;	/* /comms, /api/notifications */
	const char          *name;		/* /api/campaigns */
	struct input_array   client_ids;	/* /api/campaigns: const char * each */
	const char          *type, *subject, *body;
	enum notify_channel  channel;		/* from type, set by the specs' check */
};

/* The type, subject and body rows every staff-message spec has, over the types allowed. */
#define WEB_COMMS_FIELDS(types) \
	{ .name = "type", .label = "Channel", .type = INPUT_ENUM, .flags = INPUT_REQUIRED, \
	  .choices = (types), .offset = offsetof(struct web_comms, type) }, \
	{ .name = "subject", .label = "Subject", .type = INPUT_TEXT, \
	  .max = WEB_COMMS_MAX_SUBJECT, .offset = offsetof(struct web_comms, subject) }, \
	{ .name = "body", .label = "Message", .type = INPUT_LONGTEXT, .flags = INPUT_REQUIRED, \
	  .max = WEB_COMMS_MAX_EMAIL, .offset = offsetof(struct web_comms, body) }

/* The specs' check across fields: the channel's own limits (an SMS's length, an email's
 * subject, WhatsApp's one-line template variable); sets channel. */
void web_comms_check(const void *comms, struct arena *a, struct input_errors *e);
/* The request's Idempotency-Key (borrowed), or NULL; a malformed one is an error in e. */
const char *web_idempotency_key(struct request *req, struct input_errors *e);
/* Renders content c, sent by the request's staff member, as message m (organisation,
 * sender, channel, subject, body; WhatsApp through the approved staff-message template, its
 * PHI-free variant without a BAA: NOTE-5) and queues it for the recipients: one message for
 * m->recipient (n 0), or one per recipients[i] with patient_ids[i] and event_keys[i]
 * (campaigns). *created: how many new rows. DB_OK, a db_result, or -1 when the template
 * failed (logged). */
int  web_comms_queue(struct web_app *app, const struct request *req, const struct web_comms *c,
	struct notify_message *m, const char *const *recipients, const char *const *patient_ids,
	const char *const *event_keys, size_t n, long *created);

/* ---- funnel.c: the booking funnel's per-visit id (funnel/funnel.h, docs/booking.md) ---- */

struct funnel_event;
/* The request's visit id: a valid X-Visit-Id header (API clients), else the kairos_visit
 * cookie (pages), else a new one, set as that cookie on an HTML route and sent back in the
 * X-Visit-Id header on a JSON one. NULL only when no random bytes could be had. Arena-owned. */
const char *web_visit_id(struct web_app *app, struct request *req, struct response *resp);
/* Records ev for the request's organisation and visit (their fields in ev are filled here):
 * one insert in the request's transaction; nothing (DB_OK) for a refresh that sends
 * FUNNEL_REFRESH_HEADER. DB_OK, a db_result, or -1 without a visit id. */
int  web_funnel(struct web_app *app, struct request *req, struct response *resp,
	struct funnel_event *ev);

/* ---- form.c: HTML form models ---- */

struct web_form {
	struct json_object *model;	/* {fields, errors, invalid}; owned until given to a page */
	struct json_object *fields;	/* borrowed from model */
	struct json_object *errors;	/* borrowed from model */
	const struct request *req;	/* borrowed: the request whose body fills the form */
};

/* The status of a form shown again with its problems. */
#define WEB_STATUS_FORM_INVALID 422

/* A form for req's body: each field made of it is checked for a NUL in its value. */
void web_form_init(struct web_form *f, const struct request *req);
/* Sets key of a JSON object to the string value ("" for NULL). */
void web_form_set(struct json_object *field, const char *key, const char *value);
/* Sets pairs of key, value (a string, "" for NULL) on o, up to a NULL key:
 * web_strings(o, "id", id, "name", name, NULL). Returns o. */
struct json_object *web_strings(struct json_object *o, ...) __attribute__((sentinel));
/* A page model with the form (consumed; NULL: none). A page whose template posts a form gets
 * its CSRF token as site.csrf when it is rendered (web_page). */
struct json_object *web_page_model(struct web_form *f);

/* A flash message {kind, message} on the page model (the layout shows it). */
void web_flash(struct json_object *model, const char *kind, const char *message);
/* Fills f from spec: every field with its label, hint, input type and autocomplete; the
 * values the person typed (from `typed`, never a password's); each error by its field and
 * in the summary, in the spec's order. typed may be NULL (a blank form). */
void web_form_from(struct web_form *f, const struct input_spec *spec,
	const struct http_params *typed, const struct input_errors *e);
/* The model of a page with a form of spec (web_form_from over a POST's form, or blank, and
 * the errors e, or NULL), and `next` unless NULL (the CSRF token comes with the page: web_page). A phone field's hint
 * shows the clinic's national format beside the international one. Owned by the caller (a
 * view takes it). */
struct json_object *web_form_model(struct web_app *app, struct request *req,
	const struct input_spec *spec, const struct input_errors *e, const char *next);
/* The same for a page that carries only `fields` of spec (the dotted paths, in the page's
 * order, it gives web_page_input): their errors lead the summary in that order. */
struct json_object *web_page_form_model(struct web_app *app, struct request *req,
	const struct input_spec *spec, const char *const *fields, const struct input_errors *e,
	const char *next);
/* Sets key of the form field `field` in a web_form_model (a page's own touch: "inputmode",
 * "inline", or the value from the database a blank form starts with). */
/* A field of f with every key its partial reads (blank), the typed value kept; borrowed from
 * f. A value of the request's body with a NUL inside (%00) gets its error here, before the
 * spec's own message. For fields a spec does not describe (web_form_from does the rest). */
struct json_object *web_form_field(struct web_form *f, const char *name, const char *label,
	const char *value);
/* Puts message by field `name` and in the summary; NULL message, or a field that has its
 * error already: nothing (the first problem found is the one shown). */
void web_form_error(struct web_form *f, const char *name, const char *message);
/* Adds a radio, checkbox or select option to a form field's "options". */
void web_form_option(struct json_object *field, const char *value, const char *label,
	bool checked);
void web_form_put(struct json_object *model, const char *field, const char *key,
	const char *value);
/* Keeps of the options of form field `field` only those whose value is in values
 * (NULL-terminated), in their order: a page offering fewer choices than the spec it shares
 * takes (the spec's check refuses the others). The first option must stay: the error
 * summary links to it. */
void web_form_options_only(struct json_object *model, const char *field,
	const char *const *values);
/* Reads the request's input through spec into out (zeroed by the caller, who may pre-set
 * defaults): the JSON body on JSON routes, the form body on pages; national phone numbers
 * in the clinic's region. Errors go to e (the request's arena). Returns how many. */
size_t web_input(struct web_app *app, struct request *req, const struct input_spec *spec,
	void *out, struct input_errors *e);
/* The same for a page that carries only `fields` of spec (input_ctx.fields): one spec
 * shared by two pages and their JSON twin. */
size_t web_page_input(struct web_app *app, struct request *req, const struct input_spec *spec,
	const char *const *fields, void *out, struct input_errors *e);

/* Keyset paging (?after=<the last key shown>): a list shows WEB_LIST_PAGE rows and asks its
 * query for one more, to know whether a next page exists. No offsets: a page costs the same
 * however deep, and rows added meanwhile do not shift it. */
#define WEB_LIST_PAGE 50
/* The query's `param`: NULL on the first page, else a UUID; anything else is param's error
 * in e (then NULL). Borrowed from req. */
const char *web_page_after(struct request *req, const char *param, struct input_errors *e);
/* Adds model[key] = {label, first: {href}, next: {href}} for templates/partials/pagination:
 * next (PATH?…&param=last) unless last is NULL (the last page), first (PATH without param)
 * past the first page; every other query parameter kept, so a page's other lists stay
 * where they were. Nothing on a list's only page. */
void web_page_next(struct request *req, struct json_object *model, const char *key,
	const char *label, const char *param, const char *last);

/* ---- message.c ---- */

struct notify_message;
/* Renders message template `name` for m->channel over model (consumed; site.name is added)
 * through the BAA gate, and queues m in the request's transaction (m->org_id is set). The
 * caller fills channel, recipient, event key and the rest. DB_OK (*created: a new row, when
 * not NULL) or an error; a template that fails is DB_FAILED, logged. */
int  web_queue_message(struct web_app *app, const char *name, struct json_object *model,
	struct notify_message *m, bool *created);
/* web_queue_messages' answer when the template failed: no db_result, so a lost connection
 * (DB_UNAVAILABLE) still answers 503 and a broken template 500. */
#define WEB_QUEUE_UNRENDERED (-100)
/* The same, rendered once and queued for m->recipient (n 0) or for each recipients[i] with
 * patient_ids[i] and event_keys[i]; *created: how many new rows. DB_OK, a db_result, or
 * WEB_QUEUE_UNRENDERED when the template failed (logged, and its error in app->db.error). */
int  web_queue_messages(struct web_app *app, const char *name, struct json_object *model,
	struct notify_message *m, const char *const *recipients, const char *const *patient_ids,
	const char *const *event_keys, size_t n, long *created);

/* ---- sign-in shared by pages and the API (signin.c) ---- */

/* The sign-up details (AUTH-1): the sign-up page's fields, send-otp's "signup" object. */
struct web_signup {
	const char *name, *email, *date_of_birth;
	bool        consent;
};
/* What asks for a sign-in code: the sign-in page, the sign-up page and send-otp read it
 * through one spec (below). Strings are borrowed from the request. */
struct web_otp_ask {
	const char       *phone;	/* E.164 */
	const char       *channel;	/* sms | whatsapp | email; the caller presets "sms" */
	const char       *email;	/* where an emailed code goes */
	struct web_signup signup;	/* signup.name NULL: none given */
};
/* The specs of the sign-in forms, each the one spec of a page and its JSON twin (signin.c).
 * send-otp's serves two pages, each carrying its part (web_page_input): /signin the phone,
 * channel and email; /signup the phone, the channel (sms or whatsapp: the spec's check
 * refuses email with sign-up details) and the signup object's members as flat fields. */
extern const struct input_spec web_send_otp_spec;	/* web_otp_ask */
extern const char *const web_signin_page[];		/* the paths /signin carries */
extern const char *const web_signup_page[];		/* the paths /signup carries */
extern const char *const web_signup_channels[];		/* the channels /signup offers */
/* The code: verify-otp reads "phone" and "otp"; /signin/code reads "otp" from its field
 * "code", and presets the phone (JSON only) from where its code went. */
struct web_code_check {
	const char *phone, *code;
};
extern const struct input_spec web_verify_otp_spec;
/* Staff sign-in, page and API. */
struct web_password_login {
	const char *email, *password;
};
extern const struct input_spec web_staff_login_spec;
/* Issues and queues a sign-in code (AUTH-2) in the request's transaction. The caller answers
 * the same whatever the number: an emailed code only reaches the account's own address. */
enum auth_otp_result web_otp_send(struct web_app *app, struct request *req,
	const struct web_otp_ask *ask, int *retry_after);
/* Checks a code and, when right, starts a session (tokens in out). Wrong tries are kept. */
enum auth_otp_result web_otp_signin(struct web_app *app, struct request *req, const char *phone,
	const char *code, struct auth_tokens *out, struct auth_otp_outcome *outcome);

/* Starts a session for user_id in role (tokens in out); from then on the request acts as
 * them, and `action` is audited on the session with details (JSON or NULL). DB_OK or an
 * error. */
int  web_session_begin(struct web_app *app, struct request *req, const char *user_id,
	unsigned role, struct auth_tokens *out, const char *action, const char *details);
/* Renews a session from its refresh token (tokens in out; the request then acts as its
 * owner). A token used twice revokes the session, kept and audited. */
enum auth_refresh_result web_session_refresh(struct web_app *app, struct request *req,
	const char *token, struct auth_tokens *out);

/* Staff sign-in by password with lockout; on success a session (tokens in out) and the
 * request acts as that staff member. Failures are counted and audited. */
enum auth_login_result web_staff_signin(struct web_app *app, struct request *req,
	const char *email, const char *password, struct auth_tokens *out, int *retry_after);

/* handlers */
struct web_view web_health_live(struct web_app *, struct request *, struct response *);
struct web_view web_health_ready(struct web_app *, struct request *, struct response *);
struct web_view web_home(struct web_app *, struct request *, struct response *);
struct web_view web_debug_sleep(struct web_app *, struct request *, struct response *);
struct web_view web_debug_echo(struct web_app *, struct request *, struct response *);
struct web_view web_debug_crash(struct web_app *, struct request *, struct response *);
struct web_view web_debug_leak(struct web_app *, struct request *, struct response *);
struct web_view web_styleguide(struct web_app *, struct request *, struct response *);
struct web_view web_debug_notify(struct web_app *, struct request *, struct response *);
/* ?at=2026-10-04T01:30:00Z (or epoch seconds) starts the wall clock there, ?advance=N
 * moves it N seconds, ?real=1 puts it back; in every worker (core/clock). Replies
 * {"now": epoch seconds, "pid": the worker's}. */
struct web_view web_debug_clock(struct web_app *, struct request *, struct response *);
struct web_view web_webhook_twilio_status(struct web_app *, struct request *, struct response *);
struct web_view web_webhook_sendgrid_events(struct web_app *, struct request *, struct response *);
struct web_view web_webhook_whatsapp_verify(struct web_app *, struct request *, struct response *);
struct web_view web_webhook_whatsapp(struct web_app *, struct request *, struct response *);
struct web_view web_staff_comms(struct web_app *, struct request *, struct response *);
struct web_view web_campaigns_create(struct web_app *, struct request *, struct response *);
struct web_view web_site_page(struct web_app *, struct request *, struct response *);
struct web_view web_admin_site_pages(struct web_app *, struct request *, struct response *);
struct web_view web_admin_site_page_form(struct web_app *, struct request *, struct response *);
struct web_view web_admin_site_page_save(struct web_app *, struct request *, struct response *);
/* catalogue.c: the booking catalogue's admin pages (ADMIN-1) */
struct web_view web_catalogue_list(struct web_app *, struct request *, struct response *);
struct web_view web_catalogue_new(struct web_app *, struct request *, struct response *);
struct web_view web_catalogue_edit(struct web_app *, struct request *, struct response *);
struct web_view web_catalogue_save(struct web_app *, struct request *, struct response *);
struct web_view web_catalogue_change(struct web_app *, struct request *, struct response *);
struct web_view web_catalogue_mine(struct web_app *, struct request *, struct response *);
/* book.c: the booking wizard's pages (GET /book, /book/psychologist, /book/psychologists/:id,
 * /book/time, /book/summary) */
struct web_view web_book_service(struct web_app *, struct request *, struct response *);
struct web_view web_book_psychologist(struct web_app *, struct request *, struct response *);
struct web_view web_book_profile(struct web_app *, struct request *, struct response *);
struct web_view web_book_time(struct web_app *, struct request *, struct response *);
struct web_view web_book_summary(struct web_app *, struct request *, struct response *);
/* catalogue_api.c: GET /api/services, /api/psychologists, /api/availability (patient-api.md) */
struct web_view web_api_services(struct web_app *, struct request *, struct response *);
/* A failed catalogue call other than CATALOGUE_EINVALID (which pages and the API show their
 * own ways): 404 with not_found, the database's 503, or 500 with internal. */
struct web_view web_catalogue_failed(int rc, const char *not_found, const char *internal);
struct web_view web_api_psychologists(struct web_app *, struct request *, struct response *);
struct web_view web_api_availability(struct web_app *, struct request *, struct response *);
struct web_view web_signin(struct web_app *, struct request *, struct response *);
struct web_view web_signin_code(struct web_app *, struct request *, struct response *);
struct web_view web_signout(struct web_app *, struct request *, struct response *);
struct web_view web_auth_refresh(struct web_app *, struct request *, struct response *);
struct web_view web_account(struct web_app *, struct request *, struct response *);
struct web_view web_account_details(struct web_app *, struct request *, struct response *);
struct web_view web_sessions(struct web_app *, struct request *, struct response *);
struct web_view web_sessions_revoke(struct web_app *, struct request *, struct response *);
struct web_view web_staff_signin_form(struct web_app *, struct request *, struct response *);
struct web_view web_invite(struct web_app *, struct request *, struct response *);
struct web_view web_admin_home(struct web_app *, struct request *, struct response *);
struct web_view web_admin_staff(struct web_app *, struct request *, struct response *);
struct web_view web_admin_set_role(struct web_app *, struct request *, struct response *);
struct web_view web_admin_messages(struct web_app *, struct request *, struct response *);
struct web_view web_admin_retry(struct web_app *, struct request *, struct response *);
struct web_view web_api_send_otp(struct web_app *, struct request *, struct response *);
struct web_view web_api_verify_otp(struct web_app *, struct request *, struct response *);
struct web_view web_api_refresh(struct web_app *, struct request *, struct response *);
struct web_view web_api_logout(struct web_app *, struct request *, struct response *);
struct web_view web_api_me(struct web_app *, struct request *, struct response *);
struct web_view web_api_staff_login(struct web_app *, struct request *, struct response *);

/* The organisation of the request, from its Host (tenant.c): fills app->rq.org_id. DB_OK
 * or an error. */
int  web_tenant_resolve(struct web_app *app, struct request *req);

/* Installed as the worker's db "before" hook: the first statement of a request that has a
 * tenant opens its transaction, so handlers never open it themselves; once open, a
 * statement on a connection that was lost since fails (DB_UNAVAILABLE) rather than run
 * outside the transaction its earlier writes were in. */
int  web_db_first_use(struct db *db, void *app);

/* The clinic's name for pages and messages: the tenant's, or "Kairos" before it is known
 * (errors answered before the Host was looked up). Borrowed. */
const char *web_org_name(const struct web_app *app);
/* The country phone numbers are typed in: the tenant's region (0025), else the deployment's
 * KAIROS_DEFAULT_REGION. Borrowed. */
const char *web_region(const struct web_app *app);

/* Commit the transaction even though the answer will be an error: counted failures (wrong
 * codes, wrong passwords) and the audit entries that record them must stay. */
void web_tx_keep(struct web_app *app);
/* Appends an audit entry as the request's caller (anonymous when nobody is signed in), in
 * the request's transaction. DB_OK or an error. */
int  web_audit(struct web_app *app, const struct request *req, const char *action,
	const char *subject_type, const char *subject_id, const char *details_json);
/* The CSRF token for forms on this page (set in the page's site.csrf too). An anonymous
 * visitor gets a random visitor cookie to bind it to. Owned by app->rq. */
const char *web_csrf(struct web_app *app, struct request *req, struct response *resp);
/* The session cookies after a sign-in or refresh, and their removal. */
void web_session_cookies(struct request *req, struct response *resp, const struct auth_tokens *t);
void web_session_cookies_clear(struct request *req, struct response *resp);
/* A local path to go back to after sign-in: next when it is one of ours ("/…", not "//…"),
 * else fallback. Returns one of the two. */
const char *web_next(const char *next, const char *fallback);
/* web_next of the request's `next`: the form's on a POST, else the query's. */
const char *web_next_of(const struct request *req, const char *fallback);

/* where?next=NEXT (next percent-encoded), in req's arena. */
const char *web_next_url(struct request *req, const char *where, const char *next);

/* Cookie names. */
#define WEB_COOKIE_ACCESS   "kairos_at"
#define WEB_COOKIE_REFRESH  "kairos_rt"
#define WEB_COOKIE_VISITOR  "kairos_v"
#define WEB_COOKIE_PHONE    "kairos_p"	/* the number a code was sent to, for the code form */
#define WEB_REFRESH_PATH    "/auth"	/* the refresh cookie goes nowhere else */

/* `kairos serve` (argv[0] is "serve"); returns the exit status. */
int  web_serve_main(int argc, char **argv, const char *config_file);

/* web's keys (src/web/settings.c). */
extern const struct config_table web_settings;

#endif
