/* site_pages.c: /contact, /privacy and /accessibility — the pages the layout's footer names
 * — and the admin pages where clinic admins edit their text (issue 13, item 9).
 *
 * The text is the clinic's own (org/pages.c, site_pages) or the default. It is plain text
 * turned into a few kinds of block here — paragraphs (a single newline is a line break),
 * "- " list items, "## " subheadings — and every word of it is escaped by the template: an
 * admin cannot put HTML, a script or a link on a public page. */
#include "web/web.h"

#include <string.h>

#include <json-c/json.h>

#define SITE_PAGE_ROWS      "20"	/* the textarea's height */
#define SITE_PAGE_LIST      "- "
#define SITE_PAGE_HEADING   "## "

struct web_site_page_input {
	const char *body;
};

#define SITE_PAGE_MISSING "Enter the text of the page"

/* A LONGTEXT keeps its blanks, so "required" alone lets a text of spaces and newlines by. */
static const char *
site_page_not_blank(const void *value, const void *whole)
{
	const char *s = *(const char *const *)value;

	(void)whole;
	return s[strspn(s, " \t\r\n")] == '\0' ? SITE_PAGE_MISSING : NULL;
}

static const struct input_field site_page_fields[] = {
	{ .name = "body", .label = "Page text", .type = INPUT_LONGTEXT, .flags = INPUT_REQUIRED,
	  .max = ORG_PAGE_MAX_CHARS, .offset = offsetof(struct web_site_page_input, body),
	  .hint = "Plain text. Leave a blank line between paragraphs. Start a line with \"- \" "
	          "for a list item, or \"## \" for a subheading.",
	  .check = site_page_not_blank, .missing = SITE_PAGE_MISSING },
};
static const struct input_spec site_page_spec =
	INPUT_SPEC("site_page", site_page_fields, struct web_site_page_input, NULL);

/* A block with every key the template reads (mustache would look a missing one up in the
 * page's model). */
static struct json_object *
site_block(struct json_object *blocks)
{
	struct json_object *b = json_object_new_object();

	json_object_object_add(b, "heading", json_object_new_boolean(0));
	json_object_object_add(b, "list", json_object_new_boolean(0));
	json_object_object_add(b, "para", json_object_new_boolean(0));
	json_object_object_add(b, "items", json_object_new_array());
	json_object_object_add(b, "lines", json_object_new_array());
	json_object_array_add(blocks, b);
	return b;
}

/* Appends a {text, br} line (br: a line break before it) to key's array in block b, which
 * is then a `kind` block. */
static void
site_line(struct json_object *b, const char *kind, const char *key, const char *s, size_t n)
{
	struct json_object *arr = json_object_object_get(b, key), *line = json_object_new_object();

	json_object_object_add(b, kind, json_object_new_boolean(1));
	json_object_object_add(line, "br", json_object_new_boolean(json_object_array_length(arr) > 0));
	json_object_object_add(line, "text", json_object_new_string_len(s, (int)n));
	json_object_array_add(arr, line);
}

/* How long marker is when line p (len bytes, trailing blanks trimmed) starts with it and has
 * text after it; else 0: a bare marker is plain text. */
static size_t
site_marker(const char *p, size_t len, const char *marker)
{
	size_t m = strlen(marker);

	return len > m && strncmp(p, marker, m) == 0 ? m : 0;
}

/* The blocks of text: [{heading, list, items, para, lines}]: a heading (text), a list (its
 * items) or a paragraph (its lines). */
static struct json_object *
site_blocks(const char *text)
{
	struct json_object *blocks = json_object_new_array(), *cur = NULL;
	const char *p = text;
	enum { NONE, PARA, LIST } in = NONE;

	while (*p) {
		size_t n = strcspn(p, "\n"), len = n, m;

		while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			in = NONE;
		else if ((m = site_marker(p, len, SITE_PAGE_HEADING)) > 0) {
			json_object_object_add(site_block(blocks), "heading",
			    json_object_new_string_len(p + m, (int)(len - m)));
			in = NONE;
		} else if ((m = site_marker(p, len, SITE_PAGE_LIST)) > 0) {
			if (in != LIST)
				cur = site_block(blocks);
			site_line(cur, "list", "items", p + m, len - m);
			in = LIST;
		} else {
			if (in != PARA)
				cur = site_block(blocks);
			site_line(cur, "para", "lines", p, len);
			in = PARA;
		}
		p += n + (p[n] == '\n');
	}
	return blocks;
}

