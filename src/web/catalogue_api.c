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

#include <json-c/json.h>

/* The view of a domain call that failed; problems in e are a 400. */
static struct web_view
catalogue_failed(int rc, const struct input_errors *e)
{
	switch (rc) {
	case CATALOGUE_EINVALID:
		return web_view_invalid(e);
	case CATALOGUE_ENOTFOUND:
		return web_view_error(404, "Not found", NULL);
	case CATALOGUE_EDB:
		return web_view_db_failed();
	default:
		return web_view_error(500, "Internal error", NULL);
	}
}

/* Records the step's event and answers with `answer` (consumed); the answer fails with the
 * database if the insert does. */
static struct web_view
catalogue_answer(struct web_app *app, struct request *req, struct response *resp,
    struct funnel_event ev, struct json_object *answer)
{
	ev.sole_write = true;	/* these steps only read: the event's commit may be asynchronous */
	if (web_funnel(app, req, resp, &ev) != DB_OK) {
		json_object_put(answer);
		return web_view_db_failed();
	}
	return web_view_json(200, answer);
}

struct web_view
web_api_services(struct web_app *app, struct request *req, struct response *resp)
{
	struct catalogue_services_query q = { 0 };
	struct input_errors e = { 0 };
	struct funnel_event ev;
	struct catalogue_service *s;
	size_t n;
	int rc;

	if (web_input(app, req, &catalogue_services_spec, &q, &e))
		return web_view_invalid(&e);
	if ((rc = catalogue_services(&app->db, &req->arena, &q, &s, &n, &e)) != CATALOGUE_OK)
		return catalogue_failed(rc, &e);
	ev = FUNNEL_EVENT(FUNNEL_SERVICE);
	ev.location_id = q.location_id;
	ev.session_type = q.session_type;
	return catalogue_answer(app, req, resp, ev, catalogue_services_json(s, n));
}

struct web_view
web_api_psychologists(struct web_app *app, struct request *req, struct response *resp)
{
	struct catalogue_psychologists_query q = { 0 };
	struct input_errors e = { 0 };
	struct funnel_event ev;
	struct catalogue_psychologist *p;
	size_t n;
	int rc;

	if (web_input(app, req, &catalogue_psychologists_spec, &q, &e))
		return web_view_invalid(&e);
	rc = catalogue_psychologists(&app->db, &req->arena, &q, clock_now(), &p, &n, &e);
	if (rc != CATALOGUE_OK)
		return catalogue_failed(rc, &e);
	ev = FUNNEL_EVENT(FUNNEL_PSYCHOLOGIST);
	ev.service_id = q.service_id;
	ev.location_id = q.location_id;
	ev.session_type = q.session_type;
	return catalogue_answer(app, req, resp, ev, catalogue_psychologists_json(p, n));
}

struct web_view
web_api_availability(struct web_app *app, struct request *req, struct response *resp)
{
	struct catalogue_availability_query q = { 0 };
	struct input_errors e = { 0 };
	struct funnel_event ev;
	const struct tz_zone *zone;
	struct catalogue_slot *s;
	size_t n;
	int rc;

	if (web_input(app, req, &catalogue_availability_spec, &q, &e))
		return web_view_invalid(&e);
	rc = catalogue_availability(&app->db, &req->arena, &q, clock_now(), &zone, &s, &n, &e);
	if (rc != CATALOGUE_OK)
		return catalogue_failed(rc, &e);
	ev = FUNNEL_EVENT(FUNNEL_TIME);
	ev.service_id = q.service_id;
	ev.practitioner_id = q.practitioner_id;
	ev.location_id = q.location_id;
	ev.session_type = q.session_type;
	return catalogue_answer(app, req, resp, ev, catalogue_slots_json(zone, s, n));
}
