/* tz: wall time <-> UTC (core/tz.c) on the named zones' DST days — Australia/Lord_Howe
 * (30-minute DST), Australia/Adelaide (+9:30/+10:30), Asia/Kathmandu (+5:45),
 * Pacific/Chatham (+12:45/+13:45), America/New_York, Australia/Melbourne, Europe/London —
 * in the transition table and past it (the POSIX footer, 2039), both gap/overlap rules,
 * midnight in a gap (America/Santiago), names refused, and two threads converting at once.
 * The million-pair comparison with PostgreSQL: t/integration/tz-postgres.t. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/tz.h"
#include "tap.h"

static const struct tz_zone *
zone(const char *name)
{
	const struct tz_zone *z = NULL;
	enum tz_error e = tz_load(name, &z);

	if (!ok(e == TZ_OK, "load %s", name))
		diag("%s", tz_strerror(e));
	return z;
}

static tz_instant
utc(int y, int mo, int d, int h, int mi)
{
	struct tz_civil c = { y, mo, d, h, mi, 0 };

	return tz_civil_to_seconds(&c);
}

static const char *
iso(tz_instant t, char out[40])
{
	struct tz_civil c;

	tz_seconds_to_civil(t, &c);
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
	    c.minute, c.second);
	return out;
}

/* utc -> "YYYY-MM-DD HH:MM:SS +offset abbrev dst" */
static void
check_local(const struct tz_zone *z, tz_instant t, const char *want)
{
	struct tz_local l;
	char got[80], at[40];

	if (tz_utc_to_local(z, t, &l) != TZ_OK) {
		ok(0, "%s at %s converts", tz_name(z), iso(t, at));
		return;
	}
	snprintf(got, sizeof got, "%04d-%02d-%02d %02d:%02d:%02d %+d %s%s", l.civil.year,
	    l.civil.month, l.civil.day, l.civil.hour, l.civil.minute, l.civil.second, l.offset,
	    l.abbrev, l.is_dst ? " dst" : "");
	is_str(got, want, "%s: %s is %s", tz_name(z), iso(t, at), want);
}

static const char *const kind_names[] = { "normal", "gap", "overlap" };

/* wall -> instant by both rules, and the kind */
static void
check_wall(const struct tz_zone *z, int y, int mo, int d, int h, int mi, enum tz_wall want_kind,
    tz_instant want_first, tz_instant want_pg)
{
	struct tz_civil c = { y, mo, d, h, mi, 0 };
	enum tz_wall kind = TZ_WALL_NORMAL;
	tz_instant first = 0, pg = 0;
	char a[40], b[40];

	ok(tz_local_to_utc(z, &c, TZ_RULE_FIRST, &first, &kind) == TZ_OK &&
	    tz_local_to_utc(z, &c, TZ_RULE_POSTGRES, &pg, NULL) == TZ_OK,
	    "%s %04d-%02d-%02d %02d:%02d converts", tz_name(z), y, mo, d, h, mi);
	is_str(kind_names[kind], kind_names[want_kind], "%s %04d-%02d-%02d %02d:%02d is %s",
	    tz_name(z), y, mo, d, h, mi, kind_names[want_kind]);
	is_str(iso(first, a), iso(want_first, b), "  first rule: %s", b);
	is_str(iso(pg, a), iso(want_pg, b), "  PostgreSQL's rule: %s", b);
}

