/* render.c: pages and error answers through the view layer (ARCHITECTURE.md, step 5). */
#include "web/web.h"
#include "core/rand.h"
#include "core/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

/* Bytes a page's body starts with: most pages are 3 to 12 KB, so they are rendered without
 * growing the buffer again and again. */
#define WEB_PAGE_RESERVE 16384
/* Random bytes in the mark a page's main is rendered as (web_main_mark): 128 bits. */
#define WEB_MAIN_MARK_BYTES 16
/* A page template with a form that posts shows its token as this (layout.mustache's own
 * sign-out form is for signed-in people, whose token web_site makes). */
#define WEB_PAGES_PREFIX  "pages/"
#define WEB_CSRF_MENTION  "site.csrf"
#define WEB_FORM_POSTS    "method=\"post\""
/* Partials within partials followed when asking whether a page posts a form (the engine
 * itself stops at MUSTACHE_MAX_RENDER_DEPTH; Kairos's pages go two deep). */
#define WEB_PARTIAL_DEPTH 8

/* The stylesheet, script and logo every page links, by source path under static/. */
static const struct {
	const char *key, *path;
} web_asset_files[] = {
	{ "css", "css/app.css" },
	{ "js", "js/app.js" },
	{ "bookingCss", "css/booking.css" },	/* the booking wizard's pages only */
	{ "slotsJs", "js/slots.js" },	/* booking step 3 only (pages/book-time) */
	{ "logo", "img/logo.svg" },
};

#define WEB_NAV_ANONYMOUS (1u << 9)	/* a nav entry for people not signed in */
#define WEB_NAV_EVERYONE  (WEB_NAV_ANONYMOUS | WEB_SIGNED_IN)

static const struct {
	const char *href, *label;
	unsigned    shown_to;	/* roles, WEB_NAV_ANONYMOUS */
} web_nav[] = {
	{ "/", "Home", WEB_NAV_EVERYONE },
	{ "/book", "Book an appointment", WEB_NAV_ANONYMOUS | WEB_PATIENT },
	{ "/account", "Your account", WEB_PATIENT },
	{ "/admin", "Admin", WEB_STAFF },
	{ "/signin", "Sign in", WEB_NAV_ANONYMOUS },
};

/* Reads static/dist/manifest.json ({"css/app.css": "dist/css/app.3f2a1c9e.css"}) written at
 * build time; without it (a plain source checkout) the unfingerprinted files are linked. */
static struct json_object *
web_assets_load(const char *share_dir)
{
	struct json_object *manifest, *assets = json_object_new_object();
	char path[4096], url[4096];

	snprintf(path, sizeof path, "%s/static/dist/manifest.json", share_dir);
	manifest = json_object_from_file(path);
	for (size_t i = 0; i < sizeof web_asset_files / sizeof *web_asset_files; i++) {
		struct json_object *v = NULL;
		const char *rel = web_asset_files[i].path;

		if (manifest != NULL && json_object_object_get_ex(manifest, rel, &v) &&
		    json_object_is_type(v, json_type_string))
			rel = json_object_get_string(v);
		snprintf(url, sizeof url, "/static/%s", rel);
		json_object_object_add(assets, web_asset_files[i].key, json_object_new_string(url));
	}
	json_object_put(manifest);
	return assets;
}

/* Whether template name, or a partial it names ({{>partial}}, at any depth up to
 * WEB_PARTIAL_DEPTH), shows the CSRF field: a page posting a form from a partial needs the
 * token as much as one posting its own. */
static bool
web_template_posts(const struct view_registry *views, const char *name, unsigned depth)
{
	const char *src = view_source(views, name), *p, *end;
	char partial[VIEW_MAX_NAME + 1];

	if (src == NULL || depth > WEB_PARTIAL_DEPTH)
		return false;
	if (strstr(src, WEB_CSRF_MENTION) != NULL)
		return true;
	for (p = src; (p = strstr(p, "{{>")) != NULL; p = end) {
		size_t n;

		for (p += 3; *p == ' '; p++)
			;
		if ((end = strstr(p, "}}")) == NULL)
			break;
		for (n = (size_t)(end - p); n > 0 && p[n - 1] == ' '; n--)
			;
		if (n > 0 && n <= VIEW_MAX_NAME) {
			memcpy(partial, p, n);
			partial[n] = '\0';
			if (web_template_posts(views, partial, depth + 1))
				return true;
		}
	}
	return false;
}

