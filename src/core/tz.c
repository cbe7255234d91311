/* tz: wall-clock time <-> UTC for any IANA zone, read from TZif files (RFC 8536) by hand.
 *
 * Why by hand and not TZ/tzset()/localtime_r: TZ is process-wide, so converting for one
 * clinic's zone while another thread converts for another's is a race. Why not ICU: see
 * docs/time.md (it is slower per conversion, much heavier to load, and resolves gaps and
 * overlaps with a rule we would have to undo). A zone is a table of transitions plus the
 * POSIX TZ footer for instants after the last one; both are immutable once loaded. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/tz.h"

#define TZ_DEFAULT_DIR     "/usr/share/zoneinfo"
/* Zone files are a few KiB (the largest "fat" ones ~4 KiB): anything far bigger is not one. */
#define TZ_FILE_MAX        (1024 * 1024)
/* RFC 8536 limits offsets to under 26 hours either way; more means a broken file. */
#define TZ_OFFSET_MAX      (26 * 3600)
/* No zone has more than a few hundred transitions; the format allows far more. */
#define TZ_TRANSITIONS_MAX 10000
#define TZ_TYPES_MAX       256	/* a transition's type index is one byte */
#define TZ_ABBREV_SIZE     16	/* POSIX abbreviations are 3-6 characters in practice */
/* POSIX TZ rule times are -167..167 hours (RFC 8536 §3.3.1 extension to POSIX's 0..24). */
#define TZ_RULE_HOURS_MAX  167
#define TZ_OFFSET_HOURS_MAX 24
/* A wall time's candidate instants lie within TZ_OFFSET_MAX of it: look at the transitions
 * within two days either side, of which real zones have at most two. */
#define TZ_WINDOW_SECONDS  (2 * TZ_DAY_SECONDS)
#define TZ_WINDOW_MAX      16
#define TZ_HEADER_SIZE     44
/* The longest footer in tzdata is ~40 characters ("<+1245>-12:45<+1345>,M9.5.0/2:45,..."). */
#define TZ_FOOTER_MAX      128

/* One local time type: an offset, whether it is DST, an abbreviation. */
struct tz_type {
	int32_t  utoff;
	bool     isdst;
	uint16_t abbr;		/* index into chars */
};

/* A POSIX TZ rule date: Jn (1-365, Feb 29 never counted), n (0-365), or Mm.w.d. */
struct tz_rule_date {
	char    kind;		/* 'J', 'D' or 'M' */
	int     n, month, week, wday;
	int32_t time;		/* seconds past local midnight, -167h..167h */
};

/* The footer: the rule for instants after the last transition. */
struct tz_footer {
	bool     present;
	bool     has_dst;
	int32_t  std_off, dst_off;	/* seconds east of UTC */
	char     std_abbr[TZ_ABBREV_SIZE], dst_abbr[TZ_ABBREV_SIZE];
	struct tz_rule_date start, end;	/* start in standard time, end in DST */
};

struct tz_zone {
	struct tz_zone  *next;		/* the cache's list */
	char             name[TZ_NAME_MAX + 1];
	size_t           ntrans;
	int64_t         *times;		/* ascending */
	uint8_t         *index;		/* type of each transition */
	size_t           ntypes;
	struct tz_type  *types;
	char            *chars;		/* NUL-terminated abbreviations */
	size_t           nchars;
	struct tz_footer footer;
};

/* The civil range, as instants: computed from TZ_YEAR_MIN/MAX, fixed. */
#define TZ_INSTANT_MIN     (-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define TZ_INSTANT_MAX     (253402300799LL)	/* 9999-12-31T23:59:59Z */

/* ---- civil calendar (H. Hinnant's days_from_civil / civil_from_days) ---- */

