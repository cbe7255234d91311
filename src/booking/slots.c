/* slots.c: the slot engine — which session starts a service can be booked at, for one or
 * many practitioners, from their weekly wall-clock hours, buffers, notice, advance, leave
 * and busy time (booking.h states the rules; docs/booking.md shows them on DST days).
 *
 * Starts are stepped in wall time within each rule's window and converted one by one with
 * tz_local_to_utc: stepping in UTC instead would put every slot after a DST change an hour
 * off the clinic's hours, which is the bug patients notice. Slots are folded into the answer
 * as they are made (one of each; with merge_any one per time and place for everyone), so
 * "any of 40 psychologists" over a month holds a month of times, not forty. */
#include "booking/booking.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1970-01-01 was a Thursday (tz_weekday's 4). */
#define BOOKING_EPOCH_WEEKDAY 4
#define BOOKING_MINUTE_S      60
#define BOOKING_HOUR_S        3600

static int64_t
booking_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int
booking_weekday(int64_t day)
{
	return (int)(((day + BOOKING_EPOCH_WEEKDAY) % 7 + 7) % 7);
}

/* ---- sorted, disjoint ranges ---- */

static int
booking_range_cmp(const void *a, const void *b)
{
	const struct booking_range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* A sorted, merged copy of r[0..n) (empty ranges dropped) in *out, its length in *m; the
 * caller frees *out. 0 or -1 (no memory). */
static int
booking_ranges_normalise(const struct booking_range *r, size_t n, struct booking_range **out,
    size_t *m)
{
	struct booking_range *c;
	size_t i, k = 0;

	*out = NULL;
	*m = 0;
	if (n == 0)
		return 0;
	if ((c = malloc(n * sizeof *c)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (r[i].end > r[i].start)
			c[k++] = r[i];
	qsort(c, k, sizeof *c, booking_range_cmp);
	n = k;
	k = 0;
	for (i = 0; i < n; i++) {
		if (k > 0 && c[i].start <= c[k - 1].end) {
			if (c[i].end > c[k - 1].end)
				c[k - 1].end = c[i].end;
		} else
			c[k++] = c[i];
	}
	*out = c;
	*m = k;
	return 0;
}

/* Whether [a, b) meets any of the sorted, disjoint r[0..n): the first range ending after a
 * (ends are sorted too, as the ranges are disjoint) is the only candidate. */
static bool
booking_ranges_overlap(const struct booking_range *r, size_t n, tz_instant a, tz_instant b)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && r[lo].start < b;
}

/* ---- the list ---- */

void
booking_slots_free(struct booking_slots *s)
{
	free(s->items);
	s->items = NULL;
	s->count = s->cap = 0;
}

static int
booking_slots_push(struct booking_slots *s, const struct booking_slot *slot)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct booking_slot *p;

		if (s->count >= BOOKING_SLOTS_MAX)
			return BOOKING_ETOOMANY;
		if (cap > BOOKING_SLOTS_MAX)
			cap = BOOKING_SLOTS_MAX;
		if ((p = realloc(s->items, cap * sizeof *p)) == NULL)
			return BOOKING_ENOMEM;
		s->items = p;
		s->cap = cap;
	}
	s->items[s->count++] = *slot;
	return BOOKING_OK;
}

int
booking_slot_order(const void *a, const void *b)
{
	const struct booking_slot *x = a, *y = b;
	int c;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if ((c = strcmp(x->location_id, y->location_id)) != 0)
		return c;
	if (x->session_type != y->session_type)
		return x->session_type < y->session_type ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return (x->practitioner > y->practitioner) - (x->practitioner < y->practitioner);
}

static bool
booking_slot_same_time(const struct booking_slot *x, const struct booking_slot *y)
{
	return x->start == y->start && x->end == y->end && x->session_type == y->session_type &&
	    strcmp(x->location_id, y->location_id) == 0;
}

/* ---- the answer, one of each as it is made ---- */

/* The answer so far and, to find a slot in it, an open-addressing table of indexes into it
 * keyed by what makes two slots one (booking_slot_same_time, and the practitioner unless
 * merge_any). Practitioners are visited in the caller's order, so the first practitioner to
 * give a slot is the one kept, as the caller's preference says; with merge_any the answer
 * (and the memory) grows with the distinct times, not with practitioners × times. */
struct booking_answer {
	struct booking_slots       *out;
	struct booking_answer_cell *table;	/* cap cells, half full at most */
	size_t                      cap;	/* 0, or a power of 2 */
	bool                        merge_any;
};

