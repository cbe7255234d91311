/* routes.c: every URL Kairos answers, in one table (ARCHITECTURE.md, step 2).
 *
 * A row leads to everything behind its URL in one hop: the handler (web.h lists them by
 * file), the input spec(s) it reads through (the C name of the spec, or of the field table a
 * spec is made of; NULL: none), its SQL: the functions of the domain modules (src/X/, not
 * web/) the handler calls that run statements, each a DB_STMT in that function's file
 * (NULL: none; the tenant transaction's BEGIN and COMMIT are dispatch's), and the templates
 * it renders under templates/ (NULL: none; every HTML route may also show pages/error,
 * which dispatch renders). `kairos routes` prints the table; t/integration/route-table.t
 * checks that the specs, functions and templates a row names exist and are the ones its
 * handler reads, calls and renders, and under KAIROS_DEBUG_ROUTES a page whose template its
 * row does not name is a 500 (view.c). */
#include "web/web.h"

/* access: PUBLIC, WEBHOOK, or who may call it (PATIENT, STAFF, ADMIN, SIGNED_IN: web.h).
 * Every handler returns a view (web.h). specs, sql and templates: names, space-separated.
 * sql names what this method of the URL may run; a handler's rows together name all it
 * can call (route-table.t). */
#define ROW(m, pattern, fn, access_, kind_, specs_, sql_, templates_) \
	.route = { HTTP_##m, pattern }, .view = fn, .handler = #fn, .access = WEB_##access_, \
	.kind = HTTP_KIND_##kind_, .specs = specs_, .sql = sql_, .templates = templates_
#define VIEW(m, pattern, fn, access_, kind_, specs_, sql_, templates_) \
	{ ROW(m, pattern, fn, access_, kind_, specs_, sql_, templates_) }
/* A route whose path holds a secret (an invitation token): the request log shows its
 * pattern, and its answers carry Referrer-Policy: no-referrer so the next request's Referer
 * does not repeat it. nginx/kairos.conf.in's /staff/invite/ location redacts it too. */
#define SECRET_PATH_VIEW(m, pattern, fn, access_, kind_, specs_, sql_, templates_) \
	{ ROW(m, pattern, fn, access_, kind_, specs_, sql_, templates_), .secret_path = true }
/* A list of the booking catalogue (ADMIN-1) under base: list, new, create, edit, update and
 * the changes: deactivate and activate (CATALOGUE), or delete (CATALOGUE_DELETED, rows of
 * kinds that are deleted, booking_admin_deactivates). Open to staff: the handlers let
 * admins in, and practitioners only to their own hours and leave (404 else). fields: the
 * field table of the kind's spec (catalogue.c's cat_pages). owner: "booking_admin_practitioner "
 * for rows of a practitioner's (hours, leave: every page looks them up first), else "";
 * choices: what fills the form's drop-downs ("" when it has none). */
#define CATALOGUE_EDITS(base, fields, owner, choices) \
	VIEW(GET,  base,        web_catalogue_list, STAFF, HTML, NULL, \
	    owner "booking_admin_list", "pages/admin-catalogue"), \
	VIEW(GET,  base "/new", web_catalogue_new,  STAFF, HTML, fields, \
	    owner choices, CATALOGUE_FORM), \
	VIEW(POST, base,        web_catalogue_save, STAFF, HTML, fields, \
	    owner "booking_admin_save audit_record " choices, CATALOGUE_FORM), \
	VIEW(GET,  base "/:id", web_catalogue_edit, STAFF, HTML, fields, \
	    owner "booking_admin_get " choices, CATALOGUE_FORM), \
	/* a refused update shows the form again, with the row's activate button */ \
	VIEW(POST, base "/:id", web_catalogue_save, STAFF, HTML, fields, \
	    owner "booking_admin_save audit_record booking_admin_get " choices, CATALOGUE_FORM)
#define CATALOGUE_FORM "pages/admin-catalogue-form"
#define CATALOGUE(base, fields, choices) CATALOGUE_EDITS(base, fields, "", choices), \
	VIEW(POST, base "/:id/deactivate", web_catalogue_change, STAFF, HTML, NULL, \
	    "booking_admin_set_active audit_record", NULL), \
	VIEW(POST, base "/:id/activate",   web_catalogue_change, STAFF, HTML, NULL, \
	    "booking_admin_set_active audit_record", NULL)
#define CATALOGUE_DELETED(base, fields, choices) \
	CATALOGUE_EDITS(base, fields, "booking_admin_practitioner ", choices), \
	VIEW(POST, base "/:id/delete",     web_catalogue_change, STAFF, HTML, NULL, \
	    "booking_admin_practitioner booking_admin_set_active audit_record", NULL)
/* A sign-in step, a brute-force target: nginx rate-limits its path (every method) in the
 * kairos_auth zone. nginx/kairos.conf.in's location is `kairos routes --nginx-auth-location`,
 * which t/integration/nginx-paths.t checks, so a new one cannot be forgotten there. */
#define SIGNIN_ROUTE(m, pattern, fn, kind_, specs_, sql_, templates_) \
	{ ROW(m, pattern, fn, PUBLIC, kind_, specs_, sql_, templates_), .signin = true }
/* An unsafe method without the CSRF check: it only renews the caller's own cookies. */
#define RENEW_ROUTE(m, pattern, fn, specs_, sql_, templates_) \
	{ ROW(m, pattern, fn, PUBLIC, HTML, specs_, sql_, templates_), .no_csrf = true }
#define DEV_ROUTE(m, pattern, fn, kind_, specs_, sql_, templates_) \
	{ ROW(m, pattern, fn, PUBLIC, kind_, specs_, sql_, templates_), .dev_only = true }
#define DEBUG_ROUTE(m, pattern, fn, kind_, specs_, sql_, templates_) \
	{ ROW(m, pattern, fn, PUBLIC, kind_, specs_, sql_, templates_), .debug_only = true, \
	  .no_csrf = true }

/* SQL that several rows run. QUEUES: a message queued in the request's transaction, or one
 * per recipient (web/message.c). */
#define QUEUES       "notify_enqueue notify_enqueue_many"
#define OTP_SEND     "auth_otp_email_allowed auth_otp_issue " QUEUES " audit_record"
#define OTP_SIGNIN   "auth_otp_verify auth_user_get auth_session_start audit_record"
#define REFRESH      "auth_session_refresh audit_record"
#define LOGOUT       "auth_session_revoke_by_token audit_record"
#define DEAD_LETTERS "notify_dead_letters jobs_dead_letters"
#define COMMS        "notify_find auth_patient_contacts " QUEUES

/* The booking wizard's specs by step (book.c), and the page of a choice it cannot show.
 * Every step records its funnel event; steps 1 and 2 list the choices of the steps after
 * (the window of dates with hours, who works where), steps 3 and 4 find the free times. */
#define BOOK_STEP1   "catalogue_services_spec"
#define BOOK_STEP2   BOOK_STEP1 " catalogue_psychologists_spec"
#define BOOK_PROBLEM "pages/book-problem"
#define BOOK_CHOICES "catalogue_services catalogue_window catalogue_psychologists_bounded " \
	"funnel_record"
#define BOOK_SLOTS   "catalogue_services catalogue_psychologists catalogue_availability " \
	"funnel_record"

const struct web_route web_routes[] = {
	VIEW(GET, "/", web_home, PUBLIC, HTML, NULL, "org_get", "pages/home"),
	VIEW(GET, "/healthz", web_health_live, PUBLIC, JSON, NULL, NULL, NULL),
	VIEW(GET, "/readyz", web_health_ready, PUBLIC, JSON, NULL,
	    "db_migrations_current db_role_unsafe", NULL),

	/* Patients sign in with a one-time code (AUTH-1, AUTH-2, AUTH-4). */
	VIEW(GET, "/signin", web_signin, PUBLIC, HTML, "web_send_otp_spec", NULL, "pages/signin"),
	SIGNIN_ROUTE(POST, "/signin", web_signin, HTML, "web_send_otp_spec", OTP_SEND, "pages/signin"),
	VIEW(GET, "/signin/code", web_signin_code, PUBLIC, HTML,
	    "web_verify_otp_spec", NULL, "pages/signin-code"),
	SIGNIN_ROUTE(POST, "/signin/code", web_signin_code, HTML,
	    "web_verify_otp_spec", OTP_SIGNIN, "pages/signin-code"),
	VIEW(GET, "/signup", web_signin, PUBLIC, HTML, "web_send_otp_spec", NULL, "pages/signup"),
	SIGNIN_ROUTE(POST, "/signup", web_signin, HTML, "web_send_otp_spec", OTP_SEND, "pages/signup"),
	VIEW(POST, "/signout", web_signout, SIGNED_IN, HTML, NULL,
	    "auth_session_revoke audit_record", NULL),
	VIEW(GET, "/auth/refresh", web_auth_refresh, PUBLIC, HTML, NULL, REFRESH, NULL),
	RENEW_ROUTE(POST, "/auth/refresh", web_auth_refresh, NULL, REFRESH, NULL),
	VIEW(GET, "/account", web_account, PATIENT, HTML, NULL, "auth_user_get", "pages/account"),
	VIEW(GET, "/account/details", web_account_details, PATIENT, HTML,
	    "details_spec", "auth_user_get", "pages/account-details"),
	VIEW(POST, "/account/details", web_account_details, PATIENT, HTML,
	    "details_spec", "auth_user_set_details audit_record", "pages/account-details"),
	VIEW(GET, "/account/sessions", web_sessions, SIGNED_IN, HTML, NULL,
	    "auth_sessions_list", "pages/sessions"),
	VIEW(POST, "/account/sessions/revoke-all", web_sessions_revoke, SIGNED_IN, HTML, NULL,
	    "auth_session_revoke_all audit_record", NULL),
	VIEW(POST, "/account/sessions/:id/revoke", web_sessions_revoke, SIGNED_IN, HTML, NULL,
	    "auth_session_revoke audit_record", NULL),

	/* Staff (AUTH-5). */
	VIEW(GET, "/staff/signin", web_staff_signin_form, PUBLIC, HTML,
	    "web_staff_login_spec", NULL, "pages/staff-signin"),
	SIGNIN_ROUTE(POST, "/staff/signin", web_staff_signin_form, HTML,
	    "web_staff_login_spec", "auth_staff_login auth_session_start audit_record",
	    "pages/staff-signin"),
	SECRET_PATH_VIEW(GET, "/staff/invite/:token", web_invite, PUBLIC, HTML,
	    "accept_spec", "auth_invite_find", "pages/staff-invite"),
	SECRET_PATH_VIEW(POST, "/staff/invite/:token", web_invite, PUBLIC, HTML,
	    "accept_spec", "auth_invite_find auth_invite_accept auth_session_start audit_record",
	    "pages/staff-invite"),
	VIEW(GET, "/admin", web_admin_home, STAFF, HTML, NULL, NULL, "pages/admin"),
	VIEW(GET, "/admin/staff", web_admin_staff, ADMIN, HTML, "invite_spec", "auth_staff_list",
	    "pages/admin-staff"),
	/* a refused invitation shows the list again, with why */
	VIEW(POST, "/admin/staff", web_admin_staff, ADMIN, HTML, "invite_spec",
	    "auth_invite_create " QUEUES " audit_record auth_staff_list", "pages/admin-staff"),
	VIEW(POST, "/admin/staff/:id/role", web_admin_set_role, ADMIN, HTML, "role_spec",
	    "auth_staff_set_role audit_record", NULL),
	VIEW(GET, "/admin/messages", web_admin_messages, ADMIN, HTML, NULL, DEAD_LETTERS,
	    "pages/admin-messages"),
	VIEW(POST, "/admin/messages/:id/retry", web_admin_retry, ADMIN, HTML, NULL,
	    "notify_retry_dead audit_record", NULL),
	/* dead jobs are listed on the same page as dead messages; /admin/jobs is its other name */
	VIEW(GET, "/admin/jobs", web_admin_messages, ADMIN, HTML, NULL, DEAD_LETTERS,
	    "pages/admin-messages"),
	VIEW(POST, "/admin/jobs/:id/retry", web_admin_retry, ADMIN, HTML, NULL,
	    "jobs_retry_dead audit_record", NULL),
	/* The pages the footer names (issue 13, item 9): their text is the clinic's. */
	VIEW(GET, "/admin/pages", web_admin_site_pages, ADMIN, HTML, NULL, "org_page_text",
	    "pages/admin-site-pages"),
	VIEW(GET, "/admin/pages/:slug", web_admin_site_page_form, ADMIN, HTML,
	    "site_page_spec", "org_page_text", "pages/admin-site-page"),
	VIEW(POST, "/admin/pages/:slug", web_admin_site_page_save, ADMIN, HTML,
	    "site_page_spec", "org_page_save audit_record", "pages/admin-site-page"),
	VIEW(GET, "/contact", web_site_page, PUBLIC, HTML, NULL, "org_page_text", "pages/site-page"),
	VIEW(GET, "/privacy", web_site_page, PUBLIC, HTML, NULL, "org_page_text", "pages/site-page"),
	VIEW(GET, "/accessibility", web_site_page, PUBLIC, HTML, NULL, "org_page_text", "pages/site-page"),

	/* The booking catalogue (ADMIN-1, catalogue.c). */
	CATALOGUE("/admin/locations", "cat_location_fields", ""),
	CATALOGUE("/admin/services", "cat_service_fields", ""),
	CATALOGUE("/admin/practitioners", "cat_practitioner_fields",
	    "auth_staff_list booking_admin_choices"),
	CATALOGUE("/admin/prices", "cat_price_fields", "booking_admin_choices"),
	CATALOGUE_DELETED("/admin/practitioners/:pid/hours", "cat_hours_fields",
	    "booking_admin_choices"),
	CATALOGUE_DELETED("/admin/practitioners/:pid/leave", "cat_leave_fields", ""),
	VIEW(GET, "/admin/hours", web_catalogue_mine, STAFF, HTML, NULL,
	    "booking_admin_practitioner_of", NULL),
	VIEW(GET, "/admin/leave", web_catalogue_mine, STAFF, HTML, NULL,
	    "booking_admin_practitioner_of", NULL),

	/* The sign-in JSON API (AUTH-8, patient-api.md). */
	SIGNIN_ROUTE(POST, "/api/patient-auth/send-otp", web_api_send_otp, JSON,
	    "web_send_otp_spec", OTP_SEND, NULL),
	SIGNIN_ROUTE(POST, "/api/patient-auth/verify-otp", web_api_verify_otp, JSON,
	    "web_verify_otp_spec", OTP_SIGNIN, NULL),
	VIEW(POST, "/api/patient-auth/refresh-token", web_api_refresh, PUBLIC, JSON,
	    "refresh_spec", REFRESH, NULL),
	VIEW(POST, "/api/patient-auth/logout", web_api_logout, PUBLIC, JSON, "refresh_spec", LOGOUT, NULL),
	VIEW(GET, "/api/patient-auth/me", web_api_me, PATIENT, JSON, NULL, "auth_user_get", NULL),
	SIGNIN_ROUTE(POST, "/api/staff-auth/login", web_api_staff_login, JSON,
	    "web_staff_login_spec", "auth_staff_login auth_user_get auth_session_start audit_record",
	    NULL),
	VIEW(POST, "/api/staff-auth/refresh-token", web_api_refresh, PUBLIC, JSON,
	    "refresh_spec", REFRESH, NULL),
	VIEW(POST, "/api/staff-auth/logout", web_api_logout, PUBLIC, JSON, "refresh_spec", LOGOUT, NULL),

	/* The booking catalogue and availability (BOOK-1, BOOK-3, BOOK-6, BOOK-13). */
	VIEW(GET, "/api/services", web_api_services, PUBLIC, JSON, "catalogue_services_spec",
	    "catalogue_services funnel_record", NULL),
	VIEW(GET, "/api/psychologists", web_api_psychologists, PUBLIC, JSON,
	    "catalogue_psychologists_spec", "catalogue_psychologists_text funnel_record", NULL),
	VIEW(GET, "/api/availability", web_api_availability, PUBLIC, JSON,
	    "catalogue_availability_spec", "catalogue_availability_text funnel_record", NULL),

	/* Staff messaging (NOTE-7). */
	VIEW(POST, "/comms", web_staff_comms, STAFF, JSON, "comms_spec notifications_spec", COMMS, NULL),
	VIEW(POST, "/api/notifications", web_staff_comms, STAFF, JSON,
	    "comms_spec notifications_spec", COMMS, NULL),
	/* Bulk sends (NOTE-1): clinic admins only. */
	VIEW(POST, "/api/campaigns", web_campaigns_create, ADMIN, JSON, "campaign_spec",
	    "notify_campaign_find auth_patient_contacts notify_campaign_create " QUEUES
	    " audit_record", NULL),

	/* The booking wizard, steps 1-3 (book.c): GET pages whose URLs keep every choice, so
	 * each step reads the specs of the steps before it too; a bad choice shows BOOK_PROBLEM. */
	VIEW(GET, "/book", web_book_service, PUBLIC, HTML,
	    BOOK_STEP1, BOOK_CHOICES, "pages/book-service " BOOK_PROBLEM),
	VIEW(GET, "/book/psychologist", web_book_psychologist, PUBLIC, HTML,
	    BOOK_STEP2, BOOK_CHOICES, "pages/book-psychologist partials/book-psychologist-main "
	    "partials/psychologist-cards " BOOK_PROBLEM),
	VIEW(GET, "/book/psychologists/:id", web_book_profile, PUBLIC, HTML,
	    BOOK_STEP2, "catalogue_services catalogue_psychologist funnel_record",
	    "pages/book-profile " BOOK_PROBLEM),
	VIEW(GET, "/book/time", web_book_time, PUBLIC, HTML,
	    BOOK_STEP2 " catalogue_availability_spec book_time_spec", BOOK_SLOTS,
	    "pages/book-time " BOOK_PROBLEM),
	VIEW(GET, "/book/summary", web_book_summary, PUBLIC, HTML,
	    BOOK_STEP2 " book_summary_spec", BOOK_SLOTS, "pages/book-summary " BOOK_PROBLEM),

	/* Providers: each handler verifies the provider's signature before anything else. */
	VIEW(POST, "/webhooks/twilio/status", web_webhook_twilio_status, WEBHOOK, JSON, NULL,
	    "notify_twilio_status_webhook", NULL),
	VIEW(POST, "/webhooks/sendgrid/events", web_webhook_sendgrid_events, WEBHOOK, JSON,
	    NULL, "notify_sendgrid_events_webhook", NULL),
	VIEW(GET, "/webhooks/whatsapp", web_webhook_whatsapp_verify, WEBHOOK, JSON, NULL, NULL, NULL),
	VIEW(POST, "/webhooks/whatsapp", web_webhook_whatsapp, WEBHOOK, JSON, NULL,
	    "notify_meta_webhook", NULL),

	/* Development and test only (never when KAIROS_ENV=production). */
	DEV_ROUTE(GET, "/_styleguide", web_styleguide, HTML, NULL, NULL, "pages/styleguide"),

	/* For the test suite only (KAIROS_DEBUG_ROUTES, refused in production): slow requests,
	 * body echo, a crash, a leak for the harness to catch. No CSRF check: they post raw
	 * bodies the way hostile clients would. */
	DEBUG_ROUTE(GET, "/_debug/sleep", web_debug_sleep, JSON, NULL, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/echo", web_debug_echo, JSON, NULL, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/echo-form", web_debug_echo, HTML, NULL, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/crash", web_debug_crash, JSON, NULL, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/leak", web_debug_leak, JSON, NULL, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/notify", web_debug_notify, JSON, NULL, QUEUES, NULL),
	DEBUG_ROUTE(POST, "/_debug/clock", web_debug_clock, JSON, NULL, NULL, NULL),
};

const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
