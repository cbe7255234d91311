/* tz: wall time <-> UTC (core/tz.c) on the named zones' DST days — Australia/Lord_Howe
 * (30-minute DST), Australia/Adelaide (+9:30/+10:30), Asia/Kathmandu (+5:45),
 * Pacific/Chatham (+12:45/+13:45), America/New_York, Australia/Melbourne, Europe/London —
 * in the transition table and past it (the POSIX footer, 2039), both gap/overlap rules,
 * midnight in a gap (America/Santiago), names refused, files that are not zones (built here
 * byte by byte), footers with odd rules, and two threads converting at once.
 * The million-pair comparison with PostgreSQL: t/integration/tz-postgres.t. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Two threads loading (first use) and converting in different zones at once get what one
 * thread gets afterwards. Built with -fsanitize=thread it is also a race check. */
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
	/* zones no other test loads: the threads load them */
	struct worker w[2] = { { "Asia/Tehran", 0, 0 }, { "America/St_Johns", 0, 0 } };
	pthread_t th[2];

	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, worker_run, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++) {
		long sum = w[i].sum;

		w[i].sum = 0;
		worker_run(&w[i]);
		w[i].want = w[i].sum;
		w[i].sum = sum;
	}
	ok(w[0].sum == w[0].want && w[1].sum == w[1].want && w[0].want != w[1].want &&
	    w[0].want != 0, "two threads loading and converting in two zones at once agree with one"
	    " thread");
}

/* ---- zone files made here: a directory that links the system's zones and adds these ---- */

static char zdir[] = "/tmp/kairos-tz-XXXXXX";

static void
put32(unsigned char **p, uint32_t v)
{
	(*p)[0] = (unsigned char)(v >> 24);
	(*p)[1] = (unsigned char)(v >> 16);
	(*p)[2] = (unsigned char)(v >> 8);
	(*p)[3] = (unsigned char)v;
	*p += 4;
}

/* A TZif v2 file: an empty v1 block, then `ntrans` transitions to types given as
 * (utoff, isdst) with abbreviation "ZZZ", `leap` leap-second records, and the footer.
 * `cut` bytes are cut off the end. */
static void
write_zone(const char *name, int ntrans, const int64_t *times, const uint8_t *idx, int ntypes,
    const int32_t *utoff, int leap, const char *footer, size_t cut)
{
	unsigned char buf[4096], *p = buf;
	char path[512];
	FILE *f;

	memcpy(p, "TZif2", 5);
	memset(p + 5, 0, 15);
	p += 20;
	put32(&p, 0); put32(&p, 0); put32(&p, 0); put32(&p, 0); put32(&p, 1); put32(&p, 4);
	memset(p, 0, 6 + 4);	/* v1: one type, "ZZZ" */
	memcpy(p + 6, "ZZZ", 4);
	p += 10;
	memcpy(p, "TZif2", 5);
	memset(p + 5, 0, 15);
	p += 20;
	put32(&p, 0); put32(&p, 0); put32(&p, (uint32_t)leap); put32(&p, (uint32_t)ntrans);
	put32(&p, (uint32_t)ntypes); put32(&p, 4);
	for (int i = 0; i < ntrans; i++) {
		put32(&p, (uint32_t)((uint64_t)times[i] >> 32));
		put32(&p, (uint32_t)times[i]);
	}
	for (int i = 0; i < ntrans; i++)
		*p++ = idx[i];
	for (int i = 0; i < ntypes; i++) {
		put32(&p, (uint32_t)utoff[i]);
		*p++ = 0;
		*p++ = 0;
	}
	memcpy(p, "ZZZ", 4);
	p += 4;
	for (int i = 0; i < leap; i++) {
		memset(p, 0, 12);
		p += 12;
	}
	p += (size_t)snprintf((char *)p, 256, "\n%s\n", footer);
	snprintf(path, sizeof path, "%s/%s", zdir, name);
	if ((f = fopen(path, "wb")) != NULL) {
		fwrite(buf, 1, (size_t)(p - buf) - cut, f);
		fclose(f);
	}
}