struct booking_answer_cell {
	uint32_t hash;	/* the low bits of the slot's, to grow without hashing again */
	uint32_t index;	/* into out->items, plus one; 0 for an empty cell */
};

_Static_assert(BOOKING_SLOTS_MAX < UINT32_MAX, "an index into the answer fits a cell");

/* The first table size, in cells. */
#define BOOKING_ANSWER_CELLS_MIN 256

/* FNV-1a over a location id: a rule's, hashed once per rule. */
static uint64_t
booking_location_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull;

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return h;
}

/* A slot's hash from its rule's location hash: the other fields mixed in, then a 64-bit
 * finaliser (splitmix64's) so that the low bits, which pick the cell, depend on all of them. */
static uint32_t
booking_slot_hash(const struct booking_answer *ans, const struct booking_slot *s,
    uint64_t location_hash)
{
	uint64_t h = location_hash ^ (uint64_t)s->start * 0x9e3779b97f4a7c15ull ^
	    (uint64_t)s->end * 0xc2b2ae3d27d4eb4full ^ (uint64_t)s->session_type << 56;

	if (!ans->merge_any)
		h ^= (uint64_t)s->practitioner * 0x165667b19e3779f9ull;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)(h ^ (h >> 31));
}

/* The cell holding a slot equal to s, or the empty cell where it would go. */
static struct booking_answer_cell *
booking_answer_cell(const struct booking_answer *ans, const struct booking_slot *s, uint32_t hash)
{
	size_t i = hash & (ans->cap - 1);

	for (;; i = (i + 1) & (ans->cap - 1)) {
		struct booking_answer_cell *c = &ans->table[i];
		const struct booking_slot *t;

		if (c->index == 0)
			return c;
		t = &ans->out->items[c->index - 1];
		if (c->hash == hash && booking_slot_same_time(t, s) &&
		    (ans->merge_any || t->practitioner == s->practitioner))
			return c;
	}
}

/* Whether the answer has a slot equal to s already. */
static bool
booking_answer_has(const struct booking_answer *ans, const struct booking_slot *s, uint32_t hash)
{
	return ans->cap > 0 && booking_answer_cell(ans, s, hash)->index != 0;
}

/* Adds s, which the answer does not have: BOOKING_OK, BOOKING_ETOOMANY or BOOKING_ENOMEM. */
static int
booking_answer_add(struct booking_answer *ans, const struct booking_slot *s, uint32_t hash)
{
	struct booking_answer_cell *c;
	int rc;

	if (2 * (ans->out->count + 1) > ans->cap) {
		size_t cap = ans->cap ? 2 * ans->cap : BOOKING_ANSWER_CELLS_MIN;
		struct booking_answer grown = *ans;

		if ((grown.table = calloc(cap, sizeof *grown.table)) == NULL)
			return BOOKING_ENOMEM;
		grown.cap = cap;
		for (size_t i = 0; i < ans->cap; i++) {
			const struct booking_answer_cell *old = &ans->table[i];
			size_t j;

			if (old->index == 0)
				continue;
			for (j = old->hash & (cap - 1); grown.table[j].index != 0; j = (j + 1) & (cap - 1))
				;
			grown.table[j] = *old;
		}
		free(ans->table);
		*ans = grown;
	}
	if ((rc = booking_slots_push(ans->out, s)) != BOOKING_OK)
		return rc;
	c = booking_answer_cell(ans, s, hash);
	c->hash = hash;
	c->index = (uint32_t)ans->out->count;
	return BOOKING_OK;
}

/* ---- one rule ---- */

/* The instant a wall time of local date `day` first happens in z (minute may be 1440: the
 * next midnight). In a gap, TZ_RULE_FIRST gives the transition: the first instant past it. */
static int
booking_wall(const struct tz_zone *z, int64_t day, int second_of_day, tz_instant *out,
    enum tz_wall *kind)
{
	struct tz_civil c;

	if (second_of_day >= TZ_DAY_SECONDS) {
		day += second_of_day / TZ_DAY_SECONDS;
		second_of_day %= TZ_DAY_SECONDS;
	}
	tz_civil_from_days(day, &c.year, &c.month, &c.day);
	c.hour = second_of_day / BOOKING_HOUR_S;
	c.minute = second_of_day / BOOKING_MINUTE_S % 60;
	c.second = second_of_day % BOOKING_MINUTE_S;
	return tz_local_to_utc(z, &c, TZ_RULE_FIRST, out, kind) == TZ_OK ? 0 : -1;
}

struct booking_ctx {
	const struct booking_query        *q;
	const struct booking_practitioner *p;
	size_t                             index;
	const struct booking_range        *busy, *leave;
	size_t                             nbusy, nleave;
	struct booking_answer             *answer;
};

