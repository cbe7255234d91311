/* load.c: what the slot engine needs for one service over a range, from migration 0015's
 * tables, in four prepared statements whatever the range or the number of practitioners:
 * the service, its practitioners, their rules, and their busy and leave ranges. No per-day
 * and no per-practitioner queries: the later statements take the practitioners as one
 * uuid[] and unnest it WITH ORDINALITY, so rows come back grouped in the practitioners'
 * order and each practitioner's appointments are one btree range scan (appointments_busy;
 * docs/booking.md shows the plan). */
#include "booking/booking.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* Appointments and leave are read this many days either side of the range: enough for
 * every zone's offset, the longest buffer and the longest session (all far under a day
 * each), so a session near the range's edge still sees what it could overlap. */
#define BOOKING_LOAD_MARGIN_DAYS 2
/* booking_load_next's first pass reads everyone's next two days (and today): at a busy
 * clinic most practitioners have a free slot in them, and only the rest are read again
 * for the whole look-ahead. */
#define BOOKING_NEXT_FIRST_DAYS 2
/* "1970-01-01" plus terminator; and an int64 in decimal */
#define BOOKING_DATE_SIZE       16
#define BOOKING_INT_SIZE        24

static struct db_stmt booking_stmt_service = DB_STMT("booking_load_service", 1,
	"SELECT duration_minutes, coalesce(slot_interval_minutes, 0) FROM services"
	" WHERE id = $1::uuid AND active");

/* the service's active practitioners, or those of them named, in the order lists show them */
static struct db_stmt booking_stmt_practitioners = DB_STMT("booking_load_practitioners", 2,
	"SELECT p.id, p.buffer_before_minutes, p.buffer_after_minutes, p.min_notice_minutes,"
	" p.max_advance_days"
	" FROM practitioners p"
	" JOIN practitioner_services ps ON ps.practitioner_id = p.id AND ps.service_id = $1::uuid"
	" WHERE p.active AND ($2::uuid[] IS NULL OR p.id = ANY ($2::uuid[]))"
	" ORDER BY p.sort_order, p.name, p.id");

/* their weekly rules valid on some date of the range, for session types the service offers
 * (telehealth only for practitioners who offer it), at active locations they work at (a
 * rule left at a centre after its link was removed offers nothing, as the psychologist
 * list no longer shows them there; the admin hours page says so) */
static struct db_stmt booking_stmt_rules = DB_STMT("booking_load_rules", 4,
	"SELECT u.n, r.weekday, (extract(epoch FROM r.start_time) / 60)::int,"
	" (extract(epoch FROM r.end_time) / 60)::int,"
	" r.valid_from - date '1970-01-01', r.valid_until - date '1970-01-01',"
	" coalesce(l.timezone, p.timezone), coalesce(r.location_id::text, ''), r.session_type"
	" FROM unnest($1::uuid[]) WITH ORDINALITY AS u (id, n)"
	" JOIN practitioners p ON p.id = u.id"
	" JOIN availability_rules r ON r.practitioner_id = u.id"
	" JOIN services s ON s.id = $2::uuid"
	" LEFT JOIN locations l ON l.id = r.location_id"
	" WHERE r.session_type = ANY (s.session_types)"
	" AND (r.session_type = 'in_person' OR p.telehealth)"
	" AND (r.location_id IS NULL OR (l.active AND EXISTS (SELECT 1 FROM practitioner_locations pl"
	"  WHERE pl.practitioner_id = u.id AND pl.location_id = l.id)))"
	" AND (r.valid_from IS NULL OR r.valid_from <= $4::date)"
	" AND (r.valid_until IS NULL OR r.valid_until >= $3::date)"
	" ORDER BY u.n, r.weekday, r.start_time");

/* busy ('b': the blocked range of every appointment but cancelled ones, a hold only while
 * it lasts) and leave ('l') overlapping [$2, $3) seconds since the epoch, $4 = now. Written
 * with < and > rather than tstzrange && so that, under row-level security, they are index
 * conditions (migration 0015, appointments_busy): a blocked range is at most a day long, so
 * blocked_from >= $2 - 1 day bounds the scan from below. */