/* GET /contact, /privacy, /accessibility: the route's path names the page. */
struct web_view
web_site_page(struct web_app *app, struct request *req, struct response *resp)
{
	const struct org_page *page = org_page_find(req->path + 1);
	struct json_object *model;
	struct buf text = BUF_ARENA(&req->arena);
	bool custom;

	(void)resp;
	if (page == NULL)
		return web_view_error(404, "Not found", NULL);
	if (org_page_text(&app->db, page, &text, &custom) != DB_OK)
		return web_view_db_failed();
	model = json_object_new_object();
	json_object_object_add(model, "title", json_object_new_string(page->title));
	json_object_object_add(model, "blocks", site_blocks(buf_cstr(&text)));
	return web_view_page(200, "pages/site-page", model);
}

/* GET /admin/pages: the three pages, whether each has the clinic's text, links to edit. */
struct web_view
web_admin_site_pages(struct web_app *app, struct request *req, struct response *resp)
{
	const struct org_page *saved = org_page_find(http_param(&req->query, "saved"));
	bool *custom = arena_calloc(&req->arena, org_npages, sizeof *custom);
	struct json_object *model, *list;

	(void)resp;
	for (size_t i = 0; i < org_npages; i++) {
		struct buf text = BUF_ARENA(&req->arena);

		if (org_page_text(&app->db, &org_pages[i], &text, &custom[i]) != DB_OK)
			return web_view_db_failed();
	}
	model = web_page_model(NULL);
	list = json_object_new_array();
	for (size_t i = 0; i < org_npages; i++) {
		struct json_object *p = json_object_new_object();

		web_form_set(p, "slug", org_pages[i].slug);
		web_form_set(p, "title", org_pages[i].title);
		json_object_object_add(p, "custom", json_object_new_boolean(custom[i]));
		json_object_array_add(list, p);
	}
	json_object_object_add(model, "pages", list);
	if (saved != NULL)
		web_flash(model, "success", arena_printf(&req->arena,
		    "%s: saved. The page shows the new text now.", saved->title));
	return web_view_page(200, "pages/admin-site-pages", model);
}

/* The edit form of page: typed text and errors, or (e NULL) text, the page's text now. The
 * caller reads the text, so a save that fails its checks reads nothing (routes.c). */
static struct web_view
site_page_form(struct request *req, int status, const struct org_page *page,
    const struct input_errors *e, const char *text)
{
	struct json_object *model, *field;
	struct web_form f;

	web_form_init(&f, req);
	web_form_from(&f, &site_page_spec, e != NULL ? &req->form : NULL, e);
	field = json_object_object_get(f.fields, "body");
	web_form_set(field, "rows", SITE_PAGE_ROWS);
	if (e == NULL)
		web_form_set(field, "value", text);
	model = web_page_model(&f);
	web_form_set(model, "slug", page->slug);
	web_form_set(model, "title", page->title);
	return web_view_page(status, "pages/admin-site-page", model);
}

/* GET /admin/pages/:slug */
struct web_view
web_admin_site_page_form(struct web_app *app, struct request *req, struct response *resp)
{
	const struct org_page *page = org_page_find(http_param(&req->route, "slug"));
	struct buf text = BUF_ARENA(&req->arena);
	bool custom;

	(void)resp;
	if (page == NULL)
		return web_view_error(404, "There is no such page.", NULL);
	if (org_page_text(&app->db, page, &text, &custom) != DB_OK)
		return web_view_db_failed();
	return site_page_form(req, 200, page, NULL, buf_cstr(&text));
}

/* POST /admin/pages/:slug: saves the text (an audit entry when it changed), then back to the
 * list; with errors, the form again with the text as typed. */
struct web_view
web_admin_site_page_save(struct web_app *app, struct request *req, struct response *resp)
{
	const struct org_page *page = org_page_find(http_param(&req->route, "slug"));
	struct web_site_page_input in = { 0 };
	struct input_errors e = { 0 };
	bool changed;

	(void)resp;
	if (page == NULL)
		return web_view_error(404, "There is no such page.", NULL);
	if (web_input(app, req, &site_page_spec, &in, &e) > 0)
		return site_page_form(req, 422, page, &e, NULL);
	if (org_page_save(&app->db, app->rq.org_id, page, in.body, app->rq.who.user_id, &changed) != DB_OK)
		return web_view_db_failed();
	if (changed && web_audit(app, req, "site_page.updated", "site_page", page->slug,
	    arena_printf(&req->arena, "{\"bytes\": %zu}", strlen(in.body))) != DB_OK)
		return web_view_db_failed();
	return web_view_redirect(303, arena_printf(&req->arena, "/admin/pages?saved=%s", page->slug));
}
