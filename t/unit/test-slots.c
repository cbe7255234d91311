/* booking/slots.c: the slot engine on the daylight-saving days of Australia/Melbourne,
 * Australia/Lord_Howe (a 30-minute change) and America/New_York, both directions — no
 * missing or doubled slot, none an hour off, every one at the wall time the clinic set; a
 * start in a spring-forward gap left out, one in a fall-back overlap offered once at its
 * first instant; sessions whose end crosses a change last their real duration; buffers,
 * minimum notice and maximum advance against a set `now`, leave, busy time, the
 * any-practitioner merge, the next available slot, range limits and RFC 3339 formatting in
 * the patient's zone. `now` is what the settable clock (core/clock) reads, set by each test
 * as `kairos` reads it in production (clock_now()), never the machine's time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/booking.h"
#include "core/clock.h"
#include "tap.h"

#define MIN 60
#define HOUR 3600

static const struct tz_zone *
zone(const char *name)
{
	const struct tz_zone *z = NULL;

	if (!ok(tz_load(name, &z) == TZ_OK, "load %s", name))
		return NULL;
	return z;
}

static int64_t
day(int y, int m, int d)
{
	return tz_days_from_civil(y, m, d);
}

/* the instant of a wall time in z (normal wall times only: tests name exact instants) */
static tz_instant
at(const struct tz_zone *z, int y, int mo, int d, int h, int mi)
{
	struct tz_civil c = { y, mo, d, h, mi, 0 };
	tz_instant t = 0;

	tz_local_to_utc(z, &c, TZ_RULE_FIRST, &t, NULL);
	return t;
}

static struct booking_rule
rule(const struct tz_zone *z, int weekday, int start_h, int start_m, int end_h, int end_m)
{
	struct booking_rule r = {
		.weekday = weekday, .start_minute = start_h * 60 + start_m,
		.end_minute = end_h * 60 + end_m, .valid_from = BOOKING_DAY_NONE,
		.valid_until = BOOKING_DAY_NONE, .zone = z, .session_type = BOOKING_IN_PERSON,
	};

	strcpy(r.location_id, "11111111-1111-1111-1111-111111111111");
	return r;
}

static struct booking_practitioner
practitioner(const char *id, const struct booking_rule *rules, size_t nrules)
{
	struct booking_practitioner p = {
		.min_notice_s = 0, .max_advance_days = 365, .rules = rules, .nrules = nrules,
	};

	snprintf(p.id, sizeof p.id, "%s", id);
	return p;
}

/* Sets the clock to t and reads it back as the handlers do. */
static tz_instant
clock_at(tz_instant t)
{
	clock_set_for_test((long long)t * 1000000);
	return clock_now();
}

static struct booking_query
query(int duration_min, int64_t from, int64_t to, tz_instant now)
{
	struct booking_query q = {
		.duration_s = duration_min * MIN, .from_day = from, .to_day = to, .now = clock_at(now),
		.session_type = BOOKING_SESSION_ANY,
	};

	return q;
}

/* The slots as "start/end" in zone z, space-separated: "09:00+11:00/10:00+11:00 …" with
 * the date when `dates` (then "2026-10-04T09:00+11:00/…"). */
static const char *
walls(const struct booking_slots *s, const struct tz_zone *z, bool dates, bool ends)
{
	static char out[16384];
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < s->count && len + 80 < sizeof out; i++) {
		char a[BOOKING_TIME_SIZE], b[BOOKING_TIME_SIZE];

		booking_format_time(z, s->items[i].start, a);
		booking_format_time(z, s->items[i].end, b);
		/* "2026-10-04T09:00:00+11:00" -> "09:00+11:00" or "2026-10-04T09:00+11:00" */
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%.*s%.5s%s", i ? " " : "",
		    dates ? 11 : 0, a, a + 11, a + 19);
		if (ends)
			len += (size_t)snprintf(out + len, sizeof out - len, "/%.5s%s", b + 11, b + 19);
	}
	return out;
}

static bool
durations_all(const struct booking_slots *s, int seconds)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->items[i].end - s->items[i].start != seconds)
			return false;
	return true;
}

/* every slot in z at a wall time of the form HH:00 or HH:30 within [from_h, to_h) */
static bool
on_the_clinic_grid(const struct booking_slots *s, const struct tz_zone *z, int step_min)
{
	for (size_t i = 0; i < s->count; i++) {
		struct tz_local l;

		if (tz_utc_to_local(z, s->items[i].start, &l) != TZ_OK ||
		    (l.civil.hour * 60 + l.civil.minute) % step_min != 0 || l.civil.second != 0)
			return false;
	}
	return true;
}

