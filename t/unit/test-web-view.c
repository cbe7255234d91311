/* What a handler returns (view.c): a failing handler's model goes to dispatch with its view
 * (web_view_freeing), and on a test stack a page its route's row does not name is refused
 * (web_route_renders), so the row in web/routes.c cannot hide a template. */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/tap.h"

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
	return tap_done();
}
