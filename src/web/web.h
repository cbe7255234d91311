/* web: the route table, the handlers behind it, and `kairos serve` which runs them.
 *
 * web is the top of the dependency arrows (ARCHITECTURE.md): it may use every domain
 * module; nothing includes web/. */
#ifndef KAIROS_WEB_H
#define KAIROS_WEB_H

#include "core/core.h"
#include "db/db.h"
#include "http/http.h"
#include "view/view.h"

/* One worker's state, alive from its start to its exit. */
struct web_app {
	struct config        cfg;		/* owned */
	struct db            db;		/* opened on first use */
	struct db_migrations migrations;	/* the files of this build, for /readyz */
	struct view_registry *views;		/* every template, compiled at start */
	struct json_object   *assets;		/* {css, js, logo}: fingerprinted URLs */
	char                 *org_name;		/* cached after the first successful read */
};

/* Who may call a route. Until sign-in lands (AUTH-*) patient and staff routes are refused.
 * WEB_WEBHOOK: the handler verifies the provider's signature. WEB_STAFF_TOKEN: the handler
 * checks KAIROS_STAFF_API_TOKEN (interim, until AUTH-5). */
enum web_access { WEB_PUBLIC, WEB_PATIENT, WEB_STAFF, WEB_WEBHOOK, WEB_STAFF_TOKEN };

typedef void (*web_handler)(struct web_app *app, struct request *req, struct response *resp);

struct web_route {
	struct http_route route;	/* first: the router reads it */
	web_handler       handler;
	enum web_access   access;
	enum http_kind    kind;
	bool              debug_only;	/* only with KAIROS_DEBUG_ROUTES */
	bool              dev_only;	/* only when KAIROS_ENV is not production */
};

extern const struct web_route web_routes[];
extern const size_t web_nroutes;

/* The http_handler of every worker: route, check access, call the handler. */
void web_dispatch(void *app, struct request *req, struct response *resp);

/* Reads the body of req within the configured limit; on failure writes the error answer
 * (in the route's kind) into resp and returns -1. */
int  web_read_body(struct web_app *app, struct request *req, struct response *resp);
/* An error answer in the request's kind: JSON {"error","details"?} (details names `field`
 * when given) or the error page through the layout. */
void web_error(struct web_app *app, struct request *req, struct response *resp, int status,
	const char *message, const char *field);
/* 503 "temporarily unavailable", after a database failure. */
void web_unavailable(struct web_app *app, struct request *req, struct response *resp);
/* Renders `page` (a template name) over model with `site` (and the request) added, as
 * the response body with status. Consumes model. On a template failure: 500, logged. */
void web_page(struct web_app *app, struct request *req, struct response *resp, int status,
	const char *page, struct json_object *model);
/* Loads templates and the asset manifest for a worker. 0, or -1 with the reason in err. */
int  web_views_load(struct web_app *app, struct buf *err);
void web_views_free(struct web_app *app);

/* handlers */
void web_health_live(struct web_app *, struct request *, struct response *);
void web_health_ready(struct web_app *, struct request *, struct response *);
void web_home(struct web_app *, struct request *, struct response *);
void web_debug_sleep(struct web_app *, struct request *, struct response *);
void web_debug_echo(struct web_app *, struct request *, struct response *);
void web_debug_crash(struct web_app *, struct request *, struct response *);
void web_debug_leak(struct web_app *, struct request *, struct response *);
void web_styleguide(struct web_app *, struct request *, struct response *);
void web_debug_notify(struct web_app *, struct request *, struct response *);
void web_webhook_twilio_status(struct web_app *, struct request *, struct response *);
void web_webhook_whatsapp_verify(struct web_app *, struct request *, struct response *);
void web_webhook_whatsapp(struct web_app *, struct request *, struct response *);
void web_staff_comms(struct web_app *, struct request *, struct response *);

/* The organisation of the request, as a UUID into out (37 bytes). DB_OK or an error. */
int  web_org_id(struct web_app *app, char out[37]);

/* `kairos serve` (argv[0] is "serve"); returns the exit status. */
int  web_serve_main(int argc, char **argv, const char *config_file);

#endif