/* Clinic hours 09:00-17:00 every day over the three days around a change: the same eight
 * wall times each day, each slot the session's length, consecutive days' 09:00s 23, 24 or
 * 25 hours apart exactly as the offset changed. */
static void
check_business_days(const struct tz_zone *z, int y, int m, int d, const char *want_offsets)
{
	struct booking_rule rules[7];
	struct booking_practitioner p;
	struct booking_query q;
	struct booking_slots s;
	char got[128] = "", a[BOOKING_TIME_SIZE];
	size_t i;

	for (i = 0; i < 7; i++)
		rules[i] = rule(z, (int)i, 9, 0, 17, 0);
	p = practitioner("p", rules, 7);
	q = query(60, day(y, m, d) - 1, day(y, m, d) + 1, (day(y, m, d) - 10) * TZ_DAY_SECONDS);
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "%s %04d-%02d-%02d ±1 day, 09:00-17:00: slots",
	    tz_name(z), y, m, d);
	ok(s.count == 24, "  8 a day, 24 in all (got %zu): none missing, none doubled", s.count);
	ok(on_the_clinic_grid(&s, z, 60), "  every start on the hour, wall-clock, in the clinic's zone");
	ok(durations_all(&s, HOUR), "  every session lasts 60 real minutes");
	/* "+11:00 +10:00 +10:00" -> "09:00+11:00 10:00+11:00 … 16:00+10:00" */
	{
		char want[1024] = "", off[3][8];

		sscanf(want_offsets, "%7s %7s %7s", off[0], off[1], off[2]);
		for (i = 0; i < 24; i++)
			snprintf(want + strlen(want), sizeof want - strlen(want), "%s%02zu:00%s",
			    i ? " " : "", 9 + i % 8, off[i / 8]);
		is_str(walls(&s, z, false, false), want, "  the wall times the clinic set, each day");
	}
	for (i = 0; i < s.count; i += 8) {
		booking_format_time(z, s.items[i].start, a);
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? " " : "", a + 19);
	}
	is_str(got, want_offsets, "  each day's offset: %s", want_offsets);
	booking_slots_free(&s);
}

/* Half-hour sessions every half hour from midnight to 06:00 on a change day: the wall
 * times in a gap are left out, the ones in an overlap come once, at their first instant. */
static void
check_night(const struct tz_zone *z, int y, int m, int d, const char *what, const char *want)
{
	struct booking_rule r = rule(z, tz_weekday(y, m, d), 0, 0, 6, 0);
	struct booking_practitioner p = practitioner("p", &r, 1);
	struct booking_query q = query(30, day(y, m, d), day(y, m, d), (day(y, m, d) - 10) * TZ_DAY_SECONDS);
	struct booking_slots s;
	bool increasing = true;

	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "%s %04d-%02d-%02d (%s) 00:00-06:00", tz_name(z),
	    y, m, d, what);
	is_str(walls(&s, z, false, false), want, "  %s: %s", what, want);
	ok(durations_all(&s, 30 * MIN), "  every session lasts 30 real minutes");
	for (size_t i = 1; i < s.count; i++)
		if (s.items[i].start < s.items[i - 1].end)
			increasing = false;
	ok(increasing, "  no two slots overlap in real time (nothing doubled)");
	booking_slots_free(&s);
}

/* A window that opens inside the gap: its first start does not exist, and must not be
 * moved to the transition (which would be a slot at a wall time the clinic never set). */
static void
check_gap_start(const struct tz_zone *z, int y, int m, int d, int h, int mi, const char *want)
{
	struct booking_rule r = rule(z, tz_weekday(y, m, d), h, mi, 5, 0);
	struct booking_practitioner p = practitioner("p", &r, 1);
	struct booking_query q = query(60, day(y, m, d), day(y, m, d), (day(y, m, d) - 10) * TZ_DAY_SECONDS);
	struct booking_slots s;

	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "%s %04d-%02d-%02d %02d:%02d-05:00, hourly", tz_name(z),
	    y, m, d, h, mi);
	is_str(walls(&s, z, false, false), want, "  %02d:%02d does not exist that day: left out, not moved", h, mi);
	booking_slots_free(&s);
}

