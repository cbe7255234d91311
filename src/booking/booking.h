/* booking: services, practitioners and their availability; the slot engine (issue 13).
 *
 * The engine (slots.c) is a pure function of loaded data and a caller-given `now`, so it
 * runs in unit tests with no database and no clock; the loader (load.c) fills that data
 * from migration 0015's tables in a fixed number of prepared statements, whatever the
 * range. Wall-clock hours are in each rule's zone (its location's, or for telehealth with
 * no location the practitioner's); slots are UTC instants, formatted in the patient's zone
 * by booking_format_time. docs/booking.md has the rules with examples.
 *
 * Not thread-safe per object: a booking_data or booking_slots belongs to one thread; zones
 * (core/tz) are shared read-only. */
#ifndef KAIROS_BOOKING_H
#define KAIROS_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"

struct db;

/* A UUID in text form plus its terminator. */
#define BOOKING_ID_SIZE          37
/* The longest date range one request may ask slots for (GET /api/availability answers 400
 * past it): a month view, and it bounds the loader's reads and the engine's work. */
#define BOOKING_RANGE_MAX_DAYS   31
/* The slots of one answer, after "any practitioner" folded each time into one: a month of
 * 5-minute starts round the clock at 11 places (31 × 288 × 11 = 98,208) fits, and so does
 * one practitioner's month there. It bounds the engine's memory whatever the number of
 * practitioners (at most ~110 bytes a slot, list and index: 11 MB); past it the answer is an
 * error (the API asks for a shorter range), never a silently shortened list. */
#define BOOKING_SLOTS_MAX        100000
/* Wall-clock minutes in a day; a rule may end at 24:00 (1440). */
#define BOOKING_DAY_MINUTES      1440
/* No offset in use is further east than +14:00: a local date d starts no earlier than
 * d 00:00Z - 14 h. */
#define BOOKING_ZONE_EAST_MAX_S  (14 * 3600)
/* The longest blocked range (session plus buffers) migration 0015 accepts, so the loader
 * can bound its index scan from below. A literal: it is pasted into SQL. */
#define BOOKING_BLOCKED_MAX_S    86400
/* The longest range one load may cover: an availability answer (BOOKING_RANGE_MAX_DAYS)
 * or a "next available" look-ahead of a quarter. */
#define BOOKING_LOAD_MAX_DAYS    92
/* booking_next_available looks this many days at a time, up to its caller's limit. */
#define BOOKING_NEXT_CHUNK_DAYS  7
/* "2026-12-01T09:00:00+11:00" plus its terminator. */
#define BOOKING_TIME_SIZE        26
/* A date with no bound: rule valid_from / valid_until. */
#define BOOKING_DAY_NONE         INT64_MIN

enum booking_session_type {
	BOOKING_IN_PERSON = 0,
	BOOKING_TELEHEALTH,
	BOOKING_SESSION_ANY,	/* a filter only: either */
};

enum booking_error {
	BOOKING_OK = 0,
	BOOKING_ERANGE = -1,	/* a reversed range, or longer than BOOKING_RANGE_MAX_DAYS */
	BOOKING_ETOOMANY = -2,	/* an answer of more than BOOKING_SLOTS_MAX slots */
	BOOKING_ENOMEM = -3,
	BOOKING_EDB = -4,	/* the loader's database call failed */
	BOOKING_EZONE = -5,	/* a rule's or the caller's zone is not a known IANA zone */
	BOOKING_EDATA = -6,	/* a loaded row the engine cannot use (a bad wall time) */
};

/* Weekly hours: on `weekday` (0 Sunday … 6 Saturday), sessions may run from start_minute
 * to end_minute wall-clock (minutes since local midnight, 0 <= start < end <= 1440) in
 * `zone`, at location_id ("" for telehealth from no particular centre), for session_type.
 * valid_from / valid_until are local dates as days since 1970-01-01 (tz_days_from_civil),
 * inclusive, or BOOKING_DAY_NONE for no bound. */
struct booking_rule {
	int                       weekday;
	int                       start_minute, end_minute;
	int64_t                   valid_from, valid_until;
	const struct tz_zone     *zone;
	char                      location_id[BOOKING_ID_SIZE];
	enum booking_session_type session_type;
};

/* A half-open instant range [start, end), UTC seconds. */
struct booking_range {
	tz_instant start, end;
};

/* One practitioner as the engine sees them. `busy` are the blocked ranges (buffers
 * included) of their appointments that hold time and of live holds; `leave` the ranges they
 * are away. Neither need be sorted or disjoint. The arrays are borrowed, not owned. */
struct booking_practitioner {
	char                        id[BOOKING_ID_SIZE];
	int                         buffer_before_s, buffer_after_s;
	int                         min_notice_s;
	int                         max_advance_days;
	const struct booking_rule  *rules;
	size_t                      nrules;
	const struct booking_range *leave;
	size_t                      nleave;
	const struct booking_range *busy;
	size_t                      nbusy;
};

/* What is asked for. from_day..to_day are local dates (days since 1970-01-01), inclusive,
 * read in each rule's own zone. step_s is the distance between offered starts within a
 * window; 0 means the session plus the practitioner's buffers (back-to-back slots fit
 * exactly). With merge_any, slots of different practitioners at the same start, end,
 * location and session type become one (the first practitioner's in input order: the
 * caller orders them by preference); without it every practitioner's slots are listed. */
struct booking_query {
	int                       duration_s;
	int                       step_s;
	int64_t                   from_day, to_day;
	tz_instant                now;
	enum booking_session_type session_type;
	const char               *location_id;	/* NULL or "" for any */
	bool                      merge_any;
};