static struct db_stmt booking_stmt_ranges = DB_STMT("booking_load_ranges", 4,
	"SELECT u.n, 'b', extract(epoch FROM a.blocked_from)::bigint,"
	" extract(epoch FROM a.blocked_until)::bigint"
	" FROM unnest($1::uuid[]) WITH ORDINALITY AS u (id, n)"
	" JOIN appointments a ON a.practitioner_id = u.id"
	" AND a.blocked_from >= to_timestamp($2::bigint - " STR_OF(BOOKING_BLOCKED_MAX_S) ")"
	" AND a.blocked_from < to_timestamp($3::bigint)"
	" AND a.blocked_until > to_timestamp($2::bigint)"
	" AND a.status <> 'cancelled'"
	" WHERE a.status <> 'held' OR a.hold_expires_at > to_timestamp($4::bigint)"
	" UNION ALL"
	" SELECT u.n, 'l', extract(epoch FROM v.starts_at)::bigint, extract(epoch FROM v.ends_at)::bigint"
	" FROM unnest($1::uuid[]) WITH ORDINALITY AS u (id, n)"
	" JOIN practitioner_leave v ON v.practitioner_id = u.id"
	" AND v.ends_at > to_timestamp($2::bigint) AND v.starts_at < to_timestamp($3::bigint)"
	" ORDER BY 1, 2");

void
booking_data_free(struct booking_data *d)
{
	free(d->practitioners);
	free(d->rules);
	free(d->ranges);
	memset(d, 0, sizeof *d);
}

static void
booking_date_text(int64_t day, char out[BOOKING_DATE_SIZE])
{
	int y, m, d;

	tz_civil_from_days(day, &y, &m, &d);
	snprintf(out, BOOKING_DATE_SIZE, "%04d-%02d-%02d", y, m, d);
}