static void
test_dst(void)
{
	const struct tz_zone *mel = zone("Australia/Melbourne");
	const struct tz_zone *lhi = zone("Australia/Lord_Howe");
	const struct tz_zone *nyc = zone("America/New_York");

	if (mel == NULL || lhi == NULL || nyc == NULL)
		return;
	/* Melbourne: AEDT ends 2026-04-05 03:00 -> 02:00; AEST ends 2026-10-04 02:00 -> 03:00 */
	check_business_days(mel, 2026, 4, 5, "+11:00 +10:00 +10:00");
	check_business_days(mel, 2026, 10, 4, "+10:00 +11:00 +11:00");
	/* Lord Howe: 30 minutes; 2026-04-05 02:00 -> 01:30; 2026-10-04 02:00 -> 02:30 */
	check_business_days(lhi, 2026, 4, 5, "+11:00 +10:30 +10:30");
	check_business_days(lhi, 2026, 10, 4, "+10:30 +11:00 +11:00");
	/* New York: 2026-03-08 02:00 -> 03:00; 2026-11-01 02:00 -> 01:00 */
	check_business_days(nyc, 2026, 3, 8, "-05:00 -04:00 -04:00");
	check_business_days(nyc, 2026, 11, 1, "-04:00 -05:00 -05:00");

	check_gap_start(mel, 2026, 10, 4, 2, 30, "03:30+11:00");
	check_gap_start(lhi, 2026, 10, 4, 2, 15, "03:15+11:00");
	check_gap_start(nyc, 2026, 3, 8, 2, 30, "03:30-04:00");
	check_night(mel, 2026, 10, 4, "spring forward: 02:00 and 02:30 do not exist",
	    "00:00+10:00 00:30+10:00 01:00+10:00 01:30+10:00 03:00+11:00 03:30+11:00 04:00+11:00 "
	    "04:30+11:00 05:00+11:00 05:30+11:00");
	check_night(mel, 2026, 4, 5, "fall back: 02:00 and 02:30 happen twice, offered once (AEDT)",
	    "00:00+11:00 00:30+11:00 01:00+11:00 01:30+11:00 02:00+11:00 02:30+11:00 03:00+10:00 "
	    "03:30+10:00 04:00+10:00 04:30+10:00 05:00+10:00 05:30+10:00");
	check_night(lhi, 2026, 10, 4, "spring forward: 02:00 does not exist (30-minute change)",
	    "00:00+10:30 00:30+10:30 01:00+10:30 01:30+10:30 02:30+11:00 03:00+11:00 03:30+11:00 "
	    "04:00+11:00 04:30+11:00 05:00+11:00 05:30+11:00");
	check_night(lhi, 2026, 4, 5, "fall back: 01:30 happens twice, offered once (+11)",
	    "00:00+11:00 00:30+11:00 01:00+11:00 01:30+11:00 02:00+10:30 02:30+10:30 03:00+10:30 "
	    "03:30+10:30 04:00+10:30 04:30+10:30 05:00+10:30 05:30+10:30");
	check_night(nyc, 2026, 3, 8, "spring forward: 02:00 and 02:30 do not exist",
	    "00:00-05:00 00:30-05:00 01:00-05:00 01:30-05:00 03:00-04:00 03:30-04:00 04:00-04:00 "
	    "04:30-04:00 05:00-04:00 05:30-04:00");
	check_night(nyc, 2026, 11, 1, "fall back: 01:00 and 01:30 happen twice, offered once (EDT)",
	    "00:00-04:00 00:30-04:00 01:00-04:00 01:30-04:00 02:00-05:00 02:30-05:00 03:00-05:00 "
	    "03:30-05:00 04:00-05:00 04:30-05:00 05:00-05:00 05:30-05:00");
}

/* A session whose start is an ordinary wall time but whose end falls after the change
 * lasts its real duration: its end is start + duration in UTC, so its wall end moves. */
