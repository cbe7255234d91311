/* What mustache-bench.c and mustache-by-hand.c share: the data of bench/mustache's run-sheet
 * page, and the loop that times a renderer over it, so the two figures compare like with
 * like. */
#ifndef KAIROS_BENCH_MUSTACHE_COMMON_H
#define KAIROS_BENCH_MUSTACHE_COMMON_H

#include "core/buf.h"
#include "bench-clock.h"

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>

#define ROWS	50

static void
add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* A day of a busy clinic, built with json-c as a handler would (each object copies its
 * keys), deterministic so runs compare. The caller owns it (json_object_put). */
static struct json_object *
mustache_bench_data(void)
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

/* Renders data once into out (appending); 0, or -1 after saying why on stderr. */
typedef int (*mustache_bench_render)(void *ctx, struct json_object *data, struct buf *out);

/* Prints one render first when MUSTACHE_BENCH_PRINT is set, then renders for `seconds`
 * (3 when not positive) and prints "renders_per_sec=<n> bytes=<size>". 0, or 1 when a
 * render failed. */
static int
mustache_bench_run(double seconds, mustache_bench_render render, void *ctx,
    struct json_object *data)
{
	struct buf out = BUF_INIT;
	unsigned long renders = 0;
	double start, elapsed;

	if (seconds <= 0)
		seconds = 3;
	if (getenv("MUSTACHE_BENCH_PRINT") != NULL) {
		if (render(ctx, data, &out) < 0)
			return 1;
		fwrite(out.data, 1, out.len, stdout);
	}
	start = bench_now();
	do {
		for (int i = 0; i < 256; i++) {
			buf_reset(&out);
			if (render(ctx, data, &out) < 0)
				return 1;
		}
		renders += 256;
		elapsed = bench_now() - start;
	} while (elapsed < seconds);
	printf("renders_per_sec=%.0f bytes=%zu\n", (double)renders / elapsed, out.len);
	buf_free(&out);
	return 0;
}

#endif
