/* funnel.c: the booking funnel's per-visit id for pages and API clients, and the one call
 * every wizard step makes to record its event (funnel/funnel.h; docs/booking.md, "Funnel").
 *
 * Pages: the kairos_visit cookie, set when absent (HttpOnly, like every cookie Kairos sets),
 * for FUNNEL_COOKIE_MAX_AGE; it is not the CSRF visitor cookie, so the funnel cannot be
 * joined to anything else a browser does. API clients: the X-Visit-Id header; without one a
 * new id is made and sent back in that header for the client to repeat. */
#include "web/web.h"
#include "funnel/funnel.h"

#include <string.h>

const char *
web_visit_id(struct web_app *app, struct request *req, struct response *resp)
{
	const char *id = http_header(req, FUNNEL_HEADER);
	char *fresh;

	(void)app;
	if (funnel_visit_valid(id))
		return id;
	id = http_param(&req->cookies, FUNNEL_COOKIE);
	if (funnel_visit_valid(id))
		return id;
	fresh = arena_alloc(&req->arena, FUNNEL_VISIT_SIZE);
	if (funnel_visit_new(fresh) < 0)
		return NULL;
	if (req->kind == HTTP_KIND_JSON)
		http_response_header(resp, FUNNEL_HEADER, fresh);
	else
		http_response_cookie(resp, req, FUNNEL_COOKIE, fresh, "/", FUNNEL_COOKIE_MAX_AGE);
	return fresh;
}

int
web_funnel(struct web_app *app, struct request *req, struct response *resp,
    struct funnel_event *ev)
{
	if (http_header(req, FUNNEL_REFRESH_HEADER) != NULL)
		return 0;	/* a poll of a step already recorded */
	if (req->method == HTTP_HEAD)
		return 0;	/* a link previewer or an uptime check, not a visitor's step */
	ev->visit_id = web_visit_id(app, req, resp);
	if (ev->visit_id == NULL)
		return -1;
	ev->org_id = app->rq.org_id;
	return funnel_record(&app->db, ev);
}