int
web_views_load(struct web_app *app, struct buf *err)
{
	char dir[4096];
	const char *name;
	size_t problems = err->len;

	snprintf(dir, sizeof dir, "%s/templates", app->cfg.share_dir);
	if ((app->views = view_registry_load(dir, err)) == NULL)
		return -1;
	app->ncsrf_pages = 0;
	app->csrf_pages = xcalloc(view_registry_count(app->views), sizeof *app->csrf_pages);
	for (size_t i = 0; (name = view_name(app->views, i)) != NULL; i++) {
		const char *src = view_source(app->views, name);

		/* a form that posts without the token would only ever answer 403 */
		if (strcasestr(src, WEB_FORM_POSTS) != NULL && strstr(src, WEB_CSRF_MENTION) == NULL)
			buf_printf(err, "templates/%s%s: a form that posts has no {{%s}} field\n", name,
			    VIEW_SUFFIX, WEB_CSRF_MENTION);
		else if (strncmp(name, WEB_PAGES_PREFIX, strlen(WEB_PAGES_PREFIX)) == 0 &&
		    web_template_posts(app->views, name, 0))
			app->csrf_pages[app->ncsrf_pages++] = name;
	}
	if (err->len > problems) {
		web_views_free(app);
		return -1;
	}
	app->assets = web_assets_load(app->cfg.share_dir);
	return 0;
}

void
web_views_free(struct web_app *app)
{
	view_registry_free(app->views);
	free(app->csrf_pages);
	app->csrf_pages = NULL;
	app->ncsrf_pages = 0;
	json_object_put(app->assets);
	for (size_t i = 0; i < app->nnav; i++)
		json_object_put(app->nav[i].items);
	app->views = NULL;
	app->assets = NULL;
	app->nnav = 0;
}

