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

/* Long enough for drain tests, short enough that a stray request cannot pin a worker. */
#define WEB_DEBUG_MAX_SLEEP_MS 30000

void
web_debug_sleep(struct web_app *app, struct request *req, struct response *resp)
{
	const char *v = http_param(&req->query, "ms");
	long ms = v ? strtol(v, NULL, 10) : 0;
	struct timespec ts;

	(void)app;
	if (ms < 0 || ms > WEB_DEBUG_MAX_SLEEP_MS) {
		struct json_object *d = json_object_new_object();

		json_object_object_add(d, "ms", json_object_new_string("must be 0..30000"));
		http_response_error_json(resp, 400, "Invalid request", d);
		return;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
	http_response_set(resp, 200, "application/json", "{\"slept\":true}", 14);
}

void
web_debug_echo(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *out, *form;

	if (web_read_body(app, req, resp) < 0)
		return;
	out = json_object_new_object();
	form = json_object_new_object();
	for (size_t i = 0; i < req->form.count; i++)
		json_object_object_add(form, req->form.items[i].name,
		    json_object_new_string_len(req->form.items[i].value,
		    (int)req->form.items[i].value_len));
	json_object_object_add(out, "form", form);
	json_object_object_add(out, "json", req->json ? json_object_get(req->json) : NULL);
	json_object_object_add(out, "bodyBytes", json_object_new_int64((int64_t)req->body_len));
	http_response_json(resp, 200, out);
	json_object_put(out);
}

void
web_debug_crash(struct web_app *app, struct request *req, struct response *resp)
{
	(void)app;
	(void)req;
	(void)resp;
	log_warn("debug crash", "%s", "worker killing itself on request");
	kill(getpid(), SIGKILL);
}

/* Leaks one small block on purpose, so the test suite can prove that its teardown notices
 * a LeakSanitizer report from a worker (t/integration/harness.t). */
void
web_debug_leak(struct web_app *app, struct request *req, struct response *resp)
{
	static char *volatile sink;

	(void)app;
	(void)req;
	sink = xmalloc(64);
	memset(sink, 'k', 64);
	sink = NULL;
	http_response_set(resp, 200, "application/json", "{\"leaked\":64}", 13);
}

/* The design system's every component (issue 3), for designers and the e2e test. The model
 * is templates/pages/styleguide.json, read per request so edits show on reload. */
void
web_styleguide(struct web_app *app, struct request *req, struct response *resp)
{
	struct json_object *model;
	char path[4096];

	snprintf(path, sizeof path, "%s/templates/pages/styleguide.json", app->cfg.share_dir);
	if ((model = json_object_from_file(path)) == NULL ||
	    !json_object_is_type(model, json_type_object)) {
		json_object_put(model);
		log_error("styleguide model unreadable", "%s", path);
		web_error(app, req, resp, 500, "The styleguide model could not be read.", NULL);
		return;
	}
	web_page(app, req, resp, 200, "pages/styleguide", model);
}
