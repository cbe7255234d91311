/* booking-slots: the loader and the engine against a real database, for
 * t/integration/booking-load.t and for measuring them.
 *
 *   booking-slots CONNINFO ORG SERVICE PRACTITIONER|- FROM TO NOW PATIENT-ZONE [any] [bench N]
 *
 * Opens a tenant transaction for ORG, loads SERVICE's practitioners (or one) for local dates
 * FROM..TO (YYYY-MM-DD) with NOW (seconds since the epoch) as the clock, and prints one line
 * per slot: "start end practitioner location-or-- session-type", times in PATIENT-ZONE, then
 * "next <id> <time>|none" for each practitioner (or the one asked for) by booking_load_next
 * within 14 days. `any`
 * merges practitioners. With `bench N` it loads and computes N times instead and prints the
 * median and worst microseconds of a load, of the engine, and of next-available for all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/booking.h"
#include "core/clock.h"
#include "db/db.h"

/* the psychologist list's look-ahead for nextAvailable */
#define SLOTS_NEXT_DAYS   14
#define SLOTS_BENCH_MAX   100000
#define SLOTS_CONNECT_S   5
#define SLOTS_STMT_MS     10000

static int
date_arg(const char *s, int64_t *day)
{
	int y, m, d;

	if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		return -1;
	*day = tz_days_from_civil(y, m, d);
	return 0;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void
report(const char *what, long long *us, int n)
{
	qsort(us, (size_t)n, sizeof *us, cmp_ll);
	printf("%s: median %lld us, p99 %lld us, worst %lld us (%d runs)\n", what, us[n / 2],
	    us[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], us[n - 1], n);
}

int
main(int argc, char **argv)
{
	const struct tz_zone *pz;
	struct booking_query q = { .session_type = BOOKING_SESSION_ANY };
	struct booking_data d;
	struct booking_slots s;
	struct db db;
	int bench = 0, rc;

	if (argc < 9) {
		fprintf(stderr, "usage: booking-slots CONNINFO ORG SERVICE PRACTITIONER|- FROM TO NOW ZONE [any] [bench N]\n");
		return 2;
	}
	if (date_arg(argv[5], &q.from_day) != 0 || date_arg(argv[6], &q.to_day) != 0 ||
	    tz_load(argv[8], &pz) != TZ_OK) {
		fprintf(stderr, "booking-slots: bad date or zone\n");
		return 2;
	}
	q.now = strtoll(argv[7], NULL, 10);
	for (int i = 9; i < argc; i++) {
		if (strcmp(argv[i], "any") == 0)
			q.merge_any = true;
		else if (strcmp(argv[i], "bench") == 0 && i + 1 < argc)
			bench = atoi(argv[++i]);
	}
	if (bench < 0 || bench > SLOTS_BENCH_MAX)
		bench = SLOTS_BENCH_MAX;
	db_init(&db, argv[1], SLOTS_CONNECT_S, SLOTS_STMT_MS);
	if (db_begin_tenant(&db, argv[2]) != DB_OK) {
		fprintf(stderr, "booking-slots: %s\n", db.error);
		return 1;
	}
	const char *pr = strcmp(argv[4], "-") == 0 ? NULL : argv[4];

	if (bench > 0) {
		long long *load = calloc((size_t)bench, sizeof *load);
		long long *eng = calloc((size_t)bench, sizeof *eng);
		long long *next = calloc((size_t)bench, sizeof *next);
		size_t slots = 0, npr = 0, nnx;
		struct booking_next *nx;

		for (int i = 0; i < bench && load && eng && next; i++) {
			long long t0 = clock_mono_us(), t1, t2;
			if ((rc = booking_load(&db, argv[3], pr, q.from_day, q.to_day, q.now, &d)) != BOOKING_OK) {
				fprintf(stderr, "booking-slots: load: %s %s\n", booking_strerror(rc), db.error);
				return 1;
			}
			t1 = clock_mono_us();
			q.duration_s = d.duration_s;
			q.step_s = d.step_s;
			if (booking_slots(&q, d.practitioners, d.count, &s) != BOOKING_OK)
				return 1;
			t2 = clock_mono_us();
			slots = s.count;
			npr = d.count;
			booking_slots_free(&s);
			booking_data_free(&d);
			load[i] = t1 - t0;
			eng[i] = t2 - t1;
			t2 = clock_mono_us();
			if (booking_load_next(&db, argv[3], q.now, SLOTS_NEXT_DAYS, BOOKING_SESSION_ANY, NULL,
			    &nx, &nnx) != BOOKING_OK)
				return 1;
			next[i] = clock_mono_us() - t2;
			free(nx);
		}
		printf("%zu practitioners, %zu slots\n", npr, slots);
		report("availability: load (4 statements)", load, bench);
		report("availability: engine", eng, bench);
		report("list: booking_load_next, every practitioner of the service", next, bench);
		free(load);
		free(eng);
		free(next);
		db_rollback(&db);
		db_close(&db);
		return 0;
	}

	if ((rc = booking_load(&db, argv[3], pr, q.from_day, q.to_day, q.now, &d)) != BOOKING_OK) {
		fprintf(stderr, "booking-slots: load: %s %s\n", booking_strerror(rc), db.error);
		return 1;
	}
	q.duration_s = d.duration_s;
	q.step_s = d.step_s;
	if (d.count == 0) {	/* no such service here: nothing to offer */
		booking_data_free(&d);
		db_rollback(&db);
		db_close(&db);
		return 0;
	}
	if ((rc = booking_slots(&q, d.practitioners, d.count, &s)) != BOOKING_OK) {
		fprintf(stderr, "booking-slots: %s\n", booking_strerror(rc));
		return 1;
	}
	for (size_t i = 0; i < s.count; i++) {
		char a[BOOKING_TIME_SIZE], b[BOOKING_TIME_SIZE];

		booking_format_time(pz, s.items[i].start, a);
		booking_format_time(pz, s.items[i].end, b);
		printf("%s %s %s %s %s\n", a, b, d.practitioners[s.items[i].practitioner].id,
		    s.items[i].location_id[0] ? s.items[i].location_id : "-",
		    booking_session_type_name(s.items[i].session_type));
	}
	booking_slots_free(&s);
	booking_data_free(&d);
	{
		struct booking_next *nx;
		size_t nnx;

		if ((rc = booking_load_next(&db, argv[3], q.now, SLOTS_NEXT_DAYS, BOOKING_SESSION_ANY, NULL,
		    &nx, &nnx)) != BOOKING_OK) {
			fprintf(stderr, "booking-slots: next: %s %s\n", booking_strerror(rc), db.error);
			return 1;
		}
		for (size_t i = 0; i < nnx; i++) {
			char a[BOOKING_TIME_SIZE] = "none";

			if (nx[i].found)
				booking_format_time(pz, nx[i].start, a);
			if (pr == NULL || strcmp(pr, nx[i].id) == 0)
				printf("next %s %s\n", nx[i].id, a);
		}
		free(nx);
	}
	db_rollback(&db);
	db_close(&db);
	return 0;
}