void
web_model_put(struct json_object *o, const char *key, struct json_object *v)
{
	/* not JSON_C_OBJECT_ADD_KEY_IS_NEW: a key added twice by mistake must replace, not
	 * sit in the table twice (the template engine's slot hints could find either) */
	json_object_object_add_ex(o, key, v, JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

/* Whether a nav entry is the current section: its own page or one below it ("/account" for
 * "/account/sessions"); "/" only for itself. */
static bool
web_nav_current(const char *path, const char *href)
{
	size_t n = strlen(href);

	return strcmp(path, href) == 0 ||
	    (n > 1 && strncmp(path, href, n) == 0 && path[n] == '/');
}

_Static_assert(sizeof web_nav / sizeof *web_nav <= 32, "a nav entry's current bit fits");

/* The nav entries viewer sees on path, each {href, label, current}: a reference the caller
 * owns, to a list this worker shares between pages. */
static struct json_object *
web_nav_items(struct web_app *app, const char *path, unsigned viewer)
{
	struct json_object *items;
	unsigned current = 0;

	for (size_t i = 0; i < sizeof web_nav / sizeof *web_nav; i++)
		if ((web_nav[i].shown_to & viewer) != 0 && web_nav_current(path, web_nav[i].href))
			current |= 1u << i;
	for (size_t i = 0; i < app->nnav; i++)
		if (app->nav[i].viewer == viewer && app->nav[i].current == current)
			return json_object_get(app->nav[i].items);
	items = json_object_new_array();
	for (size_t i = 0; i < sizeof web_nav / sizeof *web_nav; i++) {
		struct json_object *item;

		if ((web_nav[i].shown_to & viewer) == 0)
			continue;
		item = json_object_new_object();
		web_model_put(item, "href", json_object_new_string(web_nav[i].href));
		web_model_put(item, "label", json_object_new_string(web_nav[i].label));
		web_model_put(item, "current", json_object_new_boolean((current >> i) & 1u));
		json_object_array_add(items, item);
	}
	if (app->nnav < WEB_NAV_CACHE)	/* full: later combinations are built each time */
		app->nav[app->nnav++] = (struct web_nav_list){ viewer, current, json_object_get(items) };
	return items;
}

static struct json_object *
web_site(struct web_app *app, struct request *req)
{
	struct json_object *site = json_object_new_object();
	unsigned viewer = app->rq.signed_in ? app->rq.who.role : WEB_NAV_ANONYMOUS;
	time_t now = (time_t)clock_now();
	struct tm tm;

	gmtime_r(&now, &tm);
	web_model_put(site, "name", json_object_new_string(web_org_name(app)));
	web_model_put(site, "nav", web_nav_items(app, req->path, viewer));
	web_model_put(site, "assets", json_object_get(app->assets));
	web_model_put(site, "year", json_object_new_int(tm.tm_year + 1900));
	web_model_put(site, "requestId", json_object_new_string(req->request_id));
	if (app->rq.signed_in) {
		struct json_object *user = json_object_new_object();

		web_model_put(user, "role", json_object_new_string(auth_role_name(app->rq.who.role)));
		web_model_put(site, "user", user);
		/* the sign-out button in the layout is a form */
		web_csrf(app, req, NULL);
	}
	if (app->rq.csrf[0] != '\0')
		web_model_put(site, "csrf", json_object_new_string(app->rq.csrf));
	return site;
}

/* Whether page posts a form, and so needs the CSRF token its hidden field carries. A page
 * without one makes no token and sets no visitor cookie: the booking steps' forms are GETs. */
static bool
web_page_posts(const struct web_app *app, const char *page)
{
	return app->ncsrf_pages > 0 && bsearch(&page, app->csrf_pages, app->ncsrf_pages,
	    sizeof *app->csrf_pages, str_ptr_cmp) != NULL;
}

/* Renders page over model (consumed) into resp's body with status: 0, or -1 with a 500
 * answered and logged. */
static int
web_page_render(struct web_app *app, struct request *req, struct response *resp, int status,
    const char *page, struct json_object *model)
{
	struct mustache_error err;
	char msg[MUSTACHE_ERROR_FILE_MAX + MUSTACHE_ERROR_MSG_MAX + 32];
	int rc = -1;

	if (app->views == NULL) {
		json_object_put(model);
		http_response_error_html(resp, 500, "Something went wrong on our side.");
		return -1;
	}
	if (web_page_posts(app, page))
		web_csrf(app, req, resp);
	web_model_put(model, "site", web_site(app, req));
	http_response_clear_body(resp);	/* an error page after a page drops its insert too */
	buf_reserve(&resp->body, WEB_PAGE_RESERVE);
	if (view_render(app->views, page, model, &resp->body, &err) < 0) {
		log_error("render failed", "%s", mustache_error_string(&err, msg, sizeof msg));
		http_response_error_html(resp, 500, "Something went wrong on our side.");
	} else {
		resp->status = status;
		resp->content_type = "text/html; charset=utf-8";
		rc = 0;
	}
	json_object_put(model);
	return rc;
}

void
web_page(struct web_app *app, struct request *req, struct response *resp, int status,
    const char *page, struct json_object *model)
{
	(void)web_page_render(app, req, resp, status, page, model);
}

/* What a page's {{{main}}} renders as until its bytes take its place (web_page_around):
 * random for each worker, so no text a page shows can be taken for it. NULL when the
 * system gave no random bytes. */
static const char *
web_main_mark(void)
{
	static char mark[2 + 2 * WEB_MAIN_MARK_BYTES + 1];	/* "\x01" hex "\x01" */
	char hex[2 * WEB_MAIN_MARK_BYTES + 1];

	if (mark[0] == '\0') {
		if (rand_hex(hex, WEB_MAIN_MARK_BYTES) < 0)
			return NULL;
		snprintf(mark, sizeof mark, "\x01%s\x01", hex);
	}
	return mark;
}

void
web_page_around(struct web_app *app, struct request *req, struct response *resp, int status,
    const char *page, struct json_object *model, const char *main, size_t len)
{
	const char *mark = main != NULL ? web_main_mark() : NULL;
	size_t n = mark != NULL ? strlen(mark) : 0;
	char *at;

	if (main == NULL || mark == NULL) {	/* nothing to place, or the copying way */
		if (main != NULL)
			web_model_put(model, "main", json_object_new_string_len(main, (int)len));
		web_page(app, req, resp, status, page, model);
		return;
	}
	web_model_put(model, "main", json_object_new_string_len(mark, (int)n));
	if (web_page_render(app, req, resp, status, page, model) < 0)
		return;
	if ((at = memmem(resp->body.data, resp->body.len, mark, n)) == NULL) {
		log_error("render failed", "%s does not show {{{main}}}", page);
		http_response_error_html(resp, 500, "Something went wrong on our side.");
		return;
	}
	memmove(at, at + n, (size_t)(resp->body.data + resp->body.len - (at + n)) + 1);
	resp->body.len -= n;
	resp->insert = main;
	resp->insert_len = len;
	resp->insert_at = (size_t)(at - resp->body.data);
}

void
web_error(struct web_app *app, struct request *req, struct response *resp, int status,
    const char *message, const char *field)
{
	struct json_object *model;

	if (req->kind == HTTP_KIND_JSON) {
		http_response_error_json(resp, status, message,
		    field ? web_strings(json_object_new_object(), field, message, NULL) : NULL);
		return;
	}
	if (app->views == NULL || view_lookup(app->views, "pages/error", 11) == NULL) {
		http_response_error_html(resp, status, message);
		return;
	}
	model = json_object_new_object();
	json_object_object_add(model, "status", json_object_new_int(status));
	web_strings(model, "title", http_status_text(status), "message", message, NULL);
	web_page(app, req, resp, status, "pages/error", model);
}
