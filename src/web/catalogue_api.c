/* catalogue_api.c: the catalogue's JSON API (BOOK-13's read endpoints; patient-api.md,
 * "Catalogue and availability"), public:
 *   GET /api/services       ?sessionType=&locationId=&concern=&funding=&insurer=
 *   GET /api/psychologists  ?serviceId=&q=&specialty=&language=&gender=&locationId=
 *                           &telehealth=&availableWithinDays=&sort=soonest|rating&tz=&sessionType=
 *   GET /api/availability   ?practitionerId=&serviceId=&from=&to=&tz=&sessionType=&locationId=
 *
 * Each reads its query with the input spec the wizard's page uses, makes the same domain
 * call (catalogue/), and records the step's funnel event in the request's transaction
 * (the visit is the X-Visit-Id header's, or a new one sent back in it). */
#include "web/web.h"
#include "catalogue/catalogue.h"
#include "funnel/funnel.h"

#include <string.h>

#include <json-c/json.h>

/* The view of a failed catalogue call other than CATALOGUE_EINVALID, which each caller shows
 * its own way (web.h). */
struct web_view
web_catalogue_failed(int rc, const char *not_found, const char *internal)
{
	switch (rc) {
	case CATALOGUE_ENOTFOUND:
		return web_view_error(404, not_found, NULL);
	case CATALOGUE_EDB:
		return web_view_db_failed();
	default:
		return web_view_error(500, internal, NULL);
	}
}

/* The query of any of the three endpoints: web_input fills the member its spec is for. */
union catalogue_query {
	struct catalogue_services_query      services;
	struct catalogue_psychologists_query psychologists;
	struct catalogue_availability_query  availability;
};

/* An endpoint's domain call: the answer to q as JSON text (*json, *len; arena-owned) or a
 * catalogue_result, and the choices its event records, set in *ev. */
typedef int (*catalogue_call)(struct web_app *app, struct request *req,
	const union catalogue_query *q, struct funnel_event *ev, const char **json, size_t *len,
	struct input_errors *e);

/* One endpoint: reads the query with spec, makes the call, records the step's event (queued:
 * it goes out with the commit; these steps only read, so its commit may be asynchronous) and
 * sends the text. A failed call's problems in e are a 400. */
static struct web_view
catalogue_endpoint(struct web_app *app, struct request *req, struct response *resp,
    const struct input_spec *spec, enum funnel_step step, catalogue_call call)
{
	union catalogue_query q;
	struct input_errors e = { 0 };
	struct funnel_event ev = FUNNEL_EVENT(step);
	const char *json = NULL;
	size_t len = 0;
	int rc;

	memset(&q, 0, sizeof q);
	if (web_input(app, req, spec, &q, &e))
		return web_view_invalid(&e);
	if ((rc = call(app, req, &q, &ev, &json, &len, &e)) == CATALOGUE_EINVALID)
		return web_view_invalid(&e);
	if (rc != CATALOGUE_OK)
		return web_catalogue_failed(rc, "Not found", "Internal error");
	ev.sole_write = true;
	if (web_funnel(app, req, resp, &ev) != DB_OK)
		return web_view_db_failed();
	return web_view_json_text(200, json, len);
}

static int
catalogue_services_call(struct web_app *app, struct request *req, const union catalogue_query *u,
    struct funnel_event *ev, const char **json, size_t *len, struct input_errors *e)
{
	const struct catalogue_services_query *q = &u->services;
	struct catalogue_service *s;
	struct json_object *answer;
	size_t n;
	int rc;

	ev->location_id = q->location_id;
	ev->session_type = q->session_type;
	if ((rc = catalogue_services(&app->db, &req->arena, q, &s, &n, e)) != CATALOGUE_OK)
		return rc;
	answer = catalogue_services_json(s, n);
	*json = arena_strdup(&req->arena, json_object_to_json_string_length(answer,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len));
	json_object_put(answer);
	return CATALOGUE_OK;
}

static int
catalogue_psychologists_call(struct web_app *app, struct request *req,
    const union catalogue_query *u, struct funnel_event *ev, const char **json, size_t *len,
    struct input_errors *e)
{
	const struct catalogue_psychologists_query *q = &u->psychologists;

	ev->service_id = q->service_id;
	ev->location_id = q->location_id;
	ev->session_type = q->session_type;
	return catalogue_psychologists_text(&app->db, &req->arena, q, clock_now(), json, len, e);
}

static int
catalogue_availability_call(struct web_app *app, struct request *req,
    const union catalogue_query *u, struct funnel_event *ev, const char **json, size_t *len,
    struct input_errors *e)
{
	const struct catalogue_availability_query *q = &u->availability;

	ev->service_id = q->service_id;
	ev->practitioner_id = q->practitioner_id;
	ev->location_id = q->location_id;
	ev->session_type = q->session_type;
	return catalogue_availability_text(&app->db, &req->arena, q, clock_now(), json, len, e);
}

struct web_view
web_api_services(struct web_app *app, struct request *req, struct response *resp)
{
	return catalogue_endpoint(app, req, resp, &catalogue_services_spec, FUNNEL_SERVICE,
	    catalogue_services_call);
}

struct web_view
web_api_psychologists(struct web_app *app, struct request *req, struct response *resp)
{
	return catalogue_endpoint(app, req, resp, &catalogue_psychologists_spec, FUNNEL_PSYCHOLOGIST,
	    catalogue_psychologists_call);
}

struct web_view
web_api_availability(struct web_app *app, struct request *req, struct response *resp)
{
	return catalogue_endpoint(app, req, resp, &catalogue_availability_spec, FUNNEL_TIME,
	    catalogue_availability_call);
}
