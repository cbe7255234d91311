/* routes.c: every URL Kairos answers, in one table (ARCHITECTURE.md, step 2).
 *
 * A row leads to everything behind its URL in one hop: the handler (web.h lists them by
 * file), the input spec(s) it reads through (the C name of the spec, or of the field table a
 * spec is made of; NULL: none), and the templates it renders under templates/ (NULL: none;
 * every HTML route may also show pages/error, which dispatch renders). A handler's SQL is
 * in the domain module it calls (docs/architecture.md, "One request"). `kairos routes`
 * prints the table; t/integration/route-table.t checks that the templates and specs a row
 * names exist and are the ones its handler renders and reads, and under
 * KAIROS_DEBUG_ROUTES a page whose template its row does not name is a 500 (view.c). */
#include "web/web.h"

/* access: PUBLIC, WEBHOOK, or who may call it (PATIENT, STAFF, ADMIN, SIGNED_IN: web.h).
 * Every handler returns a view (web.h). specs and templates: names, space-separated. */
#define ROW(m, pattern, fn, access_, kind_, specs_, templates_) \
	.route = { HTTP_##m, pattern }, .view = fn, .handler = #fn, .access = WEB_##access_, \
	.kind = HTTP_KIND_##kind_, .specs = specs_, .templates = templates_
#define VIEW(m, pattern, fn, access_, kind_, specs_, templates_) \
	{ ROW(m, pattern, fn, access_, kind_, specs_, templates_) }
/* A route whose path holds a secret (an invitation token): the request log shows its
 * pattern, and its answers carry Referrer-Policy: no-referrer so the next request's Referer
 * does not repeat it. nginx/kairos.conf.in's /staff/invite/ location redacts it too. */
#define SECRET_PATH_VIEW(m, pattern, fn, access_, kind_, specs_, templates_) \
	{ ROW(m, pattern, fn, access_, kind_, specs_, templates_), .secret_path = true }
/* A list of the booking catalogue (ADMIN-1) under base: list, new, create, edit, update and
 * the changes: deactivate and activate (CATALOGUE), or delete (CATALOGUE_DELETED, rows of
 * kinds that are deleted, booking_admin_deactivates). Open to staff: the handlers let
 * admins in, and practitioners only to their own hours and leave (404 else). fields: the
 * field table of the kind's spec (catalogue.c's cat_pages). */
#define CATALOGUE_EDITS(base, fields) \
	VIEW(GET,  base,        web_catalogue_list, STAFF, HTML, NULL, "pages/admin-catalogue"), \
	VIEW(GET,  base "/new", web_catalogue_new,  STAFF, HTML, fields, CATALOGUE_FORM), \
	VIEW(POST, base,        web_catalogue_save, STAFF, HTML, fields, CATALOGUE_FORM), \
	VIEW(GET,  base "/:id", web_catalogue_edit, STAFF, HTML, fields, CATALOGUE_FORM), \
	VIEW(POST, base "/:id", web_catalogue_save, STAFF, HTML, fields, CATALOGUE_FORM)
#define CATALOGUE_FORM "pages/admin-catalogue-form"
#define CATALOGUE(base, fields) CATALOGUE_EDITS(base, fields), \
	VIEW(POST, base "/:id/deactivate", web_catalogue_change, STAFF, HTML, NULL, NULL), \
	VIEW(POST, base "/:id/activate",   web_catalogue_change, STAFF, HTML, NULL, NULL)
#define CATALOGUE_DELETED(base, fields) CATALOGUE_EDITS(base, fields), \
	VIEW(POST, base "/:id/delete",     web_catalogue_change, STAFF, HTML, NULL, NULL)
/* A sign-in step, a brute-force target: nginx rate-limits its path (every method) in the
 * kairos_auth zone. nginx/kairos.conf.in's location is `kairos routes --nginx-auth-location`,
 * which t/integration/nginx-paths.t checks, so a new one cannot be forgotten there. */
#define SIGNIN_ROUTE(m, pattern, fn, kind_, specs_, templates_) \
	{ ROW(m, pattern, fn, PUBLIC, kind_, specs_, templates_), .signin = true }
/* An unsafe method without the CSRF check: it only renews the caller's own cookies. */
#define RENEW_ROUTE(m, pattern, fn, specs_, templates_) \
	{ ROW(m, pattern, fn, PUBLIC, HTML, specs_, templates_), .no_csrf = true }
#define DEV_ROUTE(m, pattern, fn, kind_, specs_, templates_) \
	{ ROW(m, pattern, fn, PUBLIC, kind_, specs_, templates_), .dev_only = true }
#define DEBUG_ROUTE(m, pattern, fn, kind_, specs_, templates_) \
	{ ROW(m, pattern, fn, PUBLIC, kind_, specs_, templates_), .debug_only = true, .no_csrf = true }

/* The booking wizard's specs by step (book.c), and the page of a choice it cannot show. */
#define BOOK_STEP1   "catalogue_services_spec"
#define BOOK_STEP2   BOOK_STEP1 " catalogue_psychologists_spec"
#define BOOK_PROBLEM "pages/book-problem"

const struct web_route web_routes[] = {
	VIEW(GET, "/", web_home, PUBLIC, HTML, NULL, "pages/home"),
	VIEW(GET, "/healthz", web_health_live, PUBLIC, JSON, NULL, NULL),
	VIEW(GET, "/readyz", web_health_ready, PUBLIC, JSON, NULL, NULL),

	/* Patients sign in with a one-time code (AUTH-1, AUTH-2, AUTH-4). */
	VIEW(GET, "/signin", web_signin, PUBLIC, HTML, "web_send_otp_spec", "pages/signin"),
	SIGNIN_ROUTE(POST, "/signin", web_signin, HTML, "web_send_otp_spec", "pages/signin"),
	VIEW(GET, "/signin/code", web_signin_code, PUBLIC, HTML,
	    "web_verify_otp_spec", "pages/signin-code"),
	SIGNIN_ROUTE(POST, "/signin/code", web_signin_code, HTML,
	    "web_verify_otp_spec", "pages/signin-code"),
	VIEW(GET, "/signup", web_signin, PUBLIC, HTML, "web_send_otp_spec", "pages/signup"),
	SIGNIN_ROUTE(POST, "/signup", web_signin, HTML, "web_send_otp_spec", "pages/signup"),
	VIEW(POST, "/signout", web_signout, SIGNED_IN, HTML, NULL, NULL),
	VIEW(GET, "/auth/refresh", web_auth_refresh, PUBLIC, HTML, NULL, NULL),
	RENEW_ROUTE(POST, "/auth/refresh", web_auth_refresh, NULL, NULL),
	VIEW(GET, "/account", web_account, PATIENT, HTML, NULL, "pages/account"),
	VIEW(GET, "/account/details", web_account_details, PATIENT, HTML,
	    "details_spec", "pages/account-details"),
	VIEW(POST, "/account/details", web_account_details, PATIENT, HTML,
	    "details_spec", "pages/account-details"),
	VIEW(GET, "/account/sessions", web_sessions, SIGNED_IN, HTML, NULL, "pages/sessions"),
	VIEW(POST, "/account/sessions/revoke-all", web_sessions_revoke, SIGNED_IN, HTML, NULL, NULL),
	VIEW(POST, "/account/sessions/:id/revoke", web_sessions_revoke, SIGNED_IN, HTML, NULL, NULL),

	/* Staff (AUTH-5). */
	VIEW(GET, "/staff/signin", web_staff_signin_form, PUBLIC, HTML,
	    "web_staff_login_spec", "pages/staff-signin"),
	SIGNIN_ROUTE(POST, "/staff/signin", web_staff_signin_form, HTML,
	    "web_staff_login_spec", "pages/staff-signin"),
	SECRET_PATH_VIEW(GET, "/staff/invite/:token", web_invite, PUBLIC, HTML,
	    "accept_spec", "pages/staff-invite"),
	SECRET_PATH_VIEW(POST, "/staff/invite/:token", web_invite, PUBLIC, HTML,
	    "accept_spec", "pages/staff-invite"),
	VIEW(GET, "/admin", web_admin_home, STAFF, HTML, NULL, "pages/admin"),
	VIEW(GET, "/admin/staff", web_admin_staff, ADMIN, HTML, "invite_spec", "pages/admin-staff"),
	VIEW(POST, "/admin/staff", web_admin_staff, ADMIN, HTML, "invite_spec", "pages/admin-staff"),
	VIEW(POST, "/admin/staff/:id/role", web_admin_set_role, ADMIN, HTML, "role_spec", NULL),
	VIEW(GET, "/admin/messages", web_admin_messages, ADMIN, HTML, NULL, "pages/admin-messages"),
	VIEW(POST, "/admin/messages/:id/retry", web_admin_retry, ADMIN, HTML, NULL, NULL),
	/* dead jobs are listed on the same page as dead messages; /admin/jobs is its other name */
	VIEW(GET, "/admin/jobs", web_admin_messages, ADMIN, HTML, NULL, "pages/admin-messages"),
	VIEW(POST, "/admin/jobs/:id/retry", web_admin_retry, ADMIN, HTML, NULL, NULL),
	/* The pages the footer names (issue 13, item 9): their text is the clinic's. */
	VIEW(GET, "/admin/pages", web_admin_site_pages, ADMIN, HTML, NULL, "pages/admin-site-pages"),
	VIEW(GET, "/admin/pages/:slug", web_admin_site_page_form, ADMIN, HTML,
	    "site_page_spec", "pages/admin-site-page"),
	VIEW(POST, "/admin/pages/:slug", web_admin_site_page_save, ADMIN, HTML,
	    "site_page_spec", "pages/admin-site-page"),
	VIEW(GET, "/contact", web_site_page, PUBLIC, HTML, NULL, "pages/site-page"),
	VIEW(GET, "/privacy", web_site_page, PUBLIC, HTML, NULL, "pages/site-page"),
	VIEW(GET, "/accessibility", web_site_page, PUBLIC, HTML, NULL, "pages/site-page"),

	/* The booking catalogue (ADMIN-1, catalogue.c). */
	CATALOGUE("/admin/locations", "cat_location_fields"),
	CATALOGUE("/admin/services", "cat_service_fields"),
	CATALOGUE("/admin/practitioners", "cat_practitioner_fields"),
	CATALOGUE("/admin/prices", "cat_price_fields"),
	CATALOGUE_DELETED("/admin/practitioners/:pid/hours", "cat_hours_fields"),
	CATALOGUE_DELETED("/admin/practitioners/:pid/leave", "cat_leave_fields"),
	VIEW(GET, "/admin/hours", web_catalogue_mine, STAFF, HTML, NULL, NULL),
	VIEW(GET, "/admin/leave", web_catalogue_mine, STAFF, HTML, NULL, NULL),

	/* The sign-in JSON API (AUTH-8, patient-api.md). */
	SIGNIN_ROUTE(POST, "/api/patient-auth/send-otp", web_api_send_otp, JSON,
	    "web_send_otp_spec", NULL),
	SIGNIN_ROUTE(POST, "/api/patient-auth/verify-otp", web_api_verify_otp, JSON,
	    "web_verify_otp_spec", NULL),
	VIEW(POST, "/api/patient-auth/refresh-token", web_api_refresh, PUBLIC, JSON,
	    "refresh_spec", NULL),
	VIEW(POST, "/api/patient-auth/logout", web_api_logout, PUBLIC, JSON, "refresh_spec", NULL),
	VIEW(GET, "/api/patient-auth/me", web_api_me, PATIENT, JSON, NULL, NULL),
	SIGNIN_ROUTE(POST, "/api/staff-auth/login", web_api_staff_login, JSON,
	    "web_staff_login_spec", NULL),
	VIEW(POST, "/api/staff-auth/refresh-token", web_api_refresh, PUBLIC, JSON,
	    "refresh_spec", NULL),
	VIEW(POST, "/api/staff-auth/logout", web_api_logout, PUBLIC, JSON, "refresh_spec", NULL),

	/* The booking catalogue and availability (BOOK-1, BOOK-3, BOOK-6, BOOK-13). */
	VIEW(GET, "/api/services", web_api_services, PUBLIC, JSON, "catalogue_services_spec", NULL),
	VIEW(GET, "/api/psychologists", web_api_psychologists, PUBLIC, JSON,
	    "catalogue_psychologists_spec", NULL),
	VIEW(GET, "/api/availability", web_api_availability, PUBLIC, JSON,
	    "catalogue_availability_spec", NULL),

	/* Staff messaging (NOTE-7). */
	VIEW(POST, "/comms", web_staff_comms, STAFF, JSON, "comms_spec notifications_spec", NULL),
	VIEW(POST, "/api/notifications", web_staff_comms, STAFF, JSON,
	    "comms_spec notifications_spec", NULL),
	/* Bulk sends (NOTE-1): clinic admins only. */
	VIEW(POST, "/api/campaigns", web_campaigns_create, ADMIN, JSON, "campaign_spec", NULL),

	/* The booking wizard, steps 1-3 (book.c): GET pages whose URLs keep every choice, so
	 * each step reads the specs of the steps before it too; a bad choice shows BOOK_PROBLEM. */
	VIEW(GET, "/book", web_book_service, PUBLIC, HTML,
	    BOOK_STEP1, "pages/book-service " BOOK_PROBLEM),
	VIEW(GET, "/book/psychologist", web_book_psychologist, PUBLIC, HTML,
	    BOOK_STEP2, "pages/book-psychologist partials/book-psychologist-main "
	    "partials/psychologist-cards " BOOK_PROBLEM),
	VIEW(GET, "/book/psychologists/:id", web_book_profile, PUBLIC, HTML,
	    BOOK_STEP2, "pages/book-profile " BOOK_PROBLEM),
	VIEW(GET, "/book/time", web_book_time, PUBLIC, HTML,
	    BOOK_STEP2 " catalogue_availability_spec book_time_spec",
	    "pages/book-time " BOOK_PROBLEM),
	VIEW(GET, "/book/summary", web_book_summary, PUBLIC, HTML,
	    BOOK_STEP2 " book_summary_spec", "pages/book-summary " BOOK_PROBLEM),

	/* Providers: each handler verifies the provider's signature before anything else. */
	VIEW(POST, "/webhooks/twilio/status", web_webhook_twilio_status, WEBHOOK, JSON, NULL, NULL),
	VIEW(POST, "/webhooks/sendgrid/events", web_webhook_sendgrid_events, WEBHOOK, JSON,
	    NULL, NULL),
	VIEW(GET, "/webhooks/whatsapp", web_webhook_whatsapp_verify, WEBHOOK, JSON, NULL, NULL),
	VIEW(POST, "/webhooks/whatsapp", web_webhook_whatsapp, WEBHOOK, JSON, NULL, NULL),

	/* Development and test only (never when KAIROS_ENV=production). */
	DEV_ROUTE(GET, "/_styleguide", web_styleguide, HTML, NULL, "pages/styleguide"),

	/* For the test suite only (KAIROS_DEBUG_ROUTES, refused in production): slow requests,
	 * body echo, a crash, a leak for the harness to catch. No CSRF check: they post raw
	 * bodies the way hostile clients would. */
	DEBUG_ROUTE(GET, "/_debug/sleep", web_debug_sleep, JSON, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/echo", web_debug_echo, JSON, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/echo-form", web_debug_echo, HTML, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/crash", web_debug_crash, JSON, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/leak", web_debug_leak, JSON, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/notify", web_debug_notify, JSON, NULL, NULL),
	DEBUG_ROUTE(POST, "/_debug/clock", web_debug_clock, JSON, NULL, NULL),
};

const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