static void
test_end_crosses_change(void)
{
	const struct tz_zone *nyc = zone("America/New_York");
	struct booking_rule spring = rule(nyc, 0, 1, 30, 4, 0), fall = rule(nyc, 0, 0, 30, 4, 0);
	struct booking_practitioner p = practitioner("p", &spring, 1);
	struct booking_query q = query(60, day(2026, 3, 8), day(2026, 3, 8), at(nyc, 2026, 3, 1, 9, 0));
	struct booking_slots s;

	q.step_s = 90 * MIN;
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "New York 2026-03-08 01:30-04:00, 60 min every 90");
	/* 01:30 EST + 60 min = 03:30 EDT. The next start is 90 wall minutes on, 03:00 EDT, only
	 * 30 real minutes later: the clinic's grid wins, so these two overlap in real time (a
	 * patient picks one; booking it takes the other's time) */
	is_str(walls(&s, nyc, false, true), "01:30-05:00/03:30-04:00 03:00-04:00/04:00-04:00",
	    "  spring forward: the 01:30 session ends at 03:30 EDT, one real hour later");
	ok(durations_all(&s, HOUR), "  both last 60 real minutes");
	booking_slots_free(&s);

	p.rules = &fall;
	q = query(60, day(2026, 11, 1), day(2026, 11, 1), at(nyc, 2026, 10, 25, 9, 0));
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "New York 2026-11-01 00:30-04:00, 60 min");
	is_str(walls(&s, nyc, false, true),
	    "00:30-04:00/01:30-04:00 01:30-04:00/01:30-05:00 02:30-05:00/03:30-05:00",
	    "  fall back: the 01:30 EDT session ends at 01:30 EST, one real hour later; "
	    "the second 01:30 is no start");
	ok(durations_all(&s, HOUR), "  all last 60 real minutes");
	booking_slots_free(&s);

	/* the window's end is an instant too: on spring-forward day 00:00-03:00 holds only
	 * 00:00 and 01:00 (which ends at 03:00 EDT, the window's end) */
	spring = rule(nyc, 0, 0, 0, 3, 0);
	p.rules = &spring;
	q = query(60, day(2026, 3, 8), day(2026, 3, 8), at(nyc, 2026, 3, 1, 9, 0));
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "New York 2026-03-08 00:00-03:00");
	is_str(walls(&s, nyc, false, true), "00:00-05:00/01:00-05:00 01:00-05:00/03:00-04:00",
	    "  a session may end exactly as the window does, in real time");
	booking_slots_free(&s);
}

/* ---- the rules of BOOK-5 ---- */

static void
test_buffers_busy_leave(void)
{
	const struct tz_zone *mel = zone("Australia/Melbourne");
	struct booking_rule r = rule(mel, 2, 9, 0, 13, 0);	/* Tuesdays */
	struct booking_range busy = { at(mel, 2026, 12, 1, 10, 0), at(mel, 2026, 12, 1, 11, 0) };
	struct booking_practitioner p = practitioner("p", &r, 1);
	struct booking_query q = query(50, day(2026, 12, 1), day(2026, 12, 1), at(mel, 2026, 11, 1, 9, 0));
	struct booking_slots s;

	/* an appointment 10:00-10:50 whose 10-minute buffer after it blocks until 11:00 */
	p.busy = &busy;
	p.nbusy = 1;
	q.step_s = HOUR;
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "Tuesday 09:00-13:00, 50 min hourly, busy 10:00-11:00");
	is_str(walls(&s, mel, false, true), "09:00+11:00/09:50+11:00 11:00+11:00/11:50+11:00 12:00+11:00/12:50+11:00",
	    "  only the busy hour is gone");
	booking_slots_free(&s);

	p.buffer_before_s = 15 * MIN;
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "with 15 minutes' buffer before each session");
	is_str(walls(&s, mel, false, false), "09:00+11:00 12:00+11:00",
	    "  11:00 goes too: its buffer (10:45) meets the busy range");
	booking_slots_free(&s);

	p.buffer_before_s = 0;
	p.buffer_after_s = 10 * MIN;
	q.step_s = 0;	/* the default: session + buffers = 60 minutes */
	busy.start = at(mel, 2026, 12, 1, 10, 52);
	busy.end = at(mel, 2026, 12, 1, 10, 58);
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "10 minutes' buffer after, the default step, busy 10:52-10:58");
	is_str(walls(&s, mel, false, true), "09:00+11:00/09:50+11:00 11:00+11:00/11:50+11:00 12:00+11:00/12:50+11:00",
	    "  starts every 60 minutes (50 + 10); 10:00 goes: it ends at 10:50, but its buffer meets 10:52");
	booking_slots_free(&s);
	p.nbusy = 0;

	/* busy ranges unsorted and overlapping are normalised */
	{
		struct booking_range many[3] = {
			{ at(mel, 2026, 12, 1, 12, 0), at(mel, 2026, 12, 1, 12, 30) },
			{ at(mel, 2026, 12, 1, 9, 30), at(mel, 2026, 12, 1, 10, 10) },
			{ at(mel, 2026, 12, 1, 9, 0), at(mel, 2026, 12, 1, 9, 40) },
		};

		p.busy = many;
		p.nbusy = 3;
		p.buffer_after_s = 0;
		q.step_s = HOUR;
		ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "three busy ranges, out of order, two overlapping");
		is_str(walls(&s, mel, false, false), "11:00+11:00", "  09:00, 10:00 and 12:00 are taken");
		booking_slots_free(&s);
		p.nbusy = 0;
	}

	/* leave from 11:30 on the Tuesday to the next Wednesday: a session overlapping it goes */
	{
		struct booking_range leave = { at(mel, 2026, 12, 1, 11, 30), at(mel, 2026, 12, 9, 0, 0) };
		struct booking_rule rules[2] = { rule(mel, 2, 9, 0, 13, 0), rule(mel, 3, 9, 0, 11, 0) };

		p = practitioner("p", rules, 2);
		p.leave = &leave;
		p.nleave = 1;
		q = query(50, day(2026, 12, 1), day(2026, 12, 9), at(mel, 2026, 11, 1, 9, 0));
		q.step_s = HOUR;
		ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "leave from Tuesday 11:30 to the next Wednesday 00:00");
		is_str(walls(&s, mel, true, false),
		    "2026-12-01T09:00+11:00 2026-12-01T10:00+11:00 2026-12-09T09:00+11:00 2026-12-09T10:00+11:00",
		    "  11:00 (ends 11:50) and the week after are gone; the Wednesday after is back");
		booking_slots_free(&s);
	}
}