static int64_t
tz_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
tz_days_from_civil(int year, int month, int day)
{
	int64_t y = (int64_t)year + tz_floor_div((int64_t)month - 1, 12);
	int64_t m = (int64_t)month - 1 - tz_floor_div((int64_t)month - 1, 12) * 12 + 1;
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = tz_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + (int64_t)day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tz_civil_from_days(int64_t days, int *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = tz_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	*year = (int)(yoe + era * 400 + (m <= 2));
	*month = (int)m;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int
tz_weekday(int year, int month, int day)
{
	int64_t w = (tz_days_from_civil(year, month, day) + 4) % 7;	/* 1970-01-01: Thursday */

	return (int)(w < 0 ? w + 7 : w);
}

static bool
tz_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
tz_days_in_month(int year, int month)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	return dim[month - 1] + (month == 2 && tz_leap(year));
}

tz_instant
tz_civil_to_seconds(const struct tz_civil *c)
{
	return tz_days_from_civil(c->year, c->month, c->day) * TZ_DAY_SECONDS +
	    (int64_t)c->hour * 3600 + (int64_t)c->minute * 60 + c->second;
}

void
tz_seconds_to_civil(tz_instant s, struct tz_civil *c)
{
	int64_t days = tz_floor_div(s, TZ_DAY_SECONDS), rem = s - days * TZ_DAY_SECONDS;

	tz_civil_from_days(days, &c->year, &c->month, &c->day);
	c->hour = (int)(rem / 3600);
	c->minute = (int)(rem / 60 % 60);
	c->second = (int)(rem % 60);
}

static bool
tz_civil_valid(const struct tz_civil *c)
{
	return c->year >= TZ_YEAR_MIN && c->year <= TZ_YEAR_MAX && c->month >= 1 &&
	    c->month <= 12 && c->day >= 1 && c->day <= tz_days_in_month(c->year, c->month) &&
	    c->hour >= 0 && c->hour <= 23 && c->minute >= 0 && c->minute <= 59 &&
	    c->second >= 0 && c->second <= 59;
}

/* ---- the POSIX TZ footer ---- */

/* An abbreviation: <...> quoted (letters, digits, + and -) or 3+ letters. */
static const char *
tz_parse_abbrev(const char *p, char out[TZ_ABBREV_SIZE])
{
	size_t n = 0;

	if (*p == '<') {
		for (p++; *p && *p != '>'; p++) {
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-') || n + 1 >= TZ_ABBREV_SIZE)
				return NULL;
			out[n++] = *p;
		}
		if (*p != '>')
			return NULL;
		p++;
	} else {
		for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
			if (n + 1 >= TZ_ABBREV_SIZE)
				return NULL;
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return n >= 3 ? p : NULL;
}

/* [+-]h[h[h]][:mm[:ss]] with hours at most max_hours, as signed seconds. */
static const char *
tz_parse_hms(const char *p, int max_hours, int32_t *out)
{
	int sign = 1, h = 0, m = 0, s = 0, digits = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
		h = h * 10 + (*p - '0');
	if (digits == 0 || h > max_hours)
		return NULL;
	if (*p == ':') {
		if (p[1] < '0' || p[1] > '5' || p[2] < '0' || p[2] > '9')
			return NULL;
		m = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == ':') {
			if (p[1] < '0' || p[1] > '5' || p[2] < '0' || p[2] > '9')
				return NULL;
			s = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
		}
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *
tz_parse_number(const char *p, int lo, int hi, int *out)
{
	int v = 0, digits = 0;

	for (; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
		v = v * 10 + (*p - '0');
	if (digits == 0 || v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

/* ,date[/time] */
static const char *
tz_parse_rule_date(const char *p, struct tz_rule_date *d)
{
	if (*p++ != ',')
		return NULL;
	d->time = 2 * 3600;	/* POSIX's default: 02:00 */
	if (*p == 'J') {
		d->kind = 'J';
		p = tz_parse_number(p + 1, 1, 365, &d->n);
	} else if (*p == 'M') {
		d->kind = 'M';
		if ((p = tz_parse_number(p + 1, 1, 12, &d->month)) == NULL || *p++ != '.' ||
		    (p = tz_parse_number(p, 1, 5, &d->week)) == NULL || *p++ != '.')
			return NULL;
		p = tz_parse_number(p, 0, 6, &d->wday);
	} else {
		d->kind = 'D';
		p = tz_parse_number(p, 0, 365, &d->n);
	}
	if (p != NULL && *p == '/')
		p = tz_parse_hms(p + 1, TZ_RULE_HOURS_MAX, &d->time);
	return p;
}

/* std offset [dst [offset] [,start[/time],end[/time]]], offsets west-positive as in POSIX. */
static bool
tz_parse_footer(const char *s, struct tz_footer *f)
{
	const char *p = s;
	int32_t off;

	memset(f, 0, sizeof *f);
	if (*p == '\0')
		return true;	/* empty: no rule past the last transition */
	if ((p = tz_parse_abbrev(p, f->std_abbr)) == NULL ||
	    (p = tz_parse_hms(p, TZ_OFFSET_HOURS_MAX, &off)) == NULL)
		return false;
	f->present = true;
	f->std_off = -off;
	if (*p == '\0')
		return true;
	if ((p = tz_parse_abbrev(p, f->dst_abbr)) == NULL)
		return false;
	f->has_dst = true;
	f->dst_off = f->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = tz_parse_hms(p, TZ_OFFSET_HOURS_MAX, &off)) == NULL)
			return false;
		f->dst_off = -off;
	}
	if (*p == '\0')	/* POSIX leaves the default rule to the implementation: US rules */
		p = ",M3.2.0,M11.1.0";
	if ((p = tz_parse_rule_date(p, &f->start)) == NULL ||
	    (p = tz_parse_rule_date(p, &f->end)) == NULL)
		return false;
	return *p == '\0';
}

/* Days since the epoch of a rule date in a year. */
static int64_t
tz_rule_day(const struct tz_rule_date *d, int year)
{
	int64_t jan1 = tz_days_from_civil(year, 1, 1);

	switch (d->kind) {
	case 'J':
		return jan1 + d->n - 1 + (tz_leap(year) && d->n >= 60);
	case 'D':
		return jan1 + d->n;
	default: {
		int64_t first = tz_days_from_civil(year, d->month, 1);
		int dim = tz_days_in_month(year, d->month);
		int day = (d->wday - tz_weekday(year, d->month, 1) + 7) % 7 + 7 * (d->week - 1);

		while (day >= dim)	/* week 5 is "the last": back into the month */
			day -= 7;
		return first + day;
	}
	}
}

/* A footer transition: when, and whether DST starts there. */
struct tz_event {
	tz_instant at;
	bool       to_dst;
};

/* The two transitions of `year`, in the order the year has them. */
static void
tz_footer_events(const struct tz_footer *f, int year, struct tz_event ev[2])
{
	struct tz_event s = { tz_rule_day(&f->start, year) * TZ_DAY_SECONDS + f->start.time -
		f->std_off, true };
	struct tz_event e = { tz_rule_day(&f->end, year) * TZ_DAY_SECONDS + f->end.time -
		f->dst_off, false };

	ev[0] = s.at <= e.at ? s : e;
	ev[1] = s.at <= e.at ? e : s;
}

/* Years whose transitions can matter at t: its own (by standard time) and either side. */
#define TZ_FOOTER_YEARS 3

static int
tz_footer_year(const struct tz_footer *f, tz_instant t)
{
	struct tz_civil c;

	tz_seconds_to_civil(t + f->std_off, &c);
	return c.year;
}

/* Whether DST is in force at t by the footer: the latest of the transitions at or before t
 * decides (on a tie the later year's, so "DST all year" rules such as 0/0,J365/25 stay DST
 * across new year). */
static bool
tz_footer_dst(const struct tz_footer *f, tz_instant t)
{
	int year = tz_footer_year(f, t);
	bool dst = false, found = false;
	tz_instant best = 0;

	for (int y = year - 1; y <= year + 1; y++) {
		struct tz_event ev[2];

		tz_footer_events(f, y, ev);
		for (int i = 0; i < 2; i++)
			if (ev[i].at <= t && (!found || ev[i].at >= best)) {
				best = ev[i].at;
				dst = ev[i].to_dst;
				found = true;
			}
	}
	return dst;
}

/* The first footer transition strictly after t (INT64_MAX: none). */
static tz_instant
tz_footer_next(const struct tz_footer *f, tz_instant t)
{
	int year = tz_footer_year(f, t);
	tz_instant next = INT64_MAX;

	for (int y = year - 1; y <= year + 1; y++) {
		struct tz_event ev[2];

		tz_footer_events(f, y, ev);
		for (int i = 0; i < 2; i++)
			if (ev[i].at > t && ev[i].at < next)
				next = ev[i].at;
	}
	return next;
}

/* ---- a zone's state at an instant ---- */

struct tz_state {
	int32_t     utoff;
	bool        isdst;
	const char *abbr;
};

static void
tz_state_footer(const struct tz_zone *z, tz_instant t, struct tz_state *st)
{
	const struct tz_footer *f = &z->footer;
	bool dst = f->has_dst && tz_footer_dst(f, t);

	st->utoff = dst ? f->dst_off : f->std_off;
	st->isdst = dst;
	st->abbr = dst ? f->dst_abbr : f->std_abbr;
}

/* Index of the last transition at or before t, or -1. */
static long
tz_find(const struct tz_zone *z, tz_instant t)
{
	size_t lo = 0, hi = z->ntrans;	/* answer in [lo, hi): first time > t */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->times[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

static void
tz_state_at(const struct tz_zone *z, tz_instant t, struct tz_state *st)
{
	long i;
	const struct tz_type *ty;

	/* RFC 8536: the footer covers instants after the last transition (all of them when
	 * there is none); time type 0 those before the first. */
	if (z->footer.present && (z->ntrans == 0 || t >= z->times[z->ntrans - 1])) {
		tz_state_footer(z, t, st);
		return;
	}
	i = tz_find(z, t);
	ty = &z->types[i < 0 ? 0 : z->index[i]];
	st->utoff = ty->utoff;
	st->isdst = ty->isdst;
	st->abbr = z->chars + ty->abbr;
}

/* The first transition strictly after t (INT64_MAX: none). */
static tz_instant
tz_next_transition(const struct tz_zone *z, tz_instant t)
{
	if (z->ntrans > 0 && t < z->times[z->ntrans - 1])
		return z->times[tz_find(z, t) + 1];
	if (z->footer.present && z->footer.has_dst)
		return tz_footer_next(&z->footer, t);
	return INT64_MAX;
}

/* ---- conversions ---- */

enum tz_error
tz_utc_to_local(const struct tz_zone *z, tz_instant t, struct tz_local *out)
{
	struct tz_state st;

	if (t < TZ_INSTANT_MIN || t > TZ_INSTANT_MAX)
		return TZ_ERANGE;
	tz_state_at(z, t, &st);
	tz_seconds_to_civil(t + st.utoff, &out->civil);
	if (out->civil.year < TZ_YEAR_MIN || out->civil.year > TZ_YEAR_MAX)
		return TZ_ERANGE;
	out->offset = st.utoff;
	out->is_dst = st.isdst;
	out->abbrev = st.abbr;
	return TZ_OK;
}

enum tz_error
tz_local_to_utc(const struct tz_zone *z, const struct tz_civil *wall, enum tz_rule rule,
    tz_instant *out, enum tz_wall *kind)
{
	/* The offsets in force over a window around the wall time, as segments
	 * [start[k], start[k+1]) each with one offset. */
	tz_instant start[TZ_WINDOW_MAX + 1], w, lo, hi, cand[TZ_WINDOW_MAX];
	int32_t off[TZ_WINDOW_MAX];
	struct tz_state st;
	int nseg = 0, ncand = 0;

	if (!tz_civil_valid(wall))
		return TZ_ERANGE;
	w = tz_civil_to_seconds(wall);
	lo = w - TZ_WINDOW_SECONDS;
	hi = w + TZ_WINDOW_SECONDS;
	tz_state_at(z, lo, &st);
	start[0] = lo;
	off[0] = st.utoff;
	nseg = 1;
	for (tz_instant t = tz_next_transition(z, lo); t <= hi && nseg < TZ_WINDOW_MAX;
	    t = tz_next_transition(z, t)) {
		tz_state_at(z, t, &st);
		if (st.utoff == off[nseg - 1])
			continue;	/* only the abbreviation or DST flag changed */
		start[nseg] = t;
		off[nseg] = st.utoff;
		nseg++;
	}
	start[nseg] = hi + 1;
	/* each segment whose offset maps the wall time into it gives one instant */
	for (int k = 0; k < nseg; k++) {
		tz_instant t = w - off[k];

		if (t >= start[k] && t < start[k + 1])
			cand[ncand++] = t;
	}
	if (ncand == 1) {
		*out = cand[0];
		if (kind)
			*kind = TZ_WALL_NORMAL;
		return TZ_OK;
	}
	if (ncand >= 2) {
		/* candidates come in time order: the first is the earliest */
		*out = rule == TZ_RULE_FIRST ? cand[0] : cand[ncand - 1];
		if (kind)
			*kind = TZ_WALL_OVERLAP;
		return TZ_OK;
	}
	/* a gap: the transition whose jump passes over the wall time */
	for (int k = 1; k < nseg; k++) {
		if (start[k] + off[k - 1] <= w && w < start[k] + off[k]) {
			*out = rule == TZ_RULE_FIRST ? start[k] : w - off[k - 1];
			if (kind)
				*kind = TZ_WALL_GAP;
			return TZ_OK;
		}
	}
	return TZ_ERANGE;	/* not reached for a zone whose offsets are within TZ_OFFSET_MAX */
}

enum tz_error
tz_day_start(const struct tz_zone *z, int year, int month, int day, tz_instant *out)
{
	struct tz_civil c = { year, month, day, 0, 0, 0 };

	return tz_local_to_utc(z, &c, TZ_RULE_FIRST, out, NULL);
}

enum tz_error
tz_add_days(const struct tz_zone *z, tz_instant t, int n, int *year, int *month, int *day)
{
	struct tz_local l;
	enum tz_error e = tz_utc_to_local(z, t, &l);

	if (e != TZ_OK)
		return e;
	tz_civil_from_days(tz_days_from_civil(l.civil.year, l.civil.month, l.civil.day) + n,
	    year, month, day);
	return *year >= TZ_YEAR_MIN && *year <= TZ_YEAR_MAX ? TZ_OK : TZ_ERANGE;
}

/* ---- reading TZif ---- */

static uint32_t
tz_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
tz_be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)tz_be32(p) << 32 | tz_be32(p + 4));
}

struct tz_counts {
	size_t isut, isstd, leap, time, type, chars;
};

static bool
tz_header(const unsigned char *p, size_t n, struct tz_counts *c)
{
	if (n < TZ_HEADER_SIZE || memcmp(p, "TZif", 4) != 0)
		return false;
	c->isut = tz_be32(p + 20);
	c->isstd = tz_be32(p + 24);
	c->leap = tz_be32(p + 28);
	c->time = tz_be32(p + 32);
	c->type = tz_be32(p + 36);
	c->chars = tz_be32(p + 40);
	return c->time <= TZ_TRANSITIONS_MAX && c->type >= 1 && c->type <= TZ_TYPES_MAX &&
	    c->chars >= 1 && c->chars <= TZ_FILE_MAX && c->leap <= TZ_FILE_MAX &&
	    c->isut <= c->type && c->isstd <= c->type;
}

/* Parses the v2+ data of a whole file into z (arrays z owns). */
static enum tz_error
tz_parse(const unsigned char *p, size_t n, struct tz_zone *z)
{
	struct tz_counts c;
	size_t off, need;
	const unsigned char *d, *end_of_footer;
	char footer[TZ_FOOTER_MAX];

	if (!tz_header(p, n, &c) || p[4] < '2')	/* v1 only: no 64-bit data, no footer */
		return TZ_EMALFORMED;
	off = TZ_HEADER_SIZE + c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut;
	if (off > n || !tz_header(p + off, n - off, &c))
		return TZ_EMALFORMED;
	if (c.leap != 0)	/* leap seconds: instants are not POSIX time */
		return TZ_EMALFORMED;
	d = p + off + TZ_HEADER_SIZE;
	need = c.time * 9 + c.type * 6 + c.chars + c.isstd + c.isut;
	if (need > n - off - TZ_HEADER_SIZE)
		return TZ_EMALFORMED;
	z->ntrans = c.time;
	z->ntypes = c.type;
	z->nchars = c.chars;
	z->times = xcalloc(c.time ? c.time : 1, sizeof *z->times);
	z->index = xcalloc(c.time ? c.time : 1, 1);
	z->types = xcalloc(c.type, sizeof *z->types);
	z->chars = xmemdup(d + c.time * 9 + c.type * 6, c.chars);
	if (z->chars[c.chars - 1] != '\0')
		return TZ_EMALFORMED;
	for (size_t i = 0; i < c.time; i++) {
		z->times[i] = tz_be64(d + i * 8);
		z->index[i] = d[c.time * 8 + i];
		if (z->index[i] >= c.type || (i > 0 && z->times[i] <= z->times[i - 1]))
			return TZ_EMALFORMED;
	}
	for (size_t i = 0; i < c.type; i++) {
		const unsigned char *t = d + c.time * 9 + i * 6;

		z->types[i].utoff = (int32_t)tz_be32(t);
		z->types[i].isdst = t[4] != 0;
		z->types[i].abbr = t[5];
		if (z->types[i].utoff < -TZ_OFFSET_MAX || z->types[i].utoff > TZ_OFFSET_MAX ||
		    t[4] > 1 || t[5] >= c.chars)
			return TZ_EMALFORMED;
	}
	/* the footer: "\n" TZ-string "\n" */
	d += need;
	if (d >= p + n || *d != '\n')
		return TZ_EMALFORMED;
	end_of_footer = memchr(d + 1, '\n', (size_t)(p + n - d - 1));
	if (end_of_footer == NULL || (size_t)(end_of_footer - d - 1) >= sizeof footer)
		return TZ_EMALFORMED;
	memcpy(footer, d + 1, (size_t)(end_of_footer - d - 1));
	footer[end_of_footer - d - 1] = '\0';
	if (!tz_parse_footer(footer, &z->footer))
		return TZ_EMALFORMED;
	if (z->footer.present && (z->footer.std_off < -TZ_OFFSET_MAX ||
	    z->footer.std_off > TZ_OFFSET_MAX || z->footer.dst_off < -TZ_OFFSET_MAX ||
	    z->footer.dst_off > TZ_OFFSET_MAX))
		return TZ_EMALFORMED;
	return TZ_OK;
}

/* ---- names, the directory, the cache ---- */

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t  tz_dir_once = PTHREAD_ONCE_INIT;
static char            tz_dir_path[PATH_MAX];
static struct tz_zone *tz_cache;	/* guarded by tz_lock; entries immutable once listed */

static void
tz_dir_init(void)
{
	const char *dir = getenv("TZDIR");

	snprintf(tz_dir_path, sizeof tz_dir_path, "%s", dir && *dir ? dir : TZ_DEFAULT_DIR);
}

const char *
tz_dir(void)
{
	pthread_once(&tz_dir_once, tz_dir_init);
	return tz_dir_path;
}

/* A name that can only reach a file under the zoneinfo directory: letters, digits, "/_+-."
 * with no component starting with "." (so no ".." and no hidden files), not absolute, and
 * outside posix/ (duplicates) and right/ (leap-second time, not POSIX time), and not the
 * host-specific localtime and posixrules. */
static bool
tz_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/' ||
	    strncmp(name, "posix/", 6) == 0 || strncmp(name, "right/", 6) == 0 ||
	    strcmp(name, "localtime") == 0 || strcmp(name, "posixrules") == 0)
		return false;	/* localtime is the host's zone (a link out of the tree) */
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    strchr("/_+-.", ch) != NULL))
			return false;
		if (ch == '.' && (i == 0 || name[i - 1] == '/'))
			return false;
		if (ch == '/' && name[i + 1] == '/')
			return false;
	}
	return true;
}

