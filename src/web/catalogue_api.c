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

/* The view of a domain call that failed; problems in e are a 400. */
static struct web_view
catalogue_failed(int rc, const struct input_errors *e)
{
	if (rc == CATALOGUE_EINVALID)
		return web_view_invalid(e);
	return web_catalogue_failed(rc, "Not found", "Internal error");
}

/* Records the step's event (queued: it goes out with the commit) and answers with the JSON
 * text json[0..len); the answer fails with the database if the event cannot be queued. */
static struct web_view
catalogue_answer(struct web_app *app, struct request *req, struct response *resp,
    struct funnel_event ev, const char *json, size_t len)
{
	ev.sole_write = true;	/* these steps only read: the event's commit may be asynchronous */
	if (web_funnel(app, req, resp, &ev) != DB_OK)
		return web_view_db_failed();
	return web_view_json_text(200, json, len);
}

struct web_view
web_api_services(struct web_app *app, struct request *req, struct response *resp)
{
	struct catalogue_services_query q = { 0 };
	struct input_errors e = { 0 };
	struct funnel_event ev = FUNNEL_EVENT(FUNNEL_SERVICE);
	struct catalogue_service *s;
	struct json_object *answer;
	const char *json;
	size_t n, len;
	int rc;

	if (web_input(app, req, &catalogue_services_spec, &q, &e))
		return web_view_invalid(&e);
	if ((rc = catalogue_services(&app->db, &req->arena, &q, &s, &n, &e)) != CATALOGUE_OK)
		return catalogue_failed(rc, &e);
	answer = catalogue_services_json(s, n);
	json = arena_strdup(&req->arena, json_object_to_json_string_length(answer,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len));
	json_object_put(answer);
	ev.location_id = q.location_id;
	ev.session_type = q.session_type;
	return catalogue_answer(app, req, resp, ev, json, len);
}

struct web_view
web_api_psychologists(struct web_app *app, struct request *req, struct response *resp)
{
	struct catalogue_psychologists_query q = { 0 };
	struct input_errors e = { 0 };
	struct funnel_event ev = FUNNEL_EVENT(FUNNEL_PSYCHOLOGIST);
	const char *json;
	size_t len;
	int rc;

	if (web_input(app, req, &catalogue_psychologists_spec, &q, &e))
		return web_view_invalid(&e);
	rc = catalogue_psychologists_text(&app->db, &req->arena, &q, clock_now(), &json, &len, &e);
	if (rc != CATALOGUE_OK)
		return catalogue_failed(rc, &e);
	ev.service_id = q.service_id;
	ev.location_id = q.location_id;
	ev.session_type = q.session_type;
	return catalogue_answer(app, req, resp, ev, json, len);
}

struct web_view
web_api_availability(struct web_app *app, struct request *req, struct response *resp)
{
	struct catalogue_availability_query q = { 0 };
	struct input_errors e = { 0 };
	struct funnel_event ev = FUNNEL_EVENT(FUNNEL_TIME);
	const char *json;
	size_t len;
	int rc;

	if (web_input(app, req, &catalogue_availability_spec, &q, &e))
		return web_view_invalid(&e);
	rc = catalogue_availability_text(&app->db, &req->arena, &q, clock_now(), &json, &len, &e);
	if (rc != CATALOGUE_OK)
		return catalogue_failed(rc, &e);
	ev.service_id = q.service_id;
	ev.practitioner_id = q.practitioner_id;
	ev.location_id = q.location_id;
	ev.session_type = q.session_type;
	return catalogue_answer(app, req, resp, ev, json, len);
}