static int64_t
booking_int(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Runs stmt into *res, and returns room for one item of size bytes a row (calloc'ed, the
 * caller's; NULL for no rows), with *n the rows, or NULL with *n BOOKING_EDB or
 * BOOKING_ENOMEM (res cleared). */
static void *
booking_rows(struct db *db, struct db_stmt *stmt, const char *const *p, size_t size,
    PGresult **res, int *n)
{
	void *items = NULL;

	if (db_query(db, stmt, p, res) != DB_OK) {
		*n = BOOKING_EDB;
		return NULL;
	}
	*n = PQntuples(*res);
	if (*n > 0 && (items = calloc((size_t)*n, size)) == NULL) {
		PQclear(*res);
		*n = BOOKING_ENOMEM;
	}
	return items;
}

/* "{id,id,…}" of the loaded practitioners: the uuid[] the later statements unnest. Caller
 * frees. */
static char *
booking_id_array(const struct booking_data *d)
{
	size_t i, len = 3 + d->count * BOOKING_ID_SIZE;
	char *s = malloc(len), *p;

	if (s == NULL)
		return NULL;
	p = s;
	*p++ = '{';
	for (i = 0; i < d->count; i++) {
		if (i > 0)
			*p++ = ',';
		memcpy(p, d->practitioners[i].id, strlen(d->practitioners[i].id));
		p += strlen(d->practitioners[i].id);
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

static int
booking_load_rules(struct db *db, struct booking_data *d, const char *ids, const char *service_id,
    int64_t from_day, int64_t to_day)
{
	char from[BOOKING_DATE_SIZE], to[BOOKING_DATE_SIZE];
	const char *p[] = { ids, service_id, from, to };
	PGresult *res;
	int i, n, rc = BOOKING_OK;

	booking_date_text(from_day, from);
	booking_date_text(to_day, to);
	d->rules = booking_rows(db, &booking_stmt_rules, p, sizeof *d->rules, &res, &n);
	if (n < 0)
		return n;
	for (i = 0; i < n && rc == BOOKING_OK; i++) {
		struct booking_rule *r = &d->rules[i];
		int64_t who = booking_int(res, i, 0) - 1;
		struct booking_practitioner *pr;

		if (who < 0 || (size_t)who >= d->count) {
			rc = BOOKING_EDATA;
			break;
		}
		pr = &d->practitioners[who];
		r->weekday = (int)booking_int(res, i, 1);
		r->start_minute = (int)booking_int(res, i, 2);
		r->end_minute = (int)booking_int(res, i, 3);
		r->valid_from = PQgetisnull(res, i, 4) ? BOOKING_DAY_NONE : booking_int(res, i, 4);
		r->valid_until = PQgetisnull(res, i, 5) ? BOOKING_DAY_NONE : booking_int(res, i, 5);
		if (tz_load(PQgetvalue(res, i, 6), &r->zone) != TZ_OK)
			rc = BOOKING_EZONE;
		db_copy(r->location_id, sizeof r->location_id, res, i, 7);
		r->session_type = booking_session_type_parse(PQgetvalue(res, i, 8)) == BOOKING_TELEHEALTH
		    ? BOOKING_TELEHEALTH : BOOKING_IN_PERSON;
		if (r->start_minute < 0 || r->start_minute >= r->end_minute ||
		    r->end_minute > BOOKING_DAY_MINUTES || r->weekday < 0 || r->weekday > 6)
			rc = BOOKING_EDATA;
		/* rows come grouped by practitioner (ORDER BY u.n) */
		if (pr->nrules == 0)
			pr->rules = r;
		pr->nrules++;
	}
	d->nrules = (size_t)n;
	PQclear(res);
	return rc;
}

static int
booking_load_ranges(struct db *db, struct booking_data *d, const char *ids, int64_t from_day,
    int64_t to_day, tz_instant now)
{
	char from[BOOKING_INT_SIZE], to[BOOKING_INT_SIZE], at[BOOKING_INT_SIZE];
	const char *p[] = { ids, from, to, at };
	PGresult *res;
	int i, n;

	snprintf(from, sizeof from, "%" PRId64, (from_day - BOOKING_LOAD_MARGIN_DAYS) * TZ_DAY_SECONDS);
	snprintf(to, sizeof to, "%" PRId64, (to_day + 1 + BOOKING_LOAD_MARGIN_DAYS) * TZ_DAY_SECONDS);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)now);
	d->ranges = booking_rows(db, &booking_stmt_ranges, p, sizeof *d->ranges, &res, &n);
	if (n < 0)
		return n;
	/* rows come by practitioner, busy before leave: each list is one run */
	for (i = 0; i < n; i++) {
		int64_t who = booking_int(res, i, 0) - 1;
		bool busy = PQgetvalue(res, i, 1)[0] == 'b';
		struct booking_practitioner *pr;
		struct booking_range *r = &d->ranges[i];

		if (who < 0 || (size_t)who >= d->count) {
			PQclear(res);
			return BOOKING_EDATA;
		}
		pr = &d->practitioners[who];
		r->start = booking_int(res, i, 2);
		r->end = booking_int(res, i, 3);
		if (busy) {
			if (pr->nbusy++ == 0)
				pr->busy = r;
		} else if (pr->nleave++ == 0)
			pr->leave = r;
	}
	d->nranges = (size_t)n;
	PQclear(res);
	return BOOKING_OK;
}

/* A UUID's text form: 36 characters of hex digits and four dashes where they belong. So an
 * id pasted into an array literal ("{…}") is one element and nothing else. */
static bool
booking_uuid_valid(const char *s)
{
	size_t i;

	for (i = 0; i < BOOKING_ID_SIZE - 1; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	}
	return s[i] == '\0';
}

/* booking_load for the practitioners of the uuid[] literal `only` (NULL: all of them). */
static int
booking_load_some(struct db *db, const char *service_id, const char *only, int64_t from_day,
    int64_t to_day, tz_instant now, struct booking_data *out)
{
	const char *p[] = { service_id, only };
	PGresult *res;
	char *ids;
	int i, n, rc;

	memset(out, 0, sizeof *out);
	if (from_day > to_day || to_day - from_day + 1 > BOOKING_LOAD_MAX_DAYS)
		return BOOKING_ERANGE;
	if (!booking_uuid_valid(service_id))
		return BOOKING_OK;	/* no such service */
	if (db_query(db, &booking_stmt_service, p, &res) != DB_OK)
		return BOOKING_EDB;
	if (PQntuples(res) != 1) {	/* no such service: nobody offers it */
		PQclear(res);
		return BOOKING_OK;
	}
	out->duration_s = (int)booking_int(res, 0, 0) * 60;
	out->step_s = (int)booking_int(res, 0, 1) * 60;
	PQclear(res);

	out->practitioners = booking_rows(db, &booking_stmt_practitioners, p,
	    sizeof *out->practitioners, &res, &n);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		struct booking_practitioner *pr = &out->practitioners[i];

		db_copy(pr->id, sizeof pr->id, res, i, 0);
		pr->buffer_before_s = (int)booking_int(res, i, 1) * 60;
		pr->buffer_after_s = (int)booking_int(res, i, 2) * 60;
		pr->min_notice_s = (int)booking_int(res, i, 3) * 60;
		pr->max_advance_days = (int)booking_int(res, i, 4);
	}
	out->count = (size_t)n;
	PQclear(res);
	if (n == 0)
		return BOOKING_OK;

	if ((ids = booking_id_array(out)) == NULL)
		return BOOKING_ENOMEM;
	rc = booking_load_rules(db, out, ids, service_id, from_day, to_day);
	if (rc == BOOKING_OK)
		rc = booking_load_ranges(db, out, ids, from_day, to_day, now);
	free(ids);
	if (rc != BOOKING_OK)
		booking_data_free(out);
	return rc;
}

int
booking_load(struct db *db, const char *service_id, const char *practitioner_id,
    int64_t from_day, int64_t to_day, tz_instant now, struct booking_data *out)
{
	char one[BOOKING_ID_SIZE + 2];

	if (practitioner_id == NULL)
		return booking_load_some(db, service_id, NULL, from_day, to_day, now, out);
	memset(out, 0, sizeof *out);
	if (!booking_uuid_valid(practitioner_id))
		return BOOKING_OK;	/* nobody by that id */
	snprintf(one, sizeof one, "{%s}", practitioner_id);
	return booking_load_some(db, service_id, one, from_day, to_day, now, out);
}

/* Fills next[] for the practitioners of d, looking through local date `limit`
 * (booking_next_available's look-ahead ends there). Unless this is the final pass, a slot is
 * kept only when no later date could hold an earlier one (a date after `limit` in a zone
 * further east can start before a slot late on `limit`): the rest wait for the next pass. */
static int
booking_next_pass(const struct booking_data *d, int64_t today, int64_t limit, bool final,
    tz_instant now, enum booking_session_type session_type, const char *location_id,
    struct booking_next *next, size_t count)
{
	struct booking_query q = {
		.duration_s = d->duration_s, .step_s = d->step_s, .now = now,
		.session_type = session_type, .location_id = location_id,
	};
	size_t i, j;

	for (i = 0; i < d->count; i++) {
		struct booking_slot slot;
		bool found = false;
		int rc;

		for (j = 0; j < count && strcmp(next[j].id, d->practitioners[i].id) != 0; j++)
			;
		if (j == count)
			continue;
		rc = booking_next_available(&q, &d->practitioners[i], 1, (int)(limit - today - 1), &found, &slot);
		if (rc != BOOKING_OK)
			return rc;
		if (found && (final || slot.start < (limit + 1) * TZ_DAY_SECONDS - BOOKING_ZONE_EAST_MAX_S)) {
			next[j].found = true;
			next[j].start = slot.start;
			next[j].end = slot.end;
			snprintf(next[j].location_id, sizeof next[j].location_id, "%s", slot.location_id);
			next[j].session_type = slot.session_type;
			next[j].min_notice_s = d->practitioners[i].min_notice_s;
		}
	}
	return BOOKING_OK;
}

int
booking_load_next(struct db *db, const char *service_id, tz_instant now, int within_days,
    enum booking_session_type session_type, const char *location_id, struct booking_next **out,
    size_t *count)
{
	int64_t today = now / TZ_DAY_SECONDS - (now % TZ_DAY_SECONDS < 0);
	int64_t first_limit = today + BOOKING_NEXT_FIRST_DAYS, limit = today + within_days + 1;
	struct booking_data d;
	struct booking_next *next;
	size_t i, missing = 0;
	char *ids, *p;
	int rc;

	*out = NULL;
	*count = 0;
	if (within_days < 0 || limit - (today - 1) + 1 > BOOKING_LOAD_MAX_DAYS)
		return BOOKING_ERANGE;
	if (first_limit > limit)
		first_limit = limit;
	/* first pass: everyone, a few days — a practitioner with a slot soon is done here */
	if ((rc = booking_load_some(db, service_id, NULL, today - 1, first_limit, now, &d)) != BOOKING_OK)
		return rc;
	if (d.count == 0) {
		booking_data_free(&d);
		return BOOKING_OK;
	}
	if ((next = calloc(d.count, sizeof *next)) == NULL) {
		booking_data_free(&d);
		return BOOKING_ENOMEM;
	}
	for (i = 0; i < d.count; i++)
		memcpy(next[i].id, d.practitioners[i].id, BOOKING_ID_SIZE);
	*count = d.count;
	*out = next;
	rc = booking_next_pass(&d, today, first_limit, first_limit == limit, now, session_type,
	    location_id, next, *count);
	booking_data_free(&d);
	if (rc != BOOKING_OK || first_limit == limit)
		return rc;

	/* second pass: only those with nothing yet, over the whole look-ahead */
	for (i = 0; i < *count; i++)
		missing += !next[i].found;
	if (missing == 0)
		return BOOKING_OK;
	if ((ids = p = malloc(3 + missing * BOOKING_ID_SIZE)) == NULL)
		return BOOKING_ENOMEM;
	*p++ = '{';
	for (i = 0; i < *count; i++)
		if (!next[i].found)
			p += sprintf(p, "%s%s", p - ids > 1 ? "," : "", next[i].id);
	*p++ = '}';
	*p = '\0';
	rc = booking_load_some(db, service_id, ids, today - 1, limit, now, &d);
	free(ids);
	if (rc == BOOKING_OK)
		rc = booking_next_pass(&d, today, limit, true, now, session_type, location_id, next,
		    *count);
	booking_data_free(&d);
	return rc;
}
