/* tz: a clinic's wall-clock time <-> UTC instants, for any IANA zone, without TZ or tzset().
 *
 * Zones are read from the system's TZif files (RFC 8536, version 2 or later: the 64-bit
 * data and the POSIX TZ footer that carries the rule past the last transition). A loaded
 * zone is immutable and cached for the life of the process: load it once, keep the
 * pointer, and read it from any thread. docs/time.md has the rules, costs and the check
 * against PostgreSQL. */
#ifndef KAIROS_CORE_TZ_H
#define KAIROS_CORE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest zone name accepted; the longest IANA name is ~32 characters. */
#define TZ_NAME_MAX      64
/* The civil years the conversions accept (instants outside them are TZ_ERANGE). */
#define TZ_YEAR_MIN      1
#define TZ_YEAR_MAX      9999
/* Seconds in a day (UTC days have no leap seconds here: POSIX time, like PostgreSQL). */
#define TZ_DAY_SECONDS   86400

/* Seconds since 1970-01-01T00:00:00Z, leap seconds not counted. */
typedef int64_t tz_instant;

enum tz_error {
	TZ_OK = 0,
	TZ_ENAME = -1,		/* not a zone name: empty, too long, bad characters, "..",
				 * absolute, or in the posix/ or right/ trees */
	TZ_EUNKNOWN = -2,	/* a well-formed name no installed zone has */
	TZ_EMALFORMED = -3,	/* the file is not TZif v2+, is inconsistent, or has leap
				 * seconds (a right/ zone by another name) */
	TZ_ERANGE = -4,		/* a civil time with a field out of range, or outside
				 * TZ_YEAR_MIN..TZ_YEAR_MAX */
};

struct tz_zone;

/* A civil (wall-clock) date and time, no zone attached. month 1-12, day 1-31, hour 0-23,
 * minute 0-59, second 0-59. */
struct tz_civil {
	int year, month, day, hour, minute, second;
};

/* What a UTC instant is in a zone. */
struct tz_local {
	struct tz_civil civil;
	int32_t         offset;		/* seconds east of UTC */
	bool            is_dst;
	const char     *abbrev;		/* "AEDT", "+0545": the zone's, lives as long as it */
};

/* Whether a wall time happens once, never (a spring-forward gap) or twice (a fall-back
 * overlap) in a zone. */
enum tz_wall {
	TZ_WALL_NORMAL = 0,
	TZ_WALL_GAP,
	TZ_WALL_OVERLAP,
};

/* Which instant tz_local_to_utc gives for a wall time in a gap or an overlap. */
enum tz_rule {
	/* Kairos's rule. Gap: the transition itself, the first instant whose wall time is past
	 * the one asked for (02:30 on a 02:00->03:00 day gives 03:00). Overlap: the earlier of
	 * the two instants (the first time the clock shows it). */
	TZ_RULE_FIRST,
	/* PostgreSQL's (timestamp AT TIME ZONE, ::timestamptz). Gap: read with the offset in
	 * force before the transition (02:30 gives 03:30). Overlap: the offset after it, so
	 * the later instant. */
	TZ_RULE_POSTGRES,
};

/* The zone named `name` ("Australia/Melbourne"), loaded from the zoneinfo directory ($TZDIR
 * if set when the first zone loads, else /usr/share/zoneinfo) on first use and cached.
 * On TZ_OK *out points at a zone owned by the cache, never freed, safe to read from any
 * thread. Thread-safe. */
enum tz_error tz_load(const char *name, const struct tz_zone **out);
/* true when tz_load(name) succeeds: the check input validation uses ("unknown time zone"). */
bool        tz_valid(const char *name);
/* The name it was loaded by. */
const char *tz_name(const struct tz_zone *z);
/* The directory zones are read from. */
const char *tz_dir(void);
/* Bytes the zone holds (for the figures in docs/time.md). */
size_t      tz_zone_bytes(const struct tz_zone *z);
/* What tz_error means, for a message ("unknown time zone"); a static string. */
const char *tz_strerror(enum tz_error e);

/* The wall time, offset, DST flag and abbreviation in force at `t`. TZ_OK or TZ_ERANGE. */
enum tz_error tz_utc_to_local(const struct tz_zone *z, tz_instant t, struct tz_local *out);
/* The instant at which the zone's clocks show `wall`, by `rule` in a gap or an overlap;
 * *kind (may be NULL) says which case it was. TZ_OK, or TZ_ERANGE for an impossible or
 * out-of-range civil time (February 30th, 24:00). */
enum tz_error tz_local_to_utc(const struct tz_zone *z, const struct tz_civil *wall,
    enum tz_rule rule, tz_instant *out, enum tz_wall *kind);

/* ---- days in a zone ---- */

/* The first instant of the local date y-m-d: its midnight, or where midnight falls in a
 * gap (some zones change at 00:00) the instant the day begins. TZ_OK or TZ_ERANGE. */
enum tz_error tz_day_start(const struct tz_zone *z, int year, int month, int day,
    tz_instant *out);
/* The local date of instant t, n days later (n may be negative): for walking a date range
 * day by day in a zone. TZ_OK or TZ_ERANGE. */
enum tz_error tz_add_days(const struct tz_zone *z, tz_instant t, int n, int *year, int *month,
    int *day);

/* ---- civil calendar arithmetic (proleptic Gregorian, no zone) ---- */

/* Days since 1970-01-01 of y-m-d (which need not be normalised: month 13 or day 0 roll). */
int64_t tz_days_from_civil(int year, int month, int day);
/* The date `days` after 1970-01-01. */
void    tz_civil_from_days(int64_t days, int *year, int *month, int *day);
/* 0 = Sunday .. 6 = Saturday. */
int     tz_weekday(int year, int month, int day);
int     tz_days_in_month(int year, int month);
/* A civil time read as if it were UTC: what tz_local_to_utc corrects by the offset. */
tz_instant tz_civil_to_seconds(const struct tz_civil *c);
void    tz_seconds_to_civil(tz_instant s, struct tz_civil *c);

#endif