static void
test_named_zones(void)
{
	const struct tz_zone *z;
	tz_instant t;

	/* Lord Howe: +10:30 standard, +11 summer, a 30-minute change at 02:00 local */
	z = zone("Australia/Lord_Howe");
	check_local(z, utc(2026, 1, 15, 0, 0), "2026-01-15 11:00:00 +39600 +11 dst");
	check_local(z, utc(2026, 7, 15, 0, 0), "2026-07-15 10:30:00 +37800 +1030");
	/* 5 April 2026: 02:00 +11 -> 01:30 +1030; 01:45 happens twice */
	check_wall(z, 2026, 4, 5, 1, 45, TZ_WALL_OVERLAP, utc(2026, 4, 4, 14, 45),
	    utc(2026, 4, 4, 15, 15));
	/* 4 October 2026: 02:00 +1030 -> 02:30 +11; 02:15 never happens */
	check_wall(z, 2026, 10, 4, 2, 15, TZ_WALL_GAP, utc(2026, 10, 3, 15, 30),
	    utc(2026, 10, 3, 15, 45));
	check_wall(z, 2026, 10, 4, 2, 30, TZ_WALL_NORMAL, utc(2026, 10, 3, 15, 30),
	    utc(2026, 10, 3, 15, 30));
	/* past the table, by the footer */
	check_wall(z, 2039, 10, 2, 2, 15, TZ_WALL_GAP, utc(2039, 10, 1, 15, 30),
	    utc(2039, 10, 1, 15, 45));

	z = zone("Australia/Adelaide");
	check_local(z, utc(2026, 1, 15, 0, 0), "2026-01-15 10:30:00 +37800 ACDT dst");
	check_local(z, utc(2026, 7, 15, 0, 0), "2026-07-15 09:30:00 +34200 ACST");
	/* 4 October 2026 02:00 ACST -> 03:00 ACDT */
	check_wall(z, 2026, 10, 4, 2, 30, TZ_WALL_GAP, utc(2026, 10, 3, 16, 30),
	    utc(2026, 10, 3, 17, 0));

	z = zone("Asia/Kathmandu");
	check_local(z, utc(2026, 6, 1, 0, 0), "2026-06-01 05:45:00 +20700 +0545");
	check_local(z, utc(1985, 6, 1, 0, 0), "1985-06-01 05:30:00 +19800 +0530");
	/* 1 January 1986: 00:00 +0530 -> 00:15 +0545 */
	check_wall(z, 1986, 1, 1, 0, 10, TZ_WALL_GAP, utc(1985, 12, 31, 18, 30),
	    utc(1985, 12, 31, 18, 40));

	z = zone("Pacific/Chatham");
	check_local(z, utc(2026, 1, 1, 0, 0), "2026-01-01 13:45:00 +49500 +1345 dst");
	check_local(z, utc(2026, 7, 1, 0, 0), "2026-07-01 12:45:00 +45900 +1245");
	/* 5 April 2026: 03:45 +1345 -> 02:45 +1245 */
	check_wall(z, 2026, 4, 5, 3, 0, TZ_WALL_OVERLAP, utc(2026, 4, 4, 13, 15),
	    utc(2026, 4, 4, 14, 15));

	z = zone("America/New_York");
	check_wall(z, 2026, 3, 8, 2, 30, TZ_WALL_GAP, utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 30));
	check_wall(z, 2026, 11, 1, 1, 30, TZ_WALL_OVERLAP, utc(2026, 11, 1, 5, 30),
	    utc(2026, 11, 1, 6, 30));
	check_wall(z, 2026, 11, 1, 2, 0, TZ_WALL_NORMAL, utc(2026, 11, 1, 7, 0), utc(2026, 11, 1, 7, 0));
	check_local(z, utc(2039, 7, 1, 12, 0), "2039-07-01 08:00:00 -14400 EDT dst");
	check_wall(z, 2039, 3, 13, 2, 30, TZ_WALL_GAP, utc(2039, 3, 13, 7, 0),
	    utc(2039, 3, 13, 7, 30));
	check_wall(z, 2039, 11, 6, 1, 0, TZ_WALL_OVERLAP, utc(2039, 11, 6, 5, 0),
	    utc(2039, 11, 6, 6, 0));

	z = zone("Australia/Melbourne");
	check_wall(z, 2026, 10, 4, 2, 30, TZ_WALL_GAP, utc(2026, 10, 3, 16, 0),
	    utc(2026, 10, 3, 16, 30));
	check_wall(z, 2026, 4, 5, 2, 30, TZ_WALL_OVERLAP, utc(2026, 4, 4, 15, 30),
	    utc(2026, 4, 4, 16, 30));
	check_local(z, utc(2026, 4, 4, 15, 59), "2026-04-05 02:59:00 +39600 AEDT dst");
	check_local(z, utc(2026, 4, 4, 16, 0), "2026-04-05 02:00:00 +36000 AEST");

	z = zone("Europe/London");
	check_wall(z, 2026, 3, 29, 1, 30, TZ_WALL_GAP, utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 30));
	check_wall(z, 2026, 10, 25, 1, 30, TZ_WALL_OVERLAP, utc(2026, 10, 25, 0, 30),
	    utc(2026, 10, 25, 1, 30));
	check_local(z, utc(2040, 12, 31, 23, 59), "2040-12-31 23:59:00 +0 GMT");

	/* a day whose midnight does not exist: Santiago's clocks go 24:00 -> 01:00 */
	z = zone("America/Santiago");
	ok(tz_day_start(z, 2026, 9, 6, &t) == TZ_OK && t == utc(2026, 9, 6, 4, 0),
	    "America/Santiago: 6 September 2026 begins at 01:00 -03 (04:00Z)");
}

