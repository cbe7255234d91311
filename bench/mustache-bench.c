/* Mustache render benchmark: the run-sheet page of bench/mustache/ (a layout with
 * blocks, nav and footer partials, a 50-row table through a row partial; about 10 KB
 * of HTML) rendered over and over on one core.
 *
 * Usage: mustache-bench [SECONDS [TEMPLATE_DIR]]  (defaults: 3, bench/mustache)
 * Prints: renders_per_sec=<n> bytes=<output size>
 *
 * Build: gcc -std=c11 -O2 -D_GNU_SOURCE -I src src/core/buf.c src/core/mem.c \
 *   src/core/utf8.c src/view/mustache.c bench/mustache-bench.c \
 *   $(pkg-config --cflags --libs json-c) -o /tmp/mustache-bench */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* clock_gettime */
#endif

#include "view/mustache.h"
#include "core/buf.h"

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS	50

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

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* A day of a busy clinic, deterministic so runs compare. */
static struct json_object *
make_data(void)
{
	static const char *const patients[] = { "Ava O'Brien", "Noah Smith",
	    "Mia <Chen>", "Liam & Co", "Zoë Müller", "Oliver \"Ollie\" Brown" };
	static const char *const staff[] = { "Dr Patel", "Dr Nguyen", "Sam Physio" };
	static const char *const services[] = { "Initial consult", "Review",
	    "Physiotherapy (45 min)", "Telehealth" };
	static const char *const statuses[] = { "confirmed", "pending", "arrived" };
	struct json_object *d = json_object_new_object(), *o, *a, *row, *p;
	char s[64];
	int i, confirmed = 0;

	add_str(d, "locale", "en-AU");
	add_str(d, "asset_version", "20240601");
	add_str(d, "version", "1.0.0");
	add_str(d, "day", "Monday 3 June 2024");
	o = json_object_new_object();
	add_str(o, "name", "Harbour Health & Physio");
	add_str(o, "address", "12 Quay St, Sydney NSW 2000");
	add_str(o, "phone", "+61 2 9000 0000");
	json_object_object_add(d, "clinic", o);
	o = json_object_new_object();
	add_str(o, "name", "Jo Admin");
	add_str(o, "role", "reception");
	add_str(o, "csrf", "q8Jf0a9d-3kfo2-XY");
	json_object_object_add(d, "user", o);
	a = json_object_new_array();
	for (i = 0; i < 5; i++) {
		static const char *const labels[] = { "Run sheet", "Calendar", "Patients",
		    "Payments", "Settings" };

		o = json_object_new_object();
		add_str(o, "label", labels[i]);
		snprintf(s, sizeof s, "/dashboard/%d", i);
		add_str(o, "href", s);
		json_object_object_add(o, "active", json_object_new_boolean(i == 0));
		json_object_array_add(a, o);
	}
	json_object_object_add(d, "nav", a);
	o = json_object_new_object();
	add_str(o, "kind", "info");
	add_str(o, "message", "Reminders for tomorrow were sent.");
	json_object_object_add(d, "flash", o);

	a = json_object_new_array();
	for (i = 0; i < ROWS; i++) {
		row = json_object_new_object();
		add_str(row, "status", statuses[i % 3]);
		confirmed += i % 3 == 0;
		json_object_object_add(row, "late", json_object_new_boolean(i % 7 == 3));
		snprintf(s, sizeof s, "%02d:%02d", 8 + i / 6, (i % 6) * 10);
		add_str(row, "start", s);
		snprintf(s, sizeof s, "%02d:%02d", 8 + i / 6, (i % 6) * 10 + 9);
		add_str(row, "end", s);
		p = json_object_new_object();
		json_object_object_add(p, "id", json_object_new_int(1000 + i));
		add_str(p, "name", patients[i % 6]);
		json_object_object_add(p, "new", json_object_new_boolean(i % 5 == 0));
		json_object_object_add(row, "patient", p);
		add_str(row, "practitioner", staff[i % 3]);
		add_str(row, "service", services[i % 4]);
		json_object_object_add(row, "price", json_object_new_double(85.5 + i % 4 * 20));
		json_object_object_add(row, "paid", json_object_new_boolean(i % 2));
		add_str(row, "notes", i % 4 == 1 ? "Bring referral & x-rays" : "");
		json_object_array_add(a, row);
	}
	json_object_object_add(d, "rows", a);
	json_object_object_add(d, "count", json_object_new_int(ROWS));
	json_object_object_add(d, "confirmed", json_object_new_int(confirmed));
	return d;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3, start, elapsed;
	const char *dir = argc > 2 ? argv[2] : "bench/mustache";
	const struct mustache_template *page;
	struct json_object *data;
	struct mustache_error err;
	struct buf out = BUF_INIT;
	unsigned long renders = 0;
	size_t i, bytes = 0;
	char msg[600];

	if (seconds <= 0)
		seconds = 3;
	for (i = 0; i < NTEMPLATES; i++)
		templates[i] = load(dir, names[i]);
	page = lookup(NULL, "page", 4);
	data = make_data();
	if (getenv("MUSTACHE_BENCH_PRINT") != NULL) {
		if (mustache_render(page, data, lookup, NULL, &out, &err) == 0)
			fwrite(out.data, 1, out.len, stdout);
		buf_reset(&out);
	}

	start = now();
	do {
		for (i = 0; i < 256; i++) {
			buf_reset(&out);
			if (mustache_render(page, data, lookup, NULL, &out, &err) < 0) {
				fprintf(stderr, "%s\n", mustache_error_string(&err, msg,
				    sizeof msg));
				return 1;
			}
		}
		renders += 256;
		elapsed = now() - start;
	} while (elapsed < seconds);
	bytes = out.len;

	printf("renders_per_sec=%.0f bytes=%zu\n", (double)renders / elapsed, bytes);
	buf_free(&out);
	json_object_put(data);
	for (i = 0; i < NTEMPLATES; i++)
		mustache_free(templates[i]);
	return 0;
}