struct booking_slot {
	tz_instant                start, end;	/* end = start + duration, in UTC */
	size_t                    practitioner;	/* index into the practitioners passed */
	const char               *location_id;	/* the rule's, valid while the rules live */
	enum booking_session_type session_type;
	/* the rule's zone, whose wall clock made the slot (the location's, or for telehealth
	 * from no centre the practitioner's); owned by tz's cache, never freed */
	const struct tz_zone     *zone;
};

/* A growable list of slots, sorted by start, then location id, session type, end and
 * practitioner index. */
struct booking_slots {
	struct booking_slot *items;	/* owned; booking_slots_free */
	size_t               count, cap;
};

/* qsort's order of an answer's slots (struct booking_slot): start, location, session type,
 * end, practitioner. */
int  booking_slot_order(const void *a, const void *b);

/* Fills *out (initialised here; free it with booking_slots_free even on failure) with the
 * slots of practitioners ps[0..n) for q. Rules:
 *  - a slot's wall start steps from its rule's start by step_s; it is offered when start
 *    + duration (in UTC) ends no later than the instant the rule's end wall time first
 *    happens that day;
 *  - a start whose wall time does not exist (spring-forward gap) is left out; one that
 *    happens twice (fall-back overlap) is offered once, at its first instant;
 *  - start >= now + min_notice; its local date no later than now's + max_advance_days;
 *  - [start - buffer_before, end + buffer_after) overlaps no busy range, and [start, end)
 *    no leave.
 * Slots are folded as they are made, so memory grows with the answer, not with ps × slots:
 * BOOKING_ETOOMANY only when the answer itself would pass BOOKING_SLOTS_MAX.
 * BOOKING_OK, BOOKING_ERANGE, BOOKING_ETOOMANY or BOOKING_ENOMEM. */
int  booking_slots(const struct booking_query *q, const struct booking_practitioner *ps,
	size_t n, struct booking_slots *out);
void booking_slots_free(struct booking_slots *s);

/* The earliest slot of ps[0..n) for q's duration, step, filters and now, looking no more
 * than within_days days past now's UTC date (q's from_day, to_day and merge_any are
 * ignored). The practitioners' busy and leave ranges must cover that look-ahead (load
 * now's UTC date - 1 to + within_days + 1): a range not loaded looks free. BOOKING_OK with *found telling whether there was one (then *out is it), or an
 * error of booking_slots. */
int  booking_next_available(const struct booking_query *q, const struct booking_practitioner *ps,
	size_t n, int within_days, bool *found, struct booking_slot *out);

/* t in zone z as RFC 3339 with its offset, "2026-12-01T09:00:00+11:00" (UTC is "+00:00").
 * An offset with seconds (local mean time, before 1900) cannot be written so; then the
 * instant is written in UTC. 0, or -1 when t is out of tz's range. */
int  booking_format_time(const struct tz_zone *z, tz_instant t, char out[BOOKING_TIME_SIZE]);

/* "in_person" / "telehealth" and back; -1 for anything else. */
const char *booking_session_type_name(enum booking_session_type t);
int         booking_session_type_parse(const char *s);
const char *booking_strerror(int e);

/* ---- the loader (load.c) ---- */

/* Everything booking_slots needs for one service over a range, read from the database in
 * the transaction's organisation (db_begin_tenant first). Owns every array and string. */
struct booking_data {
	struct booking_practitioner *practitioners;	/* ordered by sort_order, name */
	size_t                       count;
	int                          duration_s;	/* the service's */
	int                          step_s;		/* its slot interval, 0 for the default */
	/* storage the practitioners point into */
	struct booking_rule         *rules;
	struct booking_range        *ranges;
	size_t                       nrules, nranges;
};

/* Loads service service_id's active practitioners (all, or just practitioner_id when not
 * NULL) with their rules, leave and busy ranges (appointments in every status but
 * cancelled, holds only while unexpired at `now`) for local dates from_day..to_day: four
 * prepared statements, whatever the range (at most BOOKING_LOAD_MAX_DAYS). *out is the
 * caller's: booking_data_free. BOOKING_OK, BOOKING_ERANGE, BOOKING_EDB, BOOKING_EZONE,
 * BOOKING_EDATA or BOOKING_ENOMEM; a service or practitioner that does not exist (or whose
 * id is no UUID) loads as no practitioners. */
int  booking_load(struct db *db, const char *service_id, const char *practitioner_id,
	int64_t from_day, int64_t to_day, tz_instant now, struct booking_data *out);
void booking_data_free(struct booking_data *d);

/* One practitioner's next available slot (the psychologist list's nextAvailable). */
struct booking_next {
	char                      id[BOOKING_ID_SIZE];
	bool                      found;
	tz_instant                start, end;
	char                      location_id[BOOKING_ID_SIZE];	/* "" for telehealth */
	enum booking_session_type session_type;
	int                       min_notice_s;	/* theirs: the slot is offered until start - this */
};

/* For each active practitioner of service_id (in list order), the earliest slot from now
 * within within_days days (session_type and location_id filter as in booking_query;
 * location_id may be NULL). Reads everyone's next few days first, then the whole look-ahead
 * for only those with nothing in them: eight statements at most. *out (caller frees) has
 * *count entries. BOOKING_OK or an error of booking_load (BOOKING_ERANGE past
 * BOOKING_LOAD_MAX_DAYS). */
int  booking_load_next(struct db *db, const char *service_id, tz_instant now, int within_days,
	enum booking_session_type session_type, const char *location_id, struct booking_next **out,
	size_t *count);

#endif