static void
test_days(void)
{
	const struct tz_zone *z = zone("Australia/Melbourne");
	tz_instant a, b;
	int y, m, d;

	/* the day DST starts is 23 hours long, the day it ends 25 */
	ok(tz_day_start(z, 2026, 10, 4, &a) == TZ_OK && tz_day_start(z, 2026, 10, 5, &b) == TZ_OK &&
	    b - a == 23 * 3600, "Melbourne: 4 October 2026 lasts 23 hours");
	ok(tz_day_start(z, 2026, 4, 5, &a) == TZ_OK && tz_day_start(z, 2026, 4, 6, &b) == TZ_OK &&
	    b - a == 25 * 3600, "Melbourne: 5 April 2026 lasts 25 hours");
	/* 2026-12-31T14:00Z is already 1 January 2027 in Melbourne */
	ok(tz_add_days(z, utc(2026, 12, 31, 14, 0), 0, &y, &m, &d) == TZ_OK && y == 2027 && m == 1 &&
	    d == 1, "the local date of an instant");
	ok(tz_add_days(z, utc(2026, 12, 31, 14, 0), 59, &y, &m, &d) == TZ_OK && y == 2027 &&
	    m == 3 && d == 1, "59 local days later");
	ok(tz_add_days(z, utc(2024, 3, 1, 0, 0), -1, &y, &m, &d) == TZ_OK && y == 2024 &&
	    m == 2 && d == 29, "a day back over a leap day");
	is_int(tz_weekday(2026, 12, 3), 4, "3 December 2026 is a Thursday");
	is_int(tz_days_in_month(2100, 2), 28, "2100 is not a leap year");
	is_int(tz_days_in_month(2000, 2), 29, "2000 is");
	{
		int bad = 0;

		for (int64_t dd = tz_days_from_civil(1, 1, 1); dd <= tz_days_from_civil(9999, 12, 31);
		    dd += 13) {
			tz_civil_from_days(dd, &y, &m, &d);
			bad += tz_days_from_civil(y, m, d) != dd || d < 1 || d > tz_days_in_month(y, m);
		}
		is_int(bad, 0, "days <-> civil dates round-trip over years 1-9999");
	}
}

