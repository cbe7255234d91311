/* routes.c: every URL Kairos answers, in one table (ARCHITECTURE.md, step 2). */
#include "web/web.h"

#define ROUTE(m, pattern, fn, access, kind) \
	{ { HTTP_##m, pattern }, fn, WEB_##access, HTTP_KIND_##kind, false, false }
#define DEV_ROUTE(m, pattern, fn, kind) \
	{ { HTTP_##m, pattern }, fn, WEB_PUBLIC, HTTP_KIND_##kind, false, true }
#define DEBUG_ROUTE(m, pattern, fn, kind) \
	{ { HTTP_##m, pattern }, fn, WEB_PUBLIC, HTTP_KIND_##kind, true, false }

const struct web_route web_routes[] = {
	ROUTE(GET,  "/",                 web_home,          PUBLIC, HTML),
	ROUTE(GET,  "/healthz",          web_health_live,   PUBLIC, JSON),
	ROUTE(GET,  "/readyz",           web_health_ready,  PUBLIC, JSON),

	/* Staff messaging (NOTE-7): a bearer token until staff sign-in exists (AUTH-5). */
	ROUTE(POST, "/comms",                  web_staff_comms, STAFF_TOKEN, JSON),
	ROUTE(POST, "/api/notifications",      web_staff_comms, STAFF_TOKEN, JSON),

	/* Providers: each handler verifies the provider's signature before anything else. */
	ROUTE(POST, "/webhooks/twilio/status", web_webhook_twilio_status, WEBHOOK, JSON),
	ROUTE(GET,  "/webhooks/whatsapp",      web_webhook_whatsapp_verify, WEBHOOK, JSON),
	ROUTE(POST, "/webhooks/whatsapp",      web_webhook_whatsapp, WEBHOOK, JSON),

	/* Development and test only (never when KAIROS_ENV=production). */
	DEV_ROUTE(GET, "/_styleguide",   web_styleguide,    HTML),

	/* For the test suite only: slow requests, body echo, a crash, a leak for the
	 * harness to catch. */
	DEBUG_ROUTE(GET,  "/_debug/sleep",      web_debug_sleep, JSON),
	DEBUG_ROUTE(POST, "/_debug/echo",       web_debug_echo,  JSON),
	DEBUG_ROUTE(POST, "/_debug/echo-form",  web_debug_echo,  HTML),
	DEBUG_ROUTE(POST, "/_debug/crash",      web_debug_crash, JSON),
	DEBUG_ROUTE(POST, "/_debug/leak",       web_debug_leak,  JSON),
	DEBUG_ROUTE(POST, "/_debug/notify",     web_debug_notify, JSON),
};

const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
