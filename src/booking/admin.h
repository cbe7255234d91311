/* booking/admin: the clinic's own edits of migration 0015's catalogue (ADMIN-1): locations,
 * services, practitioners, weekly hours, leave and price rules.
 *
 * One set of calls serves every kind of row. Values travel as name/value text pairs, named
 * as the columns and the admin forms' fields are ("name", "timezone", "start_time"), so a
 * form read through an input spec hands them over as it read them, and an edit form is
 * refilled from what booking_admin_get returns. What the table checks and what needs more
 * than one field or another row (times in 5-minute steps, no overlapping hours, leave that
 * ends after it starts, a rebate only with Medicare or an insurer) is checked here, before
 * the write; what only the database can know (another clinic's location, a second active
 * price for one combination) comes back from it as the field's error, never a failure.
 *
 * Every call runs in the caller's tenant transaction, so row-level security limits it to the
 * clinic; the caller records the audit entry in that same transaction. */
#ifndef KAIROS_BOOKING_ADMIN_H
#define KAIROS_BOOKING_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "booking/booking.h"
#include "core/core.h"
#include "input/input.h"

struct db;

/* Rows one list page shows; the page after is asked for with ?after=<last id> (keyset). */
#define BOOKING_ADMIN_PAGE        50
/* Weekly hours start and end on this grid (docs/booking.md: whole minutes; the admin pages
 * keep to 5 so every service's step fits). */
#define BOOKING_ADMIN_STEP_MINUTES 5
/* "2026-12-24T14:00" and what a browser's datetime-local may add (seconds). */
#define BOOKING_ADMIN_LOCAL_MAX   19

enum booking_admin_kind {
	BOOKING_ADMIN_LOCATION,
	BOOKING_ADMIN_SERVICE,
	BOOKING_ADMIN_PRACTITIONER,
	BOOKING_ADMIN_HOURS,		/* a practitioner's availability_rules row */
	BOOKING_ADMIN_LEAVE,		/* a practitioner's practitioner_leave row */
	BOOKING_ADMIN_PRICE,
	BOOKING_ADMIN_KINDS,
};

enum booking_admin_result {
	BOOKING_ADMIN_OK = 0,
	BOOKING_ADMIN_NOT_FOUND = 1,	/* no such row in this clinic (or under this practitioner) */
	BOOKING_ADMIN_INVALID = 2,	/* errors were added for the fields */
	BOOKING_ADMIN_CONFLICT = 3,	/* reactivating it would make two active prices for one
					 * combination */
	BOOKING_ADMIN_DB = -1,		/* the database failed: db.error says why */
};

/* A field's value as text: NULL for none. Both borrowed. */
struct booking_admin_value {
	const char *name, *value;
};

/* One line of a list page. Strings live in the arena given. */
struct booking_admin_item {
	const char *id, *title, *detail;
	bool        active;	/* false: deactivated (hours and leave are always active) */
};

/* The practitioner hours and leave belong to. */
struct booking_admin_practitioner {
	char id[BOOKING_ID_SIZE];
	char user_id[BOOKING_ID_SIZE];	/* their staff account, "" when none */
	char name[201 * 4];		/* 200 characters of UTF-8 */
	char timezone[65];
};

/* Whether a kind's rows belong to a practitioner (hours, leave): then `parent` is that
 * practitioner's id in the calls below; else it is ignored. */
bool booking_admin_has_parent(enum booking_admin_kind k);
/* Whether a kind is deactivated rather than deleted (rows appointments may refer to). */
bool booking_admin_deactivates(enum booking_admin_kind k);

/* Practitioner id (a UUID, checked by the caller) in *out. BOOKING_ADMIN_OK, _NOT_FOUND or
 * _DB. */
int booking_admin_practitioner(struct db *db, const char *id,
	struct booking_admin_practitioner *out);

/* The practitioner profile linked to staff account user_id (the active one first), in out.
 * BOOKING_ADMIN_OK, _NOT_FOUND or _DB. */
int booking_admin_practitioner_of(struct db *db, const char *user_id, char out[BOOKING_ID_SIZE]);

/* Up to BOOKING_ADMIN_PAGE rows of kind k (under parent), in the list's order, after row
 * `after` (NULL: from the start). *items (arena-owned) gets *n of them; *more tells whether
 * a page follows. BOOKING_ADMIN_OK or _DB. */
int booking_admin_list(struct db *db, struct arena *a, enum booking_admin_kind k,
	const char *parent, const char *after, struct booking_admin_item **items, size_t *n,
	bool *more);

/* The stored values of row id, named as its form's fields (NULL values left out), for an
 * edit form. *vals is arena-owned. BOOKING_ADMIN_OK, _NOT_FOUND or _DB. */
int booking_admin_get(struct db *db, struct arena *a, enum booking_admin_kind k,
	const char *parent, const char *id, struct booking_admin_value **vals, size_t *n);

/* Creates (id NULL) or updates row id from vals[0..n) (a name not given is NULL). The row's
 * id goes to out_id. Problems go to e as {field, message}. BOOKING_ADMIN_OK, _NOT_FOUND,
 * _INVALID, or _DB. A write the database refuses is undone to a savepoint, so the
 * transaction stays usable for the form shown again. */
int booking_admin_save(struct db *db, struct arena *a, enum booking_admin_kind k,
	const char *parent, const char *id, const struct booking_admin_value *vals, size_t n,
	char out_id[BOOKING_ID_SIZE], struct input_errors *e);

/* Deactivates (active false) or reactivates a row of a kind that deactivates; deletes one of
 * the others (active is ignored). BOOKING_ADMIN_OK, _NOT_FOUND, _CONFLICT or _DB (the
 * transaction stays usable after _CONFLICT). */
int booking_admin_set_active(struct db *db, enum booking_admin_kind k, const char *parent,
	const char *id, bool active);

/* The clinic's locations or services (ids and names, active ones first) for a form's
 * choice; kind is BOOKING_ADMIN_LOCATION or BOOKING_ADMIN_SERVICE. Arena-owned.
 * BOOKING_ADMIN_OK or _DB. */
int booking_admin_choices(struct db *db, struct arena *a, enum booking_admin_kind k,
	struct booking_admin_item **items, size_t *n);

#endif