static enum tz_error
tz_read(const char *name, struct tz_zone *z)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned char *data;
	ssize_t got;
	size_t have = 0;
	enum tz_error e;
	int fd;

	if (snprintf(path, sizeof path, "%s/%s", tz_dir(), name) >= (int)sizeof path)
		return TZ_ENAME;
	/* the name cannot climb out (tz_name_ok); links inside the tree (Debian has many) are
	 * the system's own */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return TZ_EUNKNOWN;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return TZ_EUNKNOWN;	/* a directory ("Australia") is not a zone */
	}
	if (st.st_size > TZ_FILE_MAX) {
		close(fd);
		return TZ_EMALFORMED;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (have < (size_t)st.st_size &&
	    ((got = read(fd, data + have, (size_t)st.st_size - have)) > 0 || (got < 0 && errno == EINTR)))
		if (got > 0)
			have += (size_t)got;
	close(fd);
	e = tz_parse(data, have, z);
	free(data);
	return e;
}

static void
tz_zone_free(struct tz_zone *z)
{
	free(z->times);
	free(z->index);
	free(z->types);
	free(z->chars);
	free(z);
}

enum tz_error
tz_load(const char *name, const struct tz_zone **out)
{
	struct tz_zone *z;
	enum tz_error e;

	if (!tz_name_ok(name))
		return TZ_ENAME;
	pthread_mutex_lock(&tz_lock);
	for (z = tz_cache; z; z = z->next)
		if (strcmp(z->name, name) == 0)
			break;
	if (z == NULL) {
		z = xcalloc(1, sizeof *z);
		snprintf(z->name, sizeof z->name, "%s", name);
		if ((e = tz_read(name, z)) != TZ_OK) {
			pthread_mutex_unlock(&tz_lock);
			tz_zone_free(z);
			return e;
		}
		z->next = tz_cache;
		tz_cache = z;
	}
	pthread_mutex_unlock(&tz_lock);
	*out = z;
	return TZ_OK;
}

bool
tz_valid(const char *name)
{
	const struct tz_zone *z;

	return tz_load(name, &z) == TZ_OK;
}

size_t
tz_zone_bytes(const struct tz_zone *z)
{
	return sizeof *z + (z->ntrans ? z->ntrans : 1) * (sizeof *z->times + 1) +
	    z->ntypes * sizeof *z->types + z->nchars;
}

const char *
tz_name(const struct tz_zone *z)
{
	return z->name;
}

const char *
tz_strerror(enum tz_error e)
{
	switch (e) {
	case TZ_OK:
		return "ok";
	case TZ_ENAME:
		return "not a time zone name";
	case TZ_EUNKNOWN:
		return "unknown time zone";
	case TZ_EMALFORMED:
		return "time zone file unreadable";
	case TZ_ERANGE:
		return "date or time out of range";
	}
	return "time zone error";
}
