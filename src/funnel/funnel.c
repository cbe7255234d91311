/* funnel.c: one INSERT per wizard step (funnel.h). */
#include "funnel/funnel.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/clock.h"
#include "core/rand.h"
#include "db/db.h"

#define FUNNEL_INT_SIZE 24	/* a long long in decimal */

static const char *const funnel_steps[] = {
	[FUNNEL_SERVICE] = "service", [FUNNEL_PSYCHOLOGIST] = "psychologist",
	[FUNNEL_PROFILE] = "profile", [FUNNEL_TIME] = "time", [FUNNEL_SLOT] = "slot",
	[FUNNEL_DETAILS] = "details", [FUNNEL_PAYMENT] = "payment",
	[FUNNEL_CONFIRMED] = "confirmed",
};

/* created_at is the settable clock's, like every time the app records */
#define FUNNEL_INSERT "INSERT INTO funnel_events (org_id, visit_id, step, service_id," \
	" practitioner_id, location_id, session_type, slot_hour, slot_weekday, created_at)"
#define FUNNEL_VALUES "$1::uuid, $2, $3, $4::uuid, $5::uuid, $6::uuid, $7, $8::smallint," \
	" $9::smallint, to_timestamp($10::bigint)"
static struct db_stmt funnel_stmt_insert = DB_STMT("funnel_insert", 10,
	FUNNEL_INSERT " VALUES (" FUNNEL_VALUES ")");
/* The same, and synchronous_commit off for the rest of the transaction, in one round trip
 * (the set_config's result is compared so that the row depends on it being run). */
static struct db_stmt funnel_stmt_insert_async = DB_STMT("funnel_insert_async", 10,
	FUNNEL_INSERT " SELECT " FUNNEL_VALUES
	" FROM (SELECT set_config('synchronous_commit', 'off', true) AS sc) s WHERE s.sc = 'off'");

const char *
funnel_step_name(enum funnel_step s)
{
	return (size_t)s < sizeof funnel_steps / sizeof funnel_steps[0] ? funnel_steps[s] : NULL;
}

bool
funnel_visit_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 2 * FUNNEL_VISIT_BYTES;
}

int
funnel_visit_new(char out[FUNNEL_VISIT_SIZE])
{
	return rand_hex(out, FUNNEL_VISIT_BYTES);
}

int
funnel_slot(struct funnel_event *e, const struct tz_zone *z, tz_instant t)
{
	struct tz_local l;

	if (tz_utc_to_local(z, t, &l) != TZ_OK)
		return -1;
	e->slot_hour = l.civil.hour;
	e->slot_weekday = tz_weekday(l.civil.year, l.civil.month, l.civil.day);
	return 0;
}

int
funnel_record(struct db *db, const struct funnel_event *e)
{
	char hour[FUNNEL_INT_SIZE], weekday[FUNNEL_INT_SIZE], now[FUNNEL_INT_SIZE];
	const char *p[10];

	snprintf(hour, sizeof hour, "%d", e->slot_hour);
	snprintf(weekday, sizeof weekday, "%d", e->slot_weekday);
	snprintf(now, sizeof now, "%lld", clock_now());
	p[0] = e->org_id;
	p[1] = e->visit_id;
	p[2] = funnel_step_name(e->step);
	p[3] = e->service_id;
	p[4] = e->practitioner_id;
	p[5] = e->location_id;
	p[6] = e->session_type;
	p[7] = e->slot_hour >= 0 ? hour : NULL;
	p[8] = e->slot_weekday >= 0 ? weekday : NULL;
	p[9] = now;
	/* nobody reads its result: it goes with the transaction's next round trip, at the
	 * latest its COMMIT, and fails that if it fails (db_queue) */
	return db_queue(db, e->sole_write ? &funnel_stmt_insert_async : &funnel_stmt_insert, p);
}