/* Before any zone loads: TZDIR is read at the first load. */
static void
make_zone_dir(void)
{
	DIR *d;
	struct dirent *e;
	char path[512];
	int64_t t[2] = { 0, 100 };
	uint8_t idx[2] = { 1, 0 };
	int32_t off[2] = { 3600, 7200 };

	if (mkdtemp(zdir) == NULL || (d = opendir("/usr/share/zoneinfo")) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char target[512];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", zdir, e->d_name);
		snprintf(target, sizeof target, "/usr/share/zoneinfo/%s", e->d_name);
		if (symlink(target, path) < 0)
			continue;
	}
	closedir(d);
	setenv("TZDIR", zdir, 1);
	write_zone("Test-Ok", 2, t, idx, 2, off, 0, "", 0);
	write_zone("Test-Truncated", 2, t, idx, 2, off, 0, "", 12);
	write_zone("Test-Leap", 2, t, idx, 2, off, 2, "", 0);
	write_zone("Test-Footer", 2, t, idx, 2, off, 0, "XYZ-1ABC,M13.1.0,M4.1.0", 0);
	write_zone("Test-Unsorted", 2, (int64_t[]){ 100, 0 }, idx, 2, off, 0, "", 0);
	write_zone("Test-Badtype", 2, t, (uint8_t[]){ 1, 2 }, 2, off, 0, "", 0);
	write_zone("Test-Offset", 1, t, idx, 2, (int32_t[]){ 0, 30 * 3600 }, 0, "", 0);
	/* no transitions, a footer for all time: DST all year, then negative rule times */
	write_zone("Test-AllYearDst", 0, NULL, NULL, 1, off, 0, "XST-1XDT,0/0,J365/25", 0);
	write_zone("Test-Negative", 0, NULL, NULL, 1, off, 0, "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 0);
}

static void
remove_zone_dir(void)
{
	DIR *d = opendir(zdir);
	struct dirent *e;
	char path[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", zdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(zdir);
}

static void
test_made_zones(void)
{
	const struct tz_zone *z;
	struct tz_local l;

	is_str(tz_dir(), zdir, "zones come from $TZDIR");
	ok(tz_load("Test-Ok", &z) == TZ_OK && tz_utc_to_local(z, -5, &l) == TZ_OK &&
	    l.offset == 3600 && tz_utc_to_local(z, 50, &l) == TZ_OK && l.offset == 7200 &&
	    tz_utc_to_local(z, 100, &l) == TZ_OK && l.offset == 3600,
	    "a made zone: type 0 before the first transition, then the table");
	is_int(tz_load("Test-Truncated", &z), TZ_EMALFORMED, "a truncated file");
	is_int(tz_load("Test-Leap", &z), TZ_EMALFORMED, "leap-second records (right/ by another name)");
	is_int(tz_load("Test-Footer", &z), TZ_EMALFORMED, "a footer with month 13");
	is_int(tz_load("Test-Unsorted", &z), TZ_EMALFORMED, "transitions out of order");
	is_int(tz_load("Test-Badtype", &z), TZ_EMALFORMED, "a transition to a type that is not there");
	is_int(tz_load("Test-Offset", &z), TZ_EMALFORMED, "an offset of 30 hours");
	ok(tz_load("Test-AllYearDst", &z) == TZ_OK &&
	    tz_utc_to_local(z, utc(2030, 12, 31, 22, 59), &l) == TZ_OK && l.is_dst &&
	    tz_utc_to_local(z, utc(2030, 12, 31, 23, 0), &l) == TZ_OK && l.is_dst &&
	    tz_utc_to_local(z, utc(2031, 6, 1, 0, 0), &l) == TZ_OK && l.is_dst && l.offset == 7200,
	    "a footer with DST all year stays DST across new year");
	/* <-03>3<-02>,M3.5.0/-2,M10.5.0/-1: DST from 22:00 on the Saturday before the last
	 * Sunday of March (-03), to 23:00 on the Saturday before the last Sunday of October (-02):
	 * in 2030, 31 March and 27 October at 01:00Z */
	ok(tz_load("Test-Negative", &z) == TZ_OK &&
	    tz_utc_to_local(z, utc(2030, 3, 31, 0, 59), &l) == TZ_OK && l.offset == -3 * 3600 &&
	    tz_utc_to_local(z, utc(2030, 3, 31, 1, 0), &l) == TZ_OK && l.offset == -2 * 3600 &&
	    tz_utc_to_local(z, utc(2030, 10, 27, 0, 59), &l) == TZ_OK && l.offset == -2 * 3600 &&
	    tz_utc_to_local(z, utc(2030, 10, 27, 1, 0), &l) == TZ_OK && l.offset == -3 * 3600,
	    "rule times before midnight (-2 and -1 hours) in the footer");
}

int
main(void)
{
	make_zone_dir();
	test_made_zones();
	test_named_zones();
	test_days();
	test_refusals();
	test_round_trip("Australia/Lord_Howe");
	test_round_trip("America/New_York");
	test_round_trip("Pacific/Chatham");
	test_round_trip("Europe/Dublin");	/* negative DST in the table: winter is "dst" */
	test_threads();
	remove_zone_dir();
	return tap_done();
}
