/* debug.c: routes the test suite needs to create load and hostile conditions. They exist
 * only with KAIROS_DEBUG_ROUTES=true, which config refuses in production. */
#include "web/web.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "notify/notify.h"

/* Long enough for drain tests, short enough that a stray request cannot pin a worker. */
#define WEB_DEBUG_MAX_SLEEP_MS 30000

/* 400 {"details": {field: message}}: the debug routes' one way to refuse */
static struct web_view
debug_refuse(struct request *req, const char *field, const char *message)
{
	struct input_errors e = { 0 };

	input_error_add(&e, &req->arena, field, message);
	return web_view_invalid(&e);
}

struct web_view
web_debug_sleep(struct web_app *app, struct request *req, struct response *resp)
{
	const char *v = http_param(&req->query, "ms");
	long ms = v ? strtol(v, NULL, 10) : 0;
	struct timespec ts;

	(void)app;
	(void)resp;
	if (ms < 0 || ms > WEB_DEBUG_MAX_SLEEP_MS)
		return debug_refuse(req, "ms", "must be 0..30000");
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
	return web_view_json(200, json_tokener_parse("{\"slept\":true}"));
}

struct web_view
web_debug_echo(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *out, *form;

	if (web_read_body(app, req, resp) < 0)
		return web_view_sent();
	for (size_t i = 0; i < req->form.count; i++)
		if (!utf8_valid(req->form.items[i].value, req->form.items[i].value_len)) {
			/* kept by the parser for an input spec to name; a raw echo cannot */
			web_error(app, req, resp, 400, "Parameter is not valid UTF-8",
			    req->form.items[i].name);
			return web_view_sent();
		}
	out = json_object_new_object();
	form = json_object_new_object();
	for (size_t i = 0; i < req->form.count; i++)
		json_object_object_add(form, req->form.items[i].name,
		    json_object_new_string_len(req->form.items[i].value,
		    (int)req->form.items[i].value_len));
	json_object_object_add(out, "form", form);
	json_object_object_add(out, "json", req->json ? json_object_get(req->json) : NULL);
	json_object_object_add(out, "bodyBytes", json_object_new_int64((int64_t)req->body_len));
	return web_view_json(200, out);
}

struct web_view
web_debug_crash(struct web_app *app, struct request *req, struct response *resp)
{
	(void)app;
	(void)req;
	(void)resp;
	log_warn("debug crash", "%s", "worker killing itself on request");
	kill(getpid(), SIGKILL);
	return web_view_sent();
}

/* Leaks one small block on purpose, so the test suite can prove that its teardown notices
 * a LeakSanitizer report from a worker (t/integration/harness.t). */
struct web_view
web_debug_leak(struct web_app *app, struct request *req, struct response *resp)
{
	static char *volatile sink;

	(void)app;
	(void)req;
	sink = xmalloc(64);
	memset(sink, 'k', 64);
	sink = NULL;
	http_response_set(resp, 200, "application/json", "{\"leaked\":64}", 13);
	return web_view_sent();
}

/* The design system's every component (issue 3), for designers and the e2e test. The model
 * is templates/pages/styleguide.json, read per request so edits show on reload. */
struct web_view
web_styleguide(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *model;
	char path[4096];

	(void)req;
	(void)resp;
	snprintf(path, sizeof path, "%s/templates/pages/styleguide.json", app->cfg.share_dir);
	if ((model = json_object_from_file(path)) == NULL ||
	    !json_object_is_type(model, json_type_object)) {
		log_error("styleguide model unreadable", "%s", path);
		return web_view_freeing(web_view_error(500, "The styleguide model could not be read.",
		    NULL), model);
	}
	return web_view_page(200, "pages/styleguide", model);
}

/* A string member or NULL, without details: the debug routes answer one message. */
static const char *
debug_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return http_json_text(v);
}

/* Queues a notification the way a feature will: in a transaction with its event, which
 * commits, or rolls back when {"rollback": true} (the message must then not exist).
 * Body: {"event","channel","to","body","subject"?,"html"?,"rollback"?}, or "template" and
 * "model" instead of body, subject and html. */
struct web_view
web_debug_notify(struct web_app *app, struct request *req, struct response *resp)
{
	struct notify_message m = { 0 };
	struct json_object *rb, *model = NULL, *out;
	const char *channel, *template;
	bool created = false, rollback;
	int rc;

	if (web_read_body(app, req, resp) < 0)
		return web_view_sent();
	template = req->json ? debug_str(req->json, "template") : NULL;
	if (req->json == NULL || (m.event_key = debug_str(req->json, "event")) == NULL ||
	    (channel = debug_str(req->json, "channel")) == NULL ||
	    notify_channel_parse(channel, &m.channel) < 0 ||
	    (m.recipient = debug_str(req->json, "to")) == NULL ||
	    ((m.body_text = debug_str(req->json, "body")) == NULL && template == NULL))
		return web_view_error(400, "event, channel (sms|whatsapp|email), to and body or template are required", "body");
	rollback = json_object_object_get_ex(req->json, "rollback", &rb) && json_object_get_boolean(rb);
	m.org_id = app->rq.org_id;
	if (template != NULL) {
		json_object_object_get_ex(req->json, "model", &model);
		rc = web_queue_message(app, template, model ? json_object_get(model) :
		    json_object_new_object(), &m, &created);
	} else {
		m.subject = debug_str(req->json, "subject");
		m.body_html = debug_str(req->json, "html");
		rc = notify_enqueue(&app->db, &m, &created);
	}
	if (rc != DB_OK) {
		log_error("enqueue failed", "%s", app->db.error);
		/* a test route: the reason (a template's error) is the answer */
		return web_view_error(400, arena_strdup(&req->arena, app->db.error),
		    template ? "template" : "body");
	}
	if (rollback) {
		db_rollback(&app->db);	/* as if the event that queued it failed after all */
		app->rq.in_tx = false;
	}
	out = json_object_new_object();
	json_object_object_add(out, "created", json_object_new_boolean(created));
	json_object_object_add(out, "committed", json_object_new_boolean(!rollback));
	return web_view_json(200, out);
}

/* The furthest one call moves the clock: a century, well past anything a test wants. */
#define WEB_DEBUG_CLOCK_ADVANCE_MAX (100LL * 366 * 86400)

struct web_view
web_debug_clock(struct web_app *app, struct request *req, struct response *resp)
{
	const char *at = http_param(&req->query, "at"), *adv = http_param(&req->query, "advance");
	const char *real = http_param(&req->query, "real");
	struct json_object *out;
	long long s = 0;
	char *end = NULL;

	(void)app;
	(void)resp;
	if (at != NULL && clock_parse_utc(at, &s) == 0) {
		clock_start_at_for_test(s * 1000000LL);
	} else if (adv != NULL && (s = strtoll(adv, &end, 10), *adv && *end == '\0') &&
	    s >= -WEB_DEBUG_CLOCK_ADVANCE_MAX && s <= WEB_DEBUG_CLOCK_ADVANCE_MAX) {
		clock_advance_for_test(s * 1000000LL);
	} else if (real != NULL && strcmp(real, "1") == 0) {
		clock_reset_for_test();
	} else
		return debug_refuse(req, "at", "at=2026-10-04T01:30:00Z, advance=SECONDS or real=1");
	out = json_object_new_object();
	json_object_object_add(out, "now", json_object_new_int64(clock_now()));
	json_object_object_add(out, "pid", json_object_new_int64((int64_t)getpid()));
	return web_view_json(200, out);
}
