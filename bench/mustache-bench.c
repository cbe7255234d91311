/* Mustache render benchmark: the run-sheet page of bench/mustache/ (a layout with
 * blocks, nav and footer partials, a 50-row table through a row partial; about 10 KB
 * of HTML) rendered over and over on one core.
 *
 * Usage: mustache-bench [SECONDS [TEMPLATE_DIR]]  (defaults: 3, bench/mustache)
 * Prints: renders_per_sec=<n> bytes=<output size>
 *
 * Build: gcc -std=c11 -O2 -D_GNU_SOURCE -I src src/core/buf.c src/core/arena.c src/core/mem.c \
 *   src/core/utf8.c src/view/mustache.c bench/mustache-bench.c \
 *   $(pkg-config --cflags --libs json-c) -o /tmp/mustache-bench */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* clock_gettime */
#endif

#include "view/mustache.h"
#include "core/buf.h"
#include "mustache-common.h"

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = { "layout", "nav", "footer", "row", "page" };
#define NTEMPLATES	(sizeof names / sizeof names[0])

static struct mustache_template *templates[NTEMPLATES];

static const struct mustache_template *
lookup(void *ctx, const char *name, size_t len)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < NTEMPLATES; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return templates[i];
	return NULL;
}

static struct mustache_template *
load(const char *dir, const char *name)
{
	char path[4096], chunk[4096];
	struct buf src = BUF_INIT;
	struct mustache_error err;
	struct mustache_template *t;
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.mustache", dir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&src, chunk, n);
	fclose(f);
	if ((t = mustache_compile(name, buf_cstr(&src), src.len, &err)) == NULL) {
		fprintf(stderr, "%s\n", mustache_error_string(&err, chunk, sizeof chunk));
		exit(1);
	}
	buf_free(&src);
	return t;
}

static int
render_page(void *ctx, struct json_object *data, struct buf *out)
{
	const struct mustache_template *page = ctx;
	struct mustache_error err;
	char msg[600];

	if (mustache_render(page, data, lookup, NULL, out, &err) == 0)
		return 0;
	fprintf(stderr, "%s\n", mustache_error_string(&err, msg, sizeof msg));
	return -1;
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	const char *dir = argc > 2 ? argv[2] : "bench/mustache";
	struct json_object *data;
	size_t i;
	int rc;

	for (i = 0; i < NTEMPLATES; i++)
		templates[i] = load(dir, names[i]);
	data = mustache_bench_data();
	rc = mustache_bench_run(seconds, render_page, (void *)lookup(NULL, "page", 4), data);
	json_object_put(data);
	for (i = 0; i < NTEMPLATES; i++)
		mustache_free(templates[i]);
	return rc;
}
