/* router.c: method + path pattern matching over one route table.
 *
 * Patterns are literal segments and ":name" captures, e.g. "/api/pms/connections/:id/pair".
 * A linear scan is plenty for a few hundred routes and keeps the table the only truth. */
#include "http/http.h"

#include <string.h>

/* Matches one pattern; fills caps (name, value pairs) and returns their count, or -1. */
static int
http_pattern_match(struct arena *a, const char *pattern, const char *path,
    struct http_param caps[HTTP_MAX_ROUTE_PARAMS])
{
	const char *p = pattern, *s = path;
	int ncaps = 0;

	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return -1;
		p++;
		s++;
		if (*p == ':') {
			const char *pe = strchr(p, '/'), *se = strchr(s, '/');
			size_t plen = pe ? (size_t)(pe - p) : strlen(p);
			size_t slen = se ? (size_t)(se - s) : strlen(s);

			if (slen == 0 || ncaps == HTTP_MAX_ROUTE_PARAMS)
				return -1;
			if (a != NULL) {
				caps[ncaps].name = arena_strndup(a, p + 1, plen - 1);
				caps[ncaps].value = arena_strndup(a, s, slen);
				caps[ncaps].value_len = slen;
			}
			ncaps++;
			p += plen;
			s += slen;
		} else {
			while (*p && *p != '/' && *p == *s) {
				p++;
				s++;
			}
			if ((*p && *p != '/') || (*s && *s != '/'))
				return -1;
		}
	}
	return *p == '\0' && *s == '\0' ? ncaps : -1;
}

enum http_match
http_router_match(const void *routes, size_t n, size_t stride, struct request *req,
    size_t *index, struct buf *allow)
{
	struct http_param caps[HTTP_MAX_ROUTE_PARAMS];
	bool path_known = false, allowed[HTTP_METHOD_OTHER] = { false };
	enum http_method want = req->method == HTTP_HEAD ? HTTP_GET : req->method;

	for (size_t i = 0; i < n; i++) {
		const struct http_route *r = (const void *)((const char *)routes + i * stride);
		int ncaps;

		if (r->method == want && (ncaps = http_pattern_match(&req->arena, r->pattern,
		    req->path, caps)) >= 0) {
			req->route.items = arena_calloc(&req->arena, (size_t)ncaps + 1, sizeof *caps);
			memcpy(req->route.items, caps, (size_t)ncaps * sizeof *caps);
			req->route.count = (size_t)ncaps;
			*index = i;
			return HTTP_MATCH_FOUND;
		}
		if (http_pattern_match(NULL, r->pattern, req->path, caps) >= 0) {
			path_known = true;
			allowed[r->method] = true;
		}
	}
	if (!path_known)
		return HTTP_MATCH_NOT_FOUND;
	if (allowed[HTTP_GET])
		allowed[HTTP_HEAD] = true;
	buf_reset(allow);
	for (size_t m = 0; m < HTTP_METHOD_OTHER; m++)
		if (allowed[m]) {
			if (allow->len)
				buf_puts(allow, ", ");
			buf_puts(allow, http_method_name((enum http_method)m));
		}
	return HTTP_MATCH_WRONG_METHOD;
}
