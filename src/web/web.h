/* web: the route table, the handlers behind it, and `kairos serve` which runs them.
 *
 * web is the top of the dependency arrows (ARCHITECTURE.md): it may use every domain
 * module; nothing includes web/. */
#ifndef KAIROS_WEB_H
#define KAIROS_WEB_H

#include "core/core.h"
#include "db/db.h"
#include "http/http.h"

/* One worker's state, alive from its start to its exit. */
struct web_app {
	struct config        cfg;		/* owned */
	struct db            db;		/* opened on first use */
	struct db_migrations migrations;	/* the files of this build, for /readyz */
};

/* Who may call a route. Until sign-in lands (AUTH-*) only public routes exist. */
enum web_access { WEB_PUBLIC, WEB_PATIENT, WEB_STAFF, WEB_WEBHOOK };

typedef void (*web_handler)(struct web_app *app, struct request *req, struct response *resp);

struct web_route {
	struct http_route route;	/* first: the router reads it */
	web_handler       handler;
	enum web_access   access;
	enum http_kind    kind;
	bool              debug_only;	/* only with KAIROS_DEBUG_ROUTES */
};

extern const struct web_route web_routes[];
extern const size_t web_nroutes;

/* The http_handler of every worker: route, check access, call the handler. */
void web_dispatch(void *app, struct request *req, struct response *resp);

/* Reads the body of req within the configured limit; on failure writes the error answer
 * (in the route's kind) into resp and returns -1. */
int  web_read_body(struct web_app *app, struct request *req, struct response *resp);
/* 503 "temporarily unavailable" in the route's kind, after a database failure. */
void web_unavailable(struct response *resp, enum http_kind kind);

/* handlers */
void web_health_live(struct web_app *, struct request *, struct response *);
void web_health_ready(struct web_app *, struct request *, struct response *);
void web_home(struct web_app *, struct request *, struct response *);
void web_debug_sleep(struct web_app *, struct request *, struct response *);
void web_debug_echo(struct web_app *, struct request *, struct response *);
void web_debug_crash(struct web_app *, struct request *, struct response *);
void web_debug_leak(struct web_app *, struct request *, struct response *);

/* `kairos serve` (argv[0] is "serve"); returns the exit status. */
int  web_serve_main(int argc, char **argv, const char *config_file);

#endif