static int
booking_rule_slots(struct booking_ctx *x, const struct booking_rule *r)
{
	const struct booking_query *q = x->q;
	const struct booking_practitioner *p = x->p;
	int step = q->step_s > 0 ? q->step_s : q->duration_s + p->buffer_before_s + p->buffer_after_s;
	tz_instant earliest = q->now + p->min_notice_s;
	uint64_t location_hash = booking_location_hash(r->location_id);
	int64_t day, last, first;
	int y, m, d, rc;

	if (r->zone == NULL || r->start_minute < 0 || r->end_minute > BOOKING_DAY_MINUTES ||
	    r->start_minute >= r->end_minute || step <= 0)
		return BOOKING_OK;	/* the loader refuses such rows; nothing to offer */
	/* maximum advance: the local date, in the rule's zone, max_advance_days after now's */
	if (tz_add_days(r->zone, q->now, p->max_advance_days, &y, &m, &d) != TZ_OK)
		return BOOKING_OK;
	last = tz_days_from_civil(y, m, d);
	if (q->to_day < last)
		last = q->to_day;
	if (r->valid_until != BOOKING_DAY_NONE && r->valid_until < last)
		last = r->valid_until;
	first = q->from_day;
	if (r->valid_from != BOOKING_DAY_NONE && r->valid_from > first)
		first = r->valid_from;
	/* days before now's date (in any zone) cannot hold a slot after now */
	if (first < booking_floor_div(q->now, TZ_DAY_SECONDS) - 1)
		first = booking_floor_div(q->now, TZ_DAY_SECONDS) - 1;

	for (day = first; day <= last; day++) {
		tz_instant window_end;
		int s;

		if (booking_weekday(day) != r->weekday)
			continue;
		if (booking_wall(r->zone, day, r->end_minute * BOOKING_MINUTE_S, &window_end, NULL) != 0)
			continue;
		for (s = r->start_minute * BOOKING_MINUTE_S; s < r->end_minute * BOOKING_MINUTE_S;
		     s += step) {
			struct booking_slot slot;
			enum tz_wall kind;
			tz_instant start;
			uint32_t hash;

			if (booking_wall(r->zone, day, s, &start, &kind) != 0)
				continue;
			/* a wall time that does not exist today is no slot; one that happens twice
			 * is offered at its first instant only (TZ_RULE_FIRST), as stepping never
			 * gives the same wall time twice */
			if (kind == TZ_WALL_GAP)
				continue;
			slot.start = start;
			slot.end = start + q->duration_s;	/* real minutes, even across a change */
			if (slot.end > window_end)
				break;	/* instants grow with wall times under TZ_RULE_FIRST */
			if (slot.start < earliest)
				continue;
			slot.practitioner = x->index;
			slot.location_id = r->location_id;
			slot.session_type = r->session_type;
			slot.zone = r->zone;
			/* one the answer has (an earlier practitioner's, or another rule's) is not
			 * looked at again */
			hash = booking_slot_hash(x->answer, &slot, location_hash);
			if (booking_answer_has(x->answer, &slot, hash))
				continue;
			if (booking_ranges_overlap(x->busy, x->nbusy, slot.start - p->buffer_before_s,
			    slot.end + p->buffer_after_s))
				continue;
			if (booking_ranges_overlap(x->leave, x->nleave, slot.start, slot.end))
				continue;
			if ((rc = booking_answer_add(x->answer, &slot, hash)) != BOOKING_OK)
				return rc;
		}
	}
	return BOOKING_OK;
}

int
booking_slots(const struct booking_query *q, const struct booking_practitioner *ps, size_t n,
    struct booking_slots *out)
{
	struct booking_answer answer = { .out = out, .merge_any = q->merge_any };
	size_t i, j;
	int rc = BOOKING_OK;

