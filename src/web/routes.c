/* routes.c: every URL Kairos answers, in one table (ARCHITECTURE.md, step 2). */
#include "web/web.h"

/* access: PUBLIC, WEBHOOK, or who may call it (PATIENT, STAFF, ADMIN, SIGNED_IN: web.h).
 * Every handler returns a view (web.h). */
#define VIEW(m, pattern, fn, access_, kind_) \
	{ .route = { HTTP_##m, pattern }, .view = fn, .access = WEB_##access_, \
	  .kind = HTTP_KIND_##kind_ }
/* A route whose path holds a secret (an invitation token): the request log shows its
 * pattern, and its answers carry Referrer-Policy: no-referrer so the next request's Referer
 * does not repeat it. nginx/kairos.conf.in's /staff/invite/ location redacts it too. */
#define SECRET_PATH_VIEW(m, pattern, fn, access_, kind_) \
	{ .route = { HTTP_##m, pattern }, .view = fn, .access = WEB_##access_, \
	  .kind = HTTP_KIND_##kind_, .secret_path = true }
/* A list of the booking catalogue (ADMIN-1) under base: list, new, create, edit, update and
 * the changes: deactivate and activate (CATALOGUE), or delete (CATALOGUE_DELETED, rows of
 * kinds that are deleted, booking_admin_deactivates). Open to staff: the handlers let
 * admins in, and practitioners only to their own hours and leave (404 else). */
#define CATALOGUE_EDITS(base) \
	VIEW(GET,  base,                 web_catalogue_list,   STAFF, HTML), \
	VIEW(GET,  base "/new",          web_catalogue_new,    STAFF, HTML), \
	VIEW(POST, base,                 web_catalogue_save,   STAFF, HTML), \
	VIEW(GET,  base "/:id",          web_catalogue_edit,   STAFF, HTML), \
	VIEW(POST, base "/:id",          web_catalogue_save,   STAFF, HTML)
#define CATALOGUE(base) CATALOGUE_EDITS(base), \
	VIEW(POST, base "/:id/deactivate", web_catalogue_change, STAFF, HTML), \
	VIEW(POST, base "/:id/activate", web_catalogue_change, STAFF, HTML)
#define CATALOGUE_DELETED(base) CATALOGUE_EDITS(base), \
	VIEW(POST, base "/:id/delete",   web_catalogue_change, STAFF, HTML)
/* A sign-in step, a brute-force target: nginx rate-limits its path (every method) in the
 * kairos_auth zone. nginx/kairos.conf.in's location is `kairos routes --nginx-auth-location`,
 * which t/integration/nginx-paths.t checks, so a new one cannot be forgotten there. */
#define SIGNIN_ROUTE(m, pattern, fn, kind_) \
	{ .route = { HTTP_##m, pattern }, .view = fn, .access = WEB_PUBLIC, \
	  .kind = HTTP_KIND_##kind_, .signin = true }
/* An unsafe method without the CSRF check: it only renews the caller's own cookies. */
#define RENEW_ROUTE(m, pattern, fn) \
	{ .route = { HTTP_##m, pattern }, .view = fn, .access = WEB_PUBLIC, \
	  .kind = HTTP_KIND_HTML, .no_csrf = true }
#define DEV_ROUTE(m, pattern, fn, kind_) \
	{ .route = { HTTP_##m, pattern }, .view = fn, .access = WEB_PUBLIC, \
	  .kind = HTTP_KIND_##kind_, .dev_only = true }
#define DEBUG_ROUTE(m, pattern, fn, kind_) \
	{ .route = { HTTP_##m, pattern }, .view = fn, .access = WEB_PUBLIC, \
	  .kind = HTTP_KIND_##kind_, .debug_only = true, .no_csrf = true }

const struct web_route web_routes[] = {
	VIEW(GET,  "/",                 web_home,          PUBLIC, HTML),
	VIEW(GET,  "/healthz",          web_health_live,   PUBLIC, JSON),
	VIEW(GET,  "/readyz",           web_health_ready,  PUBLIC, JSON),

	/* Patients sign in with a one-time code (AUTH-1, AUTH-2, AUTH-4). */
	VIEW(GET,  "/signin",                 web_signin,             PUBLIC,    HTML),
	SIGNIN_ROUTE(POST, "/signin",                 web_signin,             HTML),
	VIEW(GET,  "/signin/code",            web_signin_code,        PUBLIC,    HTML),
	SIGNIN_ROUTE(POST, "/signin/code",            web_signin_code,        HTML),
	VIEW(GET,  "/signup",                 web_signin,             PUBLIC,    HTML),
	SIGNIN_ROUTE(POST, "/signup",                 web_signin,             HTML),
	VIEW(POST, "/signout",                web_signout,            SIGNED_IN, HTML),
	VIEW(GET,  "/auth/refresh",           web_auth_refresh,       PUBLIC,    HTML),
	RENEW_ROUTE(POST, "/auth/refresh",     web_auth_refresh),
	VIEW(GET,  "/account",                web_account,            PATIENT,   HTML),
	VIEW(GET,  "/account/details",        web_account_details,    PATIENT,   HTML),
	VIEW(POST, "/account/details",        web_account_details, PATIENT, HTML),
	VIEW(GET,  "/account/sessions",       web_sessions,           SIGNED_IN, HTML),
	VIEW(POST, "/account/sessions/revoke-all", web_sessions_revoke, SIGNED_IN, HTML),
	VIEW(POST, "/account/sessions/:id/revoke", web_sessions_revoke, SIGNED_IN, HTML),

	/* Staff (AUTH-5). */
	VIEW(GET,  "/staff/signin",           web_staff_signin_form,  PUBLIC,    HTML),
	SIGNIN_ROUTE(POST, "/staff/signin",           web_staff_signin_form,  HTML),
	SECRET_PATH_VIEW(GET,  "/staff/invite/:token", web_invite,      PUBLIC,    HTML),
	SECRET_PATH_VIEW(POST, "/staff/invite/:token", web_invite,      PUBLIC,    HTML),
	VIEW(GET,  "/admin",                  web_admin_home,         STAFF,     HTML),
	VIEW(GET,  "/admin/staff",            web_admin_staff,        ADMIN,     HTML),
	VIEW(POST, "/admin/staff",            web_admin_staff,        ADMIN,     HTML),
	VIEW(POST, "/admin/staff/:id/role",   web_admin_set_role,     ADMIN,     HTML),
	VIEW(GET,  "/admin/messages",         web_admin_messages,     ADMIN,     HTML),
	VIEW(POST, "/admin/messages/:id/retry", web_admin_retry, ADMIN,  HTML),
	/* dead jobs are listed on the same page as dead messages; /admin/jobs is its other name */
	VIEW(GET,  "/admin/jobs",             web_admin_messages,     ADMIN,     HTML),
	VIEW(POST, "/admin/jobs/:id/retry",   web_admin_retry,    ADMIN,     HTML),
	/* The pages the footer names (issue 13, item 9): their text is the clinic's. */
	VIEW(GET,   "/admin/pages",            web_admin_site_pages,   ADMIN,     HTML),
	VIEW(GET,   "/admin/pages/:slug",      web_admin_site_page_form, ADMIN,   HTML),
	VIEW(POST,  "/admin/pages/:slug",      web_admin_site_page_save, ADMIN,   HTML),
	VIEW(GET,   "/contact",                web_site_page,          PUBLIC,    HTML),
	VIEW(GET,   "/privacy",                web_site_page,          PUBLIC,    HTML),
	VIEW(GET,   "/accessibility",          web_site_page,          PUBLIC,    HTML),

	/* The booking catalogue (ADMIN-1, catalogue.c). */
	CATALOGUE("/admin/locations"),
	CATALOGUE("/admin/services"),
	CATALOGUE("/admin/practitioners"),
	CATALOGUE("/admin/prices"),
	CATALOGUE_DELETED("/admin/practitioners/:pid/hours"),
	CATALOGUE_DELETED("/admin/practitioners/:pid/leave"),
	VIEW(GET,  "/admin/hours",             web_catalogue_mine,     STAFF,     HTML),
	VIEW(GET,  "/admin/leave",             web_catalogue_mine,     STAFF,     HTML),

	/* The sign-in JSON API (AUTH-8, patient-api.md). */
	SIGNIN_ROUTE(POST, "/api/patient-auth/send-otp",      web_api_send_otp,    JSON),
	SIGNIN_ROUTE(POST, "/api/patient-auth/verify-otp",    web_api_verify_otp,  JSON),
	VIEW(POST, "/api/patient-auth/refresh-token", web_api_refresh,     PUBLIC,  JSON),
	VIEW(POST, "/api/patient-auth/logout",        web_api_logout,      PUBLIC,  JSON),
	VIEW(GET,  "/api/patient-auth/me",            web_api_me,          PATIENT, JSON),
	SIGNIN_ROUTE(POST, "/api/staff-auth/login",           web_api_staff_login, JSON),
	VIEW(POST, "/api/staff-auth/refresh-token",   web_api_refresh,     PUBLIC,  JSON),
	VIEW(POST, "/api/staff-auth/logout",          web_api_logout,      PUBLIC,  JSON),

	/* The booking catalogue and availability (BOOK-1, BOOK-3, BOOK-6, BOOK-13). */
	VIEW(GET,   "/api/services",           web_api_services,      PUBLIC, JSON),
	VIEW(GET,   "/api/psychologists",      web_api_psychologists, PUBLIC, JSON),
	VIEW(GET,   "/api/availability",       web_api_availability,  PUBLIC, JSON),

	/* Staff messaging (NOTE-7). */
	VIEW(POST,  "/comms",                  web_staff_comms, STAFF, JSON),
	VIEW(POST,  "/api/notifications",      web_staff_comms, STAFF, JSON),
	/* Bulk sends (NOTE-1): clinic admins only. */
	VIEW(POST,  "/api/campaigns",          web_campaigns_create, ADMIN, JSON),

	/* The booking wizard, steps 1-3 (book.c): GET pages whose URLs keep every choice. */
	VIEW(GET,   "/book",                   web_book_service,      PUBLIC, HTML),
	VIEW(GET,   "/book/psychologist",      web_book_psychologist, PUBLIC, HTML),
	VIEW(GET,   "/book/psychologists/:id", web_book_profile,      PUBLIC, HTML),
	VIEW(GET,   "/book/time",              web_book_time,         PUBLIC, HTML),
	VIEW(GET,   "/book/summary",           web_book_summary,      PUBLIC, HTML),

	/* Providers: each handler verifies the provider's signature before anything else. */
	VIEW(POST, "/webhooks/twilio/status", web_webhook_twilio_status, WEBHOOK, JSON),
	VIEW(POST, "/webhooks/sendgrid/events", web_webhook_sendgrid_events, WEBHOOK, JSON),
	VIEW(GET,  "/webhooks/whatsapp",      web_webhook_whatsapp_verify, WEBHOOK, JSON),
	VIEW(POST, "/webhooks/whatsapp",      web_webhook_whatsapp, WEBHOOK, JSON),

	/* Development and test only (never when KAIROS_ENV=production). */
	DEV_ROUTE(GET, "/_styleguide",   web_styleguide,    HTML),

	/* For the test suite only (KAIROS_DEBUG_ROUTES, refused in production): slow requests,
	 * body echo, a crash, a leak for the harness to catch. No CSRF check: they post raw
	 * bodies the way hostile clients would. */
	DEBUG_ROUTE(GET,  "/_debug/sleep",      web_debug_sleep, JSON),
	DEBUG_ROUTE(POST, "/_debug/echo",       web_debug_echo,  JSON),
	DEBUG_ROUTE(POST, "/_debug/echo-form",  web_debug_echo,  HTML),
	DEBUG_ROUTE(POST, "/_debug/crash",      web_debug_crash, JSON),
	DEBUG_ROUTE(POST, "/_debug/leak",       web_debug_leak,  JSON),
	DEBUG_ROUTE(POST, "/_debug/notify",     web_debug_notify, JSON),
	DEBUG_ROUTE(POST, "/_debug/clock",      web_debug_clock, JSON),
};

const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