static void
test_notice_and_advance(void)
{
	const struct tz_zone *mel = zone("Australia/Melbourne");
	struct booking_rule rules[7];
	struct booking_practitioner p;
	struct booking_query q;
	struct booking_slots s;

	for (int i = 0; i < 7; i++)
		rules[i] = rule(mel, i, 9, 0, 12, 0);
	p = practitioner("p", rules, 7);
	p.min_notice_s = 2 * HOUR;
	q = query(60, day(2026, 12, 1), day(2026, 12, 1), at(mel, 2026, 12, 1, 8, 30));
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "now 08:30, two hours' notice");
	is_str(walls(&s, mel, false, false), "11:00+11:00", "  09:00 and 10:00 are too soon, 11:00 is not");
	booking_slots_free(&s);
	q.now = clock_at(at(mel, 2026, 12, 1, 9, 0));
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK && s.count == 1 &&
	    s.items[0].start == at(mel, 2026, 12, 1, 11, 0), "  now 09:00: 11:00 is exactly two hours off, offered");
	booking_slots_free(&s);
	q.now = clock_at(at(mel, 2026, 12, 1, 9, 1));
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK && s.count == 0, "  now 09:01: nothing left today");
	booking_slots_free(&s);

	p.min_notice_s = 0;
	p.max_advance_days = 2;
	q = query(60, day(2026, 12, 1), day(2026, 12, 7), at(mel, 2026, 12, 1, 23, 30));
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "now Tuesday 23:30, two days' advance");
	is_str(walls(&s, mel, true, false),
	    "2026-12-02T09:00+11:00 2026-12-02T10:00+11:00 2026-12-02T11:00+11:00 "
	    "2026-12-03T09:00+11:00 2026-12-03T10:00+11:00 2026-12-03T11:00+11:00",
	    "  Wednesday and Thursday (local dates), nothing after");
	booking_slots_free(&s);

	/* a past range has nothing */
	q = query(60, day(2026, 11, 1), day(2026, 11, 7), at(mel, 2026, 12, 1, 9, 0));
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK && s.count == 0, "a range in the past has no slots");
	booking_slots_free(&s);
}

static void
test_rules(void)
{
	const struct tz_zone *mel = zone("Australia/Melbourne");
	struct booking_rule rules[3] = { rule(mel, 2, 9, 0, 11, 0), rule(mel, 2, 10, 0, 12, 0),
	    rule(mel, 2, 14, 0, 15, 0) };
	struct booking_practitioner p = practitioner("p", rules, 3);
	struct booking_query q = query(60, day(2026, 12, 1), day(2026, 12, 15), at(mel, 2026, 11, 1, 9, 0));
	struct booking_slots s;

	rules[2].session_type = BOOKING_TELEHEALTH;
	rules[2].location_id[0] = '\0';
	rules[2].valid_from = rules[2].valid_until = day(2026, 12, 8);	/* one extra afternoon */
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "two overlapping Tuesday rules and one dated telehealth rule");
	is_str(walls(&s, mel, true, false),
	    "2026-12-01T09:00+11:00 2026-12-01T10:00+11:00 2026-12-01T11:00+11:00 "
	    "2026-12-08T09:00+11:00 2026-12-08T10:00+11:00 2026-12-08T11:00+11:00 2026-12-08T14:00+11:00 "
	    "2026-12-15T09:00+11:00 2026-12-15T10:00+11:00 2026-12-15T11:00+11:00",
	    "  10:00 once, though both rules give it; 14:00 on the 8th only");
	booking_slots_free(&s);

	q.session_type = BOOKING_TELEHEALTH;
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK && s.count == 1 &&
	    s.items[0].session_type == BOOKING_TELEHEALTH && s.items[0].location_id[0] == '\0',
	    "only telehealth: the one telehealth slot, with no location");
	booking_slots_free(&s);
	q.session_type = BOOKING_SESSION_ANY;
	q.location_id = "22222222-2222-2222-2222-222222222222";
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK && s.count == 0, "another location: nothing");
	booking_slots_free(&s);

	/* a rule to midnight */
	rules[0] = rule(mel, 2, 22, 0, 24, 0);
	p.nrules = 1;
	q = query(60, day(2026, 12, 1), day(2026, 12, 1), at(mel, 2026, 11, 1, 9, 0));
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "a rule 22:00-24:00");
	is_str(walls(&s, mel, false, true), "22:00+11:00/23:00+11:00 23:00+11:00/00:00+11:00", "  two slots, the last ending at midnight");
	booking_slots_free(&s);

	/* range limits */
	q = query(60, day(2026, 12, 2), day(2026, 12, 1), 0);
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_ERANGE, "a reversed range is refused");
	booking_slots_free(&s);
	q = query(60, day(2026, 12, 1), day(2026, 12, 1) + BOOKING_RANGE_MAX_DAYS, 0);
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_ERANGE, "%d days is one too many", BOOKING_RANGE_MAX_DAYS + 1);
	booking_slots_free(&s);
	q.to_day--;
	ok(booking_slots(&q, &p, 1, &s) == BOOKING_OK, "%d days is allowed", BOOKING_RANGE_MAX_DAYS);
	booking_slots_free(&s);
}