	out->items = NULL;
	out->count = out->cap = 0;
	if (q->from_day > q->to_day || q->to_day - q->from_day + 1 > BOOKING_RANGE_MAX_DAYS ||
	    q->duration_s <= 0)
		return BOOKING_ERANGE;
	for (i = 0; i < n && rc == BOOKING_OK; i++) {
		struct booking_ctx x = { .q = q, .p = &ps[i], .index = i, .answer = &answer };
		struct booking_range *busy = NULL, *leave = NULL;

		if (booking_ranges_normalise(ps[i].busy, ps[i].nbusy, &busy, &x.nbusy) != 0 ||
		    booking_ranges_normalise(ps[i].leave, ps[i].nleave, &leave, &x.nleave) != 0)
			rc = BOOKING_ENOMEM;
		x.busy = busy;
		x.leave = leave;
		for (j = 0; j < ps[i].nrules && rc == BOOKING_OK; j++) {
			const struct booking_rule *r = &ps[i].rules[j];

			if (q->session_type != BOOKING_SESSION_ANY && r->session_type != q->session_type)
				continue;
			if (q->location_id != NULL && q->location_id[0] != '\0' &&
			    strcmp(q->location_id, r->location_id) != 0)
				continue;
			rc = booking_rule_slots(&x, r);
		}
		free(busy);
		free(leave);
	}
	free(answer.table);
	if (rc != BOOKING_OK)
		return rc;
	if (out->count > 1)
		qsort(out->items, out->count, sizeof *out->items, booking_slot_order);
	return BOOKING_OK;
}

int
booking_next_available(const struct booking_query *q, const struct booking_practitioner *ps,
    size_t n, int within_days, bool *found, struct booking_slot *out)
{
	struct booking_query c = *q;
	int64_t today = booking_floor_div(q->now, TZ_DAY_SECONDS);
	/* now's date in the zone furthest east may be tomorrow in UTC, in the furthest west
	 * yesterday */
	int64_t from = today - 1, limit = today + within_days + 1, to;

	*found = false;
	c.merge_any = true;
	for (to = from + BOOKING_NEXT_CHUNK_DAYS - 1; from <= limit; ) {
		struct booking_slots s;
		int rc;

		if (to > limit)
			to = limit;
		c.from_day = from;
		c.to_day = to;
		if ((rc = booking_slots(&c, ps, n, &s)) != BOOKING_OK) {
			booking_slots_free(&s);
			return rc;
		}
		if (s.count > 0) {
			tz_instant t = s.items[0].start;

			/* a later local date, in a zone further east, may start before t: t is the
			 * earliest only when it precedes every instant of date to + 1 */
			if (t < (to + 1) * TZ_DAY_SECONDS - BOOKING_ZONE_EAST_MAX_S || to >= limit) {
				*out = s.items[0];
				*found = true;
				booking_slots_free(&s);
				return BOOKING_OK;
			}
			booking_slots_free(&s);
			to++;	/* look one more day, from the same first day */
			continue;
		}
		booking_slots_free(&s);
		from = to + 1;
		to = from + BOOKING_NEXT_CHUNK_DAYS - 1;
	}
	return BOOKING_OK;
}

/* ---- names and times ---- */

int
booking_format_time(const struct tz_zone *z, tz_instant t, char out[BOOKING_TIME_SIZE])
{
	struct tz_local l;
	char tmp[2 * BOOKING_TIME_SIZE + 64];
	int off, sign = '+', n;

	if (tz_utc_to_local(z, t, &l) != TZ_OK)
		return -1;
	if (l.offset % 60 != 0) {	/* RFC 3339 offsets have no seconds */
		l.offset = 0;
		tz_seconds_to_civil(t, &l.civil);
	}
	off = l.offset;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	/* the compiler cannot know the fields' ranges, so a roomy buffer, then the fixed one */
	n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
	    l.civil.year, l.civil.month, l.civil.day, l.civil.hour, l.civil.minute, l.civil.second,
	    sign, off / BOOKING_HOUR_S, off / BOOKING_MINUTE_S % 60);
	if (n < 0 || n >= BOOKING_TIME_SIZE)
		return -1;
	memcpy(out, tmp, (size_t)n + 1);
	return 0;
}

const char *
booking_session_type_name(enum booking_session_type t)
{
	switch (t) {
	case BOOKING_IN_PERSON:
		return "in_person";
	case BOOKING_TELEHEALTH:
		return "telehealth";
	case BOOKING_SESSION_ANY:
		break;
	}
	return "any";
}

int
booking_session_type_parse(const char *s)
{
	if (s != NULL && strcmp(s, "in_person") == 0)
		return BOOKING_IN_PERSON;
	if (s != NULL && strcmp(s, "telehealth") == 0)
		return BOOKING_TELEHEALTH;
	return -1;
}

const char *
booking_strerror(int e)
{
	switch (e) {
	case BOOKING_OK:
		return "ok";
	case BOOKING_ERANGE:
		return "the date range is reversed or too long";
	case BOOKING_ETOOMANY:
		return "too many slots";
	case BOOKING_ENOMEM:
		return "out of memory";
	case BOOKING_EDB:
		return "database error";
	case BOOKING_EZONE:
		return "unknown time zone";
	case BOOKING_EDATA:
		return "unusable availability data";
	}
	return "unknown error";
}
