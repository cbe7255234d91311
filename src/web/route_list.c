/* route_list.c: `kairos routes` — the route table as text, and the one fact nginx must share
 * with it: which paths are sign-in steps, so rate-limited (issue 11, item 1).
 *
 * nginx/kairos.conf.in carries the regex as text, for operators to read; the test
 * t/integration/nginx-paths.t checks it equals what this prints, so the table stays the
 * only truth. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

/* Appends one pattern as regex: ":name" captures match one segment, and anything but
 * letters, digits, '/', '-' and '_' is escaped (patterns have none today). */
static void
web_route_regex(struct buf *out, const char *pattern)
{
	for (const char *p = pattern; *p; p++) {
		if (*p == ':' && p > pattern && p[-1] == '/') {
			buf_puts(out, "[^/]+");
			p += strcspn(p, "/") - 1;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-_", *p) != NULL)
			buf_putc(out, *p);
		else
			buf_printf(out, "\\%c", *p);
	}
}

void
web_routes_signin_regex(struct buf *out)
{
	bool first = true;

	buf_puts(out, "^(");
	for (size_t i = 0; i < web_nroutes; i++) {
		const struct web_route *r = &web_routes[i];
		bool seen = false;

		if (!r->signin)
			continue;
		/* a path once, though GET and POST both be sign-in rows */
		for (size_t j = 0; j < i && !seen; j++)
			seen = web_routes[j].signin &&
			    strcmp(web_routes[j].route.pattern, r->route.pattern) == 0;
		if (seen)
			continue;
		if (!first)
			buf_putc(out, '|');
		web_route_regex(out, r->route.pattern);
		first = false;
	}
	buf_puts(out, ")$");
}

/* A column of names as `kairos routes` prints it: the words of s one space apart ("-" for
 * none), so a row that glues its names from macros ("" when a kind has none) reads as one
 * list. */
static const char *
web_route_names(struct buf *out, const char *s)
{
	size_t n;

	buf_reset(out);
	for (const char *p = s ? s : ""; *(p += strspn(p, " ")); p += n) {
		n = strcspn(p, " ");
		buf_printf(out, "%s%.*s", out->len ? " " : "", (int)n, p);
	}
	return out->len ? buf_cstr(out) : "-";
}

/* The access column: WEB_* by its routes.c name. */
static const char *
web_access_name(unsigned access)
{
	static const struct { unsigned access; const char *name; } names[] = {
		{ WEB_PUBLIC, "PUBLIC" }, { WEB_WEBHOOK, "WEBHOOK" }, { WEB_PATIENT, "PATIENT" },
		{ WEB_STAFF, "STAFF" }, { WEB_ADMIN, "ADMIN" }, { WEB_SIGNED_IN, "SIGNED_IN" },
	};

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i].access == access)
			return names[i].name;
	return "?";
}

int
web_routes_main(int argc, char **argv)
{
	struct buf out = BUF_INIT, specs = BUF_INIT, sql = BUF_INIT, templates = BUF_INIT;

	if (argc == 2 && strcmp(argv[1], "--nginx-auth-location") == 0) {
		web_routes_signin_regex(&out);
		printf("%s\n", buf_cstr(&out));
		buf_free(&out);
		return 0;
	}
	if (argc != 1) {
		fputs("usage: kairos routes [--nginx-auth-location]\n", stderr);
		return 2;
	}
	/* method, pattern, access, handler, specs, sql, templates, flags ("-" for none; specs,
	 * sql, templates and flags space-separated); tab-separated for scripts */
	for (size_t i = 0; i < web_nroutes; i++) {
		const struct web_route *r = &web_routes[i];

		buf_reset(&out);
		buf_puts(&out, r->signin ? " signin" : "");
		buf_puts(&out, r->secret_path ? " secret-path" : "");
		buf_puts(&out, r->no_csrf ? " no-csrf" : "");
		buf_puts(&out, r->dev_only ? " dev-only" : "");
		buf_puts(&out, r->debug_only ? " debug-only" : "");
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", http_method_name(r->route.method),
		    r->route.pattern, web_access_name(r->access), r->handler,
		    web_route_names(&specs, r->specs), web_route_names(&sql, r->sql),
		    web_route_names(&templates, r->templates), out.len ? out.data + 1 : "-");
	}
	buf_free(&out);
	buf_free(&specs);
	buf_free(&sql);
	buf_free(&templates);
	return 0;
}