/* ---- many practitioners ---- */

static void
test_any_practitioner(void)
{
	const struct tz_zone *mel = zone("Australia/Melbourne");
	const struct tz_zone *per = zone("Australia/Perth");
	struct booking_rule ra = rule(mel, 2, 9, 0, 12, 0), rb = rule(mel, 2, 9, 0, 12, 0);
	struct booking_rule rc = rule(per, 2, 9, 0, 10, 0);	/* Perth: 09:00 AWST = 12:00 AEDT */
	struct booking_range busy = { at(mel, 2026, 12, 1, 10, 0), at(mel, 2026, 12, 1, 11, 0) };
	struct booking_practitioner ps[3];
	struct booking_query q = query(60, day(2026, 12, 1), day(2026, 12, 1), at(mel, 2026, 11, 1, 9, 0));
	struct booking_slots s;
	char a[BOOKING_TIME_SIZE];

	strcpy(rc.location_id, "33333333-3333-3333-3333-333333333333");
	ps[0] = practitioner("a", &ra, 1);
	ps[0].busy = &busy;
	ps[0].nbusy = 1;
	ps[1] = practitioner("b", &rb, 1);
	ps[2] = practitioner("c", &rc, 1);

	ok(booking_slots(&q, ps, 3, &s) == BOOKING_OK, "three practitioners, each listed");
	is_str(walls(&s, mel, false, false), "09:00+11:00 09:00+11:00 10:00+11:00 11:00+11:00 11:00+11:00 12:00+11:00",
	    "  every practitioner's slots, in time order (Perth's 09:00 is 12:00 here)");
	booking_slots_free(&s);

	q.merge_any = true;
	ok(booking_slots(&q, ps, 3, &s) == BOOKING_OK, "any practitioner");
	is_str(walls(&s, mel, false, false), "09:00+11:00 10:00+11:00 11:00+11:00 12:00+11:00",
	    "  each time once");
	ok(s.count == 4 && s.items[0].practitioner == 0 && s.items[1].practitioner == 1 &&
	    s.items[2].practitioner == 0 && s.items[3].practitioner == 2,
	    "  by the first practitioner free then, in the caller's order (10:00 is b's: a is busy)");
	if (s.count == 4) {
		booking_format_time(per, s.items[3].start, a);
		is_str(a, "2026-12-01T09:00:00+08:00", "  the Perth slot in Perth's zone");
	}
	booking_slots_free(&s);

	/* the next available slot */
	{
		struct booking_slot next;
		bool found = false;

		q = query(60, 0, 0, at(mel, 2026, 12, 1, 9, 30));
		ok(booking_next_available(&q, ps, 1, 30, &found, &next) == BOOKING_OK && found &&
		    next.start == at(mel, 2026, 12, 1, 11, 0), "a's next slot after 09:30: 11:00 (10:00 is busy)");
		q.now = clock_at(at(mel, 2026, 12, 1, 11, 30));
		ok(booking_next_available(&q, ps, 1, 30, &found, &next) == BOOKING_OK && found &&
		    next.start == at(mel, 2026, 12, 8, 9, 0), "after 11:30: next Tuesday 09:00");
		ok(booking_next_available(&q, ps, 3, 30, &found, &next) == BOOKING_OK && found &&
		    next.start == at(mel, 2026, 12, 1, 12, 0) && next.practitioner == 2,
		    "any of the three after 11:30: c's Perth 09:00, today");
		ok(booking_next_available(&q, ps, 1, 5, &found, &next) == BOOKING_OK && !found,
		    "none within 5 days for a alone");
	}
}