static void
test_refusals(void)
{
	const struct tz_zone *z;
	struct tz_civil feb30 = { 2026, 2, 30, 12, 0, 0 }, h24 = { 2026, 1, 1, 24, 0, 0 };
	struct tz_local l;
	tz_instant t;

	is_int(tz_load("../../../etc/passwd", &z), TZ_ENAME, "a path out of the tree is no name");
	is_int(tz_load("/usr/share/zoneinfo/UTC", &z), TZ_ENAME, "nor is an absolute path");
	is_int(tz_load("Australia/../../../etc/passwd", &z), TZ_ENAME, "nor a climb in the middle");
	is_int(tz_load("right/Australia/Sydney", &z), TZ_ENAME, "right/ (leap seconds) is refused");
	is_int(tz_load("posix/Australia/Sydney", &z), TZ_ENAME, "posix/ (duplicates) is refused");
	is_int(tz_load("localtime", &z), TZ_ENAME, "localtime (the host's zone) is refused");
	is_int(tz_load("", &z), TZ_ENAME, "the empty name");
	is_int(tz_load("Australia/Sydney ", &z), TZ_ENAME, "a space");
	is_int(tz_load("Mars/Olympus_Mons", &z), TZ_EUNKNOWN, "a zone nobody has");
	is_int(tz_load("Australia", &z), TZ_EUNKNOWN, "a directory is no zone");
	is_int(tz_load("zone1970.tab", &z), TZ_EMALFORMED, "a file that is not TZif");
	ok(tz_valid("Australia/Melbourne") && !tz_valid("Australia/Melbourn"),
	    "tz_valid tells a zone from a typo");
	is_str(tz_strerror(TZ_EUNKNOWN), "unknown time zone", "the message input validation shows");
	z = zone("UTC");
	is_int(tz_local_to_utc(z, &feb30, TZ_RULE_FIRST, &t, NULL), TZ_ERANGE, "30 February");
	is_int(tz_local_to_utc(z, &h24, TZ_RULE_FIRST, &t, NULL), TZ_ERANGE, "24:00");
	is_int(tz_utc_to_local(z, (tz_instant)1 << 60, &l), TZ_ERANGE, "an instant past 9999");
	{
		const struct tz_zone *a = NULL, *b = NULL;

		ok(tz_load("Asia/Kathmandu", &a) == TZ_OK && tz_load("Asia/Kathmandu", &b) == TZ_OK &&
		    a == b, "a zone loads once and is shared");
	}
}

/* Every instant in a year, hourly, converts to a wall time that converts back to it (or,
 * in an overlap, to the other instant with the same wall time). */
static void
test_round_trip(const char *name)
{
	const struct tz_zone *z = zone(name);
	int bad = 0, n = 0;

	for (tz_instant t = utc(1990, 1, 1, 0, 0); t < utc(2041, 1, 1, 0, 0); t += 3600 + 7 * 60) {
		struct tz_local l, back;
		tz_instant u;
		enum tz_wall kind;

		n++;
		if (tz_utc_to_local(z, t, &l) != TZ_OK ||
		    tz_local_to_utc(z, &l.civil, TZ_RULE_FIRST, &u, &kind) != TZ_OK ||
		    tz_utc_to_local(z, u, &back) != TZ_OK || kind == TZ_WALL_GAP ||
		    memcmp(&back.civil, &l.civil, sizeof l.civil) != 0 ||
		    (u != t && kind != TZ_WALL_OVERLAP)) {
			if (bad++ < 3) {
				char a[40];
				diag("%s: %s does not come back", name, iso(t, a));
			}
		}
	}
	is_int(bad, 0, "%s: %d instants 1990-2040 round-trip through wall time", name, n);
}

/* Two threads converting in different zones at once get what one thread gets. */
struct worker {
	const char *zone;
	long        sum, want;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	const struct tz_zone *z = NULL;

	if (tz_load(w->zone, &z) != TZ_OK)
		return NULL;
	for (tz_instant t = utc(2020, 1, 1, 0, 0); t < utc(2030, 1, 1, 0, 0); t += 3600) {
		struct tz_local l;

		if (tz_utc_to_local(z, t, &l) == TZ_OK)
			w->sum += l.offset / 60 + l.civil.hour;
	}
	return NULL;
}

static void
test_threads(void)
{
	struct worker w[2] = { { "Pacific/Chatham", 0, 0 }, { "America/St_Johns", 0, 0 } };
	pthread_t th[2];

	for (int i = 0; i < 2; i++) {
		worker_run(&w[i]);
		w[i].want = w[i].sum;
		w[i].sum = 0;
	}
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, worker_run, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ok(w[0].sum == w[0].want && w[1].sum == w[1].want && w[0].want != w[1].want,
	    "two threads in two zones at once agree with one thread");
}

int
main(void)
{
	test_named_zones();
	test_days();
	test_refusals();
	test_round_trip("Australia/Lord_Howe");
	test_round_trip("America/New_York");
	test_round_trip("Pacific/Chatham");
	test_round_trip("Europe/Dublin");	/* negative DST in the table: winter is "dst" */
	test_threads();
	return tap_done();
}
