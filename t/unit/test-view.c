/* view registry: every template of templates/ compiles; names, lookup, inheritance through
 * the layout, and start-up errors with file:line:col. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "view/view.h"
#include "tap.h"
#include "testfile.h"

#ifndef TEMPLATES_DIR
#define TEMPLATES_DIR "templates"
#endif

static void
test_real_templates(void)
{
	struct buf err = BUF_INIT, out = BUF_INIT;
	struct mustache_error merr;
	struct view_registry *r = view_registry_load(TEMPLATES_DIR, &err);
	struct json_object *model;

	if (!ok(r != NULL, "every file in templates/ compiles"))
		diag("%s", buf_cstr(&err));
	if (r == NULL)
		return;
	ok(view_registry_count(r) >= 5, "and there are %zu of them", view_registry_count(r));
	ok(view_lookup(r, "layout", 6) != NULL, "the layout is found by name");
	ok(view_lookup(r, "partials/field", 14) != NULL, "partials by path name");
	ok(view_lookup(r, "pages/home", 10) != NULL, "pages by path name");
	ok(view_lookup(r, "pages/hom", 9) == NULL, "a prefix of a name is not a name");
	ok(view_lookup(r, "pages/home.mustache", 19) == NULL, "names carry no extension");
	ok(view_lookup(r, "../templates/layout", 19) == NULL, "a path out of the tree is no name");
	ok(view_lookup(r, "layout\0x", 8) == NULL, "a name with a NUL byte is no name");

	model = json_tokener_parse("{\"status\":404,\"title\":\"Not Found\","
	    "\"message\":\"We couldn't find <that> page.\","
	    "\"site\":{\"name\":\"Harbourside & Co\",\"nav\":[],\"assets\":{\"css\":\"/static/css/app.css\","
	    "\"js\":\"/static/js/app.js\",\"logo\":\"/static/img/logo.svg\"},\"year\":2026}}");
	ok(view_render(r, "pages/error", model, &out, &merr) == 0, "the error page renders");
	ok(strstr(buf_cstr(&out), "<!doctype html>") != NULL || strstr(buf_cstr(&out), "<!DOCTYPE html>") != NULL,
	    "through the layout (a whole document)");
	ok(strstr(buf_cstr(&out), "couldn&#39;t find &lt;that&gt; page.") != NULL,
	    "with the message HTML-escaped, apostrophe included");
	ok(strstr(buf_cstr(&out), "Harbourside &amp; Co") != NULL, "and the clinic name escaped");
	ok(strstr(buf_cstr(&out), "/static/css/app.css") != NULL, "linking the stylesheet");
	buf_reset(&out);
	ok(view_render(r, "pages/nope", model, &out, &merr) < 0 &&
	    strcmp(merr.message, "no such template") == 0, "an unknown page is an error");
	json_object_put(model);
	view_registry_free(r);
	buf_free(&out);
	buf_free(&err);
}

static void
test_errors(void)
{
	char dir[] = "/tmp/kairos-view-XXXXXX", sub[64];
	struct buf err = BUF_INIT;
	struct view_registry *r;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(sub, sizeof sub, "%s/pages", dir);
	mkdir(sub, 0700);
	test_file_put(dir, "layout.mustache", "<main>{{$main}}{{/main}}</main>");
	test_file_put(dir, "pages/ok.mustache", "{{<layout}}{{$main}}hi {{name}}{{/main}}{{/layout}}");
	test_file_put(dir, "pages/bad.mustache", "line one\n  {{#items}}\n{{/things}}\n");
	test_file_put(dir, "notes.txt", "not a template {{");
	r = view_registry_load(dir, &err);
	ok(r == NULL, "a template with a syntax error stops the load");
	ok(strstr(buf_cstr(&err), "pages/bad.mustache:3:") != NULL,
	    "naming file and line: %s", buf_cstr(&err));
	unlink(strcat(strcpy(sub, dir), "/pages/bad.mustache"));
	buf_reset(&err);
	r = view_registry_load(dir, &err);
	ok(r != NULL && view_registry_count(r) == 2, "files without .mustache are not templates");
	if (r != NULL) {
		struct json_object *m = json_tokener_parse("{\"name\":\"<Ann>\"}");
		struct mustache_error merr;
		struct buf out = BUF_INIT;

		ok(view_render(r, "pages/ok", m, &out, &merr) == 0 &&
		    strcmp(buf_cstr(&out), "<main>hi &lt;Ann&gt;</main>") == 0,
		    "a page fills the layout's block: %s", buf_cstr(&out));
		json_object_put(m);
		buf_free(&out);
	}
	view_registry_free(r);
	buf_reset(&err);
	ok(view_registry_load("/nonexistent/templates", &err) == NULL &&
	    strstr(buf_cstr(&err), "/nonexistent/templates") != NULL, "a missing directory is an error");
	buf_free(&err);
	unlink(strcat(strcpy(sub, dir), "/pages/ok.mustache"));
	unlink(strcat(strcpy(sub, dir), "/layout.mustache"));
	unlink(strcat(strcpy(sub, dir), "/notes.txt"));
	rmdir(strcat(strcpy(sub, dir), "/pages"));
	rmdir(dir);
}

int
main(void)
{
	test_real_templates();
	test_errors();
	return tap_done();
}