/* ---- at scale: any of many practitioners over the longest range ---- */

#define SCALE_PRACTITIONERS 48
#define SCALE_RULES         14	/* 08:00-20:00 each weekday, in person and telehealth */
#define SCALE_PLACES        3

/* What "any practitioner" must answer, found the long way: each practitioner's own slots
 * (one call each), all together in the answer's order, each time and place once, by the
 * first practitioner free then. Into all (room for every slot); its count, or 0. */
static size_t
fold_by_hand(const struct booking_query *q, const struct booking_practitioner *ps, size_t n,
    struct booking_slot *all, size_t room, size_t *every)
{
	struct booking_query one = *q;
	size_t count = 0, k = 0;

	one.merge_any = false;
	for (size_t i = 0; i < n; i++) {
		struct booking_slots s;

		if (booking_slots(&one, &ps[i], 1, &s) != BOOKING_OK || count + s.count > room) {
			booking_slots_free(&s);
			return 0;
		}
		for (size_t j = 0; j < s.count; j++) {
			all[count] = s.items[j];
			all[count++].practitioner = i;
		}
		booking_slots_free(&s);
	}
	*every = count;
	qsort(all, count, sizeof *all, booking_slot_order);
	for (size_t i = 0; i < count; i++)
		if (k == 0 || all[k - 1].start != all[i].start || all[k - 1].end != all[i].end ||
		    all[k - 1].session_type != all[i].session_type ||
		    strcmp(all[k - 1].location_id, all[i].location_id) != 0)
			all[k++] = all[i];
	return k;
}

static bool
same_slots(const struct booking_slots *s, const struct booking_slot *want, size_t n)
{
	if (s->count != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s->items[i].start != want[i].start || s->items[i].end != want[i].end ||
		    s->items[i].practitioner != want[i].practitioner ||
		    s->items[i].session_type != want[i].session_type ||
		    strcmp(s->items[i].location_id, want[i].location_id) != 0)
			return false;
	return true;
}

/* 48 psychologists, a 15-minute service, 08:00-20:00 every day in person (at one of three
 * centres, one of them in Perth) and by telehealth, December 2026 (31 days): some 125,000
 * slots of the practitioners' own, more than BOOKING_SLOTS_MAX, folded into a month of
 * times (the engine used to collect them all first, and stopped at the limit). Each is busy an hour a day at a different time, some have a buffer (a 20-minute
 * grid), one is away a week, so the practitioner kept differs from time to time. */
