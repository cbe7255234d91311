/* What a handler returns (view.c): a failing handler's model goes to dispatch with its view
 * (web_view_freeing), and on a test stack a page its route's row does not name is refused
 * (web_route_renders), so the row in web/routes.c cannot hide a template; which pages get a
 * CSRF token (test_csrf_pages). */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../lib/tap.h"
#include "../lib/testfile.h"

/* Writes templates/NAME.mustache under dir. */
static void
put(const char *dir, const char *name, const char *text)
{
	char file[256];

	snprintf(file, sizeof file, "templates/%s.mustache", name);
	test_file_put(dir, file, text);
}

/* Which pages get a CSRF token (render.c, web_views_load): those that post a form, from their
 * own text or a partial's; and a template that posts without the token's field stops the
 * start. */
static void
test_csrf_pages(void)
{
	char dir[] = "/tmp/kairos-web-view-XXXXXX", sub[600];
	struct web_app *app = calloc(1, sizeof *app);
	struct buf err = BUF_INIT;

	if (mkdtemp(dir) == NULL)
		abort();
	for (const char *d = "templates\0templates/pages\0templates/partials\0"; *d; d += strlen(d) + 1) {
		snprintf(sub, sizeof sub, "%s/%s", dir, d);
		mkdir(sub, 0700);
	}
	put(dir, "layout", "<main>{{$main}}{{/main}}</main>{{#site.user}}<form method=\"post\">"
	    "<input name=\"_csrf\" value=\"{{site.csrf}}\"></form>{{/site.user}}");
	put(dir, "pages/own", "{{<layout}}{{$main}}<form method=\"POST\"><input name=\"_csrf\" "
	    "value=\"{{site.csrf}}\"></form>{{/main}}{{/layout}}");
	put(dir, "pages/get", "{{<layout}}{{$main}}<form method=\"get\"></form>{{/main}}{{/layout}}");
	put(dir, "pages/deep", "{{<layout}}{{$main}}{{> partials/outer }}{{/main}}{{/layout}}");
	put(dir, "partials/outer", "<div>{{>partials/inner}}</div>");
	put(dir, "partials/inner", "<form method=\"post\"><input name=\"_csrf\" value=\"{{site.csrf}}\"></form>");
	app->cfg.share_dir = dir;
	if (!ok(web_views_load(app, &err) == 0, "templates load"))
		diag("%s", err.data ? err.data : "");
	ok(app->ncsrf_pages == 2 && strcmp(app->csrf_pages[0], "pages/deep") == 0 &&
	    strcmp(app->csrf_pages[1], "pages/own") == 0,
	    "a token for the pages that post: their own form, and one two partials down; not a GET form");
	web_views_free(app);
	put(dir, "partials/inner", "<form method=\"post\"></form>");
	buf_reset(&err);
	ok(web_views_load(app, &err) < 0 && err.data != NULL &&
	    strstr(err.data, "templates/partials/inner.mustache: a form that posts has no {{site.csrf}} field") != NULL,
	    "a form that posts without the token's field stops the start, naming its file");
	buf_free(&err);
	snprintf(sub, sizeof sub, "rm -rf '%s'", dir);
	if (system(sub) != 0)
		diag("could not remove %s", dir);
	free(app);
}

static struct web_view
row_view(struct web_app *a, struct request *r, struct response *s)
{
	(void)a, (void)r, (void)s;
	return web_view_sent();
}

int
main(void)
{
	static const struct web_route row = { .route = { HTTP_GET, "/book/psychologist" },
		.view = row_view, .handler = "row_view",
		.templates = "pages/book-psychologist partials/book-psychologist-main" };
	struct web_app *app = calloc(1, sizeof *app);
	struct json_object *model = json_object_new_object();
	struct web_view v;

	app->cfg.debug_routes = true;
	app->rq.route = &row;
	ok(web_route_renders(app, "pages/book-psychologist"), "a template its row names: rendered");
	ok(web_route_renders(app, "partials/book-psychologist-main"), "the last one too");
	ok(!web_route_renders(app, "pages/book"), "a prefix of a named one: refused");
	ok(!web_route_renders(app, "book-psychologist"), "a suffix of a named one: refused");
	ok(!web_route_renders(app, "pages/home"), "one its row does not name: refused");
	app->rq.route = NULL;
	ok(!web_route_renders(app, "pages/home"), "before routing, none is named");
	app->cfg.debug_routes = false;
	ok(web_route_renders(app, "pages/home"), "outside test stacks nothing is checked");

	v = web_view_freeing(web_view_db_failed(), model);
	ok(v.kind == WEB_VIEW_DB_FAILED && v.status == 503 && v.model == model,
	    "web_view_freeing: the view is the answer, and carries the model for dispatch to free");
	json_object_put(v.model);	/* what web_view_send does; ASan: no leak */
	v = web_view_freeing(web_view_json(200, NULL), json_object_new_object());
	ok(v.kind == WEB_VIEW_JSON && v.model == NULL,
	    "a JSON view's model is its answer: the other is freed at once (ASan: no leak)");
	free(app);
	test_csrf_pages();
	return tap_done();
}
