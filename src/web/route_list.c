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

int
web_routes_main(int argc, char **argv)
{
	struct buf out = BUF_INIT;

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
	/* method, pattern, and "signin" on the rate-limited rows; tab-separated for scripts */
	for (size_t i = 0; i < web_nroutes; i++) {
		const struct web_route *r = &web_routes[i];

		printf("%s\t%s%s\n", http_method_name(r->route.method), r->route.pattern,
		    r->signin ? "\tsignin" : "");
	}
	return 0;
}