static void
test_any_at_scale(void)
{
	static struct booking_rule rules[SCALE_PRACTITIONERS][SCALE_RULES];
	static struct booking_range busy[SCALE_PRACTITIONERS][BOOKING_RANGE_MAX_DAYS];
	static struct booking_practitioner ps[SCALE_PRACTITIONERS];
	static struct booking_slot all[SCALE_PRACTITIONERS * BOOKING_RANGE_MAX_DAYS * 2 * 48];
	static const char *const places[SCALE_PLACES] = { "11111111-1111-1111-1111-111111111111",
		"22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333" };
	const struct tz_zone *mel = zone("Australia/Melbourne"), *per = zone("Australia/Perth");
	struct booking_range away = { at(mel, 2026, 12, 1, 0, 0), at(mel, 2026, 12, 8, 0, 0) };
	struct booking_query q = query(15, day(2026, 12, 1), day(2026, 12, 31),
	    at(mel, 2026, 11, 30, 9, 0));
	struct booking_slots s;
	size_t want, every = 0;
	int rc;

	if (mel == NULL || per == NULL)
		return;
	for (size_t i = 0; i < SCALE_PRACTITIONERS; i++) {
		const struct tz_zone *z = i % SCALE_PLACES == 2 ? per : mel;
		char id[16];

		for (int w = 0; w < SCALE_RULES; w++) {
			rules[i][w] = rule(z, w % 7, 8, 0, 20, 0);
			if (w >= 7) {
				rules[i][w].session_type = BOOKING_TELEHEALTH;
				rules[i][w].location_id[0] = '\0';
			} else
				strcpy(rules[i][w].location_id, places[i % SCALE_PLACES]);
		}
		for (int d = 0; d < BOOKING_RANGE_MAX_DAYS; d++) {
			busy[i][d].start = at(mel, 2026, 12, 1 + d, 8 + (int)(i + (size_t)d) % 12, 0);
			busy[i][d].end = busy[i][d].start + HOUR;
		}
		snprintf(id, sizeof id, "p%zu", i);
		ps[i] = practitioner(id, rules[i], SCALE_RULES);
		ps[i].busy = busy[i];
		ps[i].nbusy = BOOKING_RANGE_MAX_DAYS;
		ps[i].buffer_after_s = i % 5 == 4 ? 5 * MIN : 0;
	}
	ps[0].leave = &away;
	ps[0].nleave = 1;

	want = fold_by_hand(&q, ps, SCALE_PRACTITIONERS, all, sizeof all / sizeof *all, &every);
	ok(want > 0 && every > BOOKING_SLOTS_MAX,
	    "%d practitioners × 31 days × 15-minute slots: %zu of their own (over %d), %zu times",
	    SCALE_PRACTITIONERS, every, BOOKING_SLOTS_MAX, want);
	q.merge_any = true;
	rc = booking_slots(&q, ps, SCALE_PRACTITIONERS, &s);
	ok(rc == BOOKING_OK, "  any of them: answered (got %s)", booking_strerror(rc));
	ok(same_slots(&s, all, want),
	    "  exactly the long way's answer: each time and place once, by the first free then "
	    "(%zu slots, want %zu)", s.count, want);
	ok(s.count > 0 && s.items[0].practitioner != 0,
	    "  the first slot is not p0's (away that week): the kept practitioner varies");
	ok(rc == BOOKING_OK && s.cap < 2 * s.count,
	    "  the list never held more than the answer (room for %zu, %zu slots)", s.cap, s.count);
	booking_slots_free(&s);

	/* one practitioner, 5-minute slots round the clock at twelve places: 107,136 slots of
	 * one answer, more than BOOKING_SLOTS_MAX; at eleven, 98,208 */
	{
		static struct booking_rule round[12 * 7];
		struct booking_practitioner p;
		char loc[BOOKING_ID_SIZE];

		for (int i = 0; i < 12 * 7; i++) {
			round[i] = rule(mel, i % 7, 0, 0, 24, 0);
			snprintf(loc, sizeof loc, "%08d-1111-1111-1111-111111111111", i / 7);
			strcpy(round[i].location_id, loc);
		}
		p = practitioner("p", round, 12 * 7);
		q = query(5, day(2026, 12, 1), day(2026, 12, 31), at(mel, 2026, 11, 30, 9, 0));
		q.merge_any = true;
		ok(booking_slots(&q, &p, 1, &s) == BOOKING_ETOOMANY,
		    "an answer of 107,136 slots (12 places × 31 days × 288) is too many");
		booking_slots_free(&s);
		p.nrules = 11 * 7;
		rc = booking_slots(&q, &p, 1, &s);
		ok(rc == BOOKING_OK && s.count == 98208, "  at 11 places, 98,208 slots: answered (got %zu)",
		    s.count);
		booking_slots_free(&s);
	}
}

static void
test_format(void)
{
	const struct tz_zone *mel = zone("Australia/Melbourne"), *nyc = zone("America/New_York");
	const struct tz_zone *ktm = zone("Asia/Kathmandu"), *utc = zone("UTC");
	char a[BOOKING_TIME_SIZE];
	tz_instant t = at(mel, 2026, 12, 1, 9, 0);

	booking_format_time(mel, t, a);
	is_str(a, "2026-12-01T09:00:00+11:00", "RFC 3339 in the clinic's zone");
	booking_format_time(nyc, t, a);
	is_str(a, "2026-11-30T17:00:00-05:00", "the same slot in a New York patient's zone");
	booking_format_time(ktm, t, a);
	is_str(a, "2026-12-01T03:45:00+05:45", "in Kathmandu's");
	booking_format_time(utc, t, a);
	is_str(a, "2026-11-30T22:00:00+00:00", "in UTC");
	is_str(booking_session_type_name(BOOKING_TELEHEALTH), "telehealth", "session type names");
	ok(booking_session_type_parse("in_person") == BOOKING_IN_PERSON &&
	    booking_session_type_parse("video") == -1, "and back");
}

int
main(void)
{
	test_dst();
	test_end_crosses_change();
	test_buffers_busy_leave();
	test_notice_and_advance();
	test_rules();
	test_any_practitioner();
	test_any_at_scale();
	test_format();
	return tap_done();
}
