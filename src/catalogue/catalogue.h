/* catalogue: what a patient can book, with whom and when, as the booking wizard and its
 * JSON API twin read it (issue 13: BOOK-1, BOOK-2, BOOK-3, BOOK-4's rating, BOOK-6,
 * BOOK-13's read endpoints).
 *
 * A page and its API twin share one input spec (below, read by web_input) and one domain
 * call: catalogue_services, catalogue_psychologists, catalogue_psychologist (the profile)
 * and catalogue_availability. Each checks what only the database can tell (an id that is
 * no row of this clinic is "unknown", the same answer as an id of another clinic) and adds
 * those problems to the caller's input_errors, so both twins show them like any other
 * field error. The catalogue_*_json builders give the shapes of patient-api.md
 * ("Catalogue and availability"); pages use them as their models too.
 *
 * Calls run inside the request's tenant transaction (the db `before` hook opens it); every
 * string and array of an answer lives in the arena passed in (the request's). Prices are
 * computed here from price_rules (catalogue_price_pick; the order is in docs/booking.md);
 * ratings are the approved reviews of migration 0019. The list's rows, nextAvailable and
 * slots are kept per worker while the clinic's catalogue version (migration 0021) and the
 * clock allow (catalogue/cache.h; docs/booking.md, "Computed answers"), so a caller sees
 * every committed change at once. Includes nothing of web/. */
#ifndef KAIROS_CATALOGUE_H
#define KAIROS_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

#include "booking/booking.h"
#include "core/core.h"
#include "core/tz.h"
#include "input/input.h"

struct db;
struct json_object;

#define CATALOGUE_QUERY_MAX        100	/* characters of a name search */
#define CATALOGUE_FILTER_MAX       100	/* characters of a concern, specialty or language */
#define CATALOGUE_INSURER_MAX      100	/* characters, as price_rules.insurer allows */
/* "Available within N days" and the look-ahead of nextAvailable: two months, inside the
 * loader's longest load (BOOKING_LOAD_MAX_DAYS, which booking_load_next widens by a few
 * days of margin). */
#define CATALOGUE_NEXT_DAYS_MAX    60
/* The profile page's next free times: this many, from the next this many days. */
#define CATALOGUE_PROFILE_SLOTS    6
#define CATALOGUE_PROFILE_DAYS     14
#define CATALOGUE_CURRENCY_SIZE    4	/* ISO 4217 code plus its terminator */

enum catalogue_result {
	CATALOGUE_OK        = 0,
	CATALOGUE_EINVALID  = -1,	/* problems were added to the caller's input_errors: 400 */
	CATALOGUE_ENOTFOUND = -2,	/* the profile's practitioner is no active one here: 404 */
	CATALOGUE_EDB       = -3,	/* the database failed: 503 */
	CATALOGUE_EINTERNAL = -4,	/* the slot engine refused loaded data (logged): 500 */
};

/* Days since 1970-01-01 of a YYYY-MM-DD that an input spec (INPUT_DATE) has checked: the
 * catalogue's dates and the wizard's, read one way. */
int64_t catalogue_day(const char *date);

/* ---- prices (BOOK-2) ---- */

/* An amount of money: integer minor units and an ISO 4217 code ("22000", "AUD"). */
struct catalogue_money {
	long long amount;
	char      currency[CATALOGUE_CURRENCY_SIZE];
};

/* What a session costs for one funding. With a rebate (Medicare, an insurer) the patient
 * sees the fee, the rebate and the gap (fee - rebate); otherwise rebate is 0 and gap = fee.
 * A package prices package_sessions sessions at fee in total. */
struct catalogue_price {
	bool                   found;		/* false: no rule matches (shown as null) */
	const char            *funding;		/* "private" | "medicare" | "insurer" | "concession" | "package" */
	const char            *insurer;		/* the insurer's name, or NULL */
	int                    package_sessions;	/* 0 unless a package */
	struct catalogue_money fee, rebate, gap;
};

/* One active price rule of a service, as the selection sees it. location_id NULL and
 * session_type BOOKING_SESSION_ANY: the rule applies whatever the location or session
 * type. */
struct catalogue_price_rule {
	const char               *location_id;
	enum booking_session_type session_type;
	const char               *funding;
	const char               *insurer;	/* NULL unless funding is "insurer" */
	long long                 fee, rebate;
	int                       package_sessions;
	const char               *currency;
};

/* The rule of r[0..n) that prices a session at location_id (NULL: none chosen) of type st
 * (BOOKING_SESSION_ANY: none chosen) with funding (and insurer, for "insurer"): the index of
 * the most specific rule that matches, or -1. A rule matches when its funding (and insurer,
 * by catalogue_insurer_same)
 * are the ones asked for and each of its location and session type is either unset or the
 * one asked for; a rule naming a location never matches a request that names none (nor a
 * session type). Most specific: location and session type, then location only, then
 * session type only, then neither (docs/booking.md, "Prices"). Pure: unit-tested. */
int  catalogue_price_pick(const struct catalogue_price_rule *r, size_t n, const char *location_id,
	enum booking_session_type st, const char *funding, const char *insurer);
/* *p set from rule r of funding (r's strings borrowed). */
void catalogue_price_set(struct catalogue_price *p, const struct catalogue_price_rule *r,
	const char *funding);
/* Insurer names as the price rules match them: the same letters, case aside, folded as
 * PostgreSQL's lower() folds them in the database's UTF-8 locale ("bupa" is "Bupa", "émile"
 * is "ÉMILE"), so a name the unique index calls the same (migration 0027) is the same here. */
bool catalogue_insurer_same(const char *a, const char *b);

/* What step 1 can say about a service's price before the patient has chosen a centre or a
 * session type: the prices the summary could show once they have. The choices are the session
 * types asked for (st, or else every type the service offers) at the centre asked for
 * (location_id, or else each centre where it is offered; a telehealth session may also come
 * from no centre). low.found: at least one choice has a price; low.fee and low.gap are then
 * the lowest fee and the lowest gap among them (low.rebate is the lowest fee's rule's).
 * varies: two choices differ in price, or only some have one; when not, low is that one
 * price. by_centre / by_type: two choices differing only in the centre / only in the session
 * type differ in price. */
struct catalogue_price_span {
	struct catalogue_price low;
	bool                   varies, by_centre, by_type;
};
/* The span of r[0..n) (one service's rules of funding and insurer) over the choices above;
 * centres[0..ncentres) are where the service is offered. Pure: unit-tested. */
void catalogue_price_span(const struct catalogue_price_rule *r, size_t n, const char *const *centres,
	size_t ncentres, const char *location_id, enum booking_session_type st, bool in_person,
	bool telehealth, const char *funding, const char *insurer, struct catalogue_price_span *out);

/* ---- GET /api/services (BOOK-1) ---- */

/* Filters of the service list. Strings borrowed from the request (NULL when not given). */
struct catalogue_services_query {
	const char *session_type;	/* "in_person" | "telehealth" */
	const char *location_id;	/* services someone offers at this centre */
	const char *concern;		/* services that address it (case-insensitive) */
	const char *funding;		/* the price shown: "private" when not given */
	const char *insurer;		/* with funding "insurer" */
};
extern const struct input_spec catalogue_services_spec;

struct catalogue_service {
	char                   id[BOOKING_ID_SIZE];
	const char            *name, *description;
	int                    duration_minutes;
	bool                   in_person, telehealth;	/* the session types offered */
	const char           **concerns;
	size_t                 nconcerns;
	struct catalogue_price price;	/* for the query's location, session type, funding */
	const char           **centres;	/* the active centres where someone active offers it */
	size_t                 ncentres;
	/* what the price may come to once a centre and a session type are chosen (the wizard's
	 * step 1; the API's shape has no field for it) */
	struct catalogue_price_span span;
};

/* The clinic's active services matching q, in list order (sort_order, name), each priced.
 * *out (arena-owned) has *count entries. CATALOGUE_OK, CATALOGUE_EINVALID (an unknown
 * locationId, added to e) or CATALOGUE_EDB. */
int  catalogue_services(struct db *db, struct arena *a, const struct catalogue_services_query *q,
	struct catalogue_service **out, size_t *count, struct input_errors *e);
/* {"services":[{"id","name","description","durationMinutes","sessionTypes","concerns",
 * "price":{"funding","insurer"?,"packageSessions"?,"fee":{"amount","currency"},"rebate",
 * "gap"}|null}]}: a new object, the caller's. */
struct json_object *catalogue_services_json(const struct catalogue_service *s, size_t n);

/* ---- GET /api/psychologists (BOOK-3, BOOK-4's rating, BOOK-6) ---- */

struct catalogue_psychologists_query {
	const char *service_id;		/* those who offer it; needed for nextAvailable */
	const char *q;			/* a name search (case-insensitive, any part) */
	const char *specialty, *language, *gender;
	const char *location_id;	/* those who work at this centre */
	bool        telehealth;		/* true: only those who offer telehealth */
	long long   available_within_days;	/* 0: any; else a slot within that many days */
	const char *sort;		/* "soonest" | "rating"; NULL: the clinic's list order */
	const char *tz;			/* the patient's zone for nextAvailable; NULL: the slot's own */
	const char *session_type;	/* nextAvailable of this type only ("in_person" |
					 * "telehealth"); NULL: either */
};
extern const struct input_spec catalogue_psychologists_spec;

struct catalogue_location {
	char        id[BOOKING_ID_SIZE];
	const char *name, *timezone;
};

struct catalogue_psychologist {
	char                       id[BOOKING_ID_SIZE];
	const char                *name, *title, *photo_url, *bio, *gender;	/* NULL when unset */
	const char               **qualifications, **specialties, **languages;
	size_t                     nqualifications, nspecialties, nlanguages;
	struct catalogue_location *locations;
	size_t                     nlocations;
	bool                       telehealth;
	double                     rating_average;	/* over approved reviews; 0 when none */
	long                       rating_count;
	bool                       has_next;	/* next is set (a service was given and a slot found) */
	struct booking_next        next;	/* their next free slot for the query's service */
	const struct tz_zone      *next_zone;	/* the zone next is shown in */
};

/* The clinic's active practitioners matching q, sorted as asked (soonest: by next slot,
 * none last; rating: by average, then count; ties and no sort: the clinic's list order).
 * nextAvailable is read with booking_load_next for q->service_id from now, within
 * available_within_days or else CATALOGUE_NEXT_DAYS_MAX. CATALOGUE_OK, CATALOGUE_EINVALID
 * (an unknown serviceId or locationId; availableWithinDays or sort=soonest without a
 * serviceId) or CATALOGUE_EDB, CATALOGUE_EINTERNAL. */
int  catalogue_psychologists(struct db *db, struct arena *a,
	const struct catalogue_psychologists_query *q, tz_instant now,
	struct catalogue_psychologist **out, size_t *count, struct input_errors *e);
/* catalogue_psychologists's answer as the API sends it: catalogue_psychologists_json's text
 * (no slash escapes, as http_response_json writes), *json (arena-owned) of *len bytes. The
 * text is kept per worker under the query and the patient's zone, within the bounds of the
 * answers it is made from (version, clock window, memory budget: cache.h), so a repeat
 * costs the id check and no json-c work. Results as catalogue_psychologists. */
int  catalogue_psychologists_text(struct db *db, struct arena *a,
	const struct catalogue_psychologists_query *q, tz_instant now, const char **json,
	size_t *len, struct input_errors *e);
/* {"psychologists":[{"id","name","title","photoUrl","bio","qualifications","specialties",
 * "languages","gender","locations":[{"id","name","timezone"}],"telehealth","rating":
 * {"average","count"},"nextAvailable":"<RFC 3339>"|null}]}: a new object, the caller's. */
struct json_object *catalogue_psychologists_json(const struct catalogue_psychologist *p, size_t n);
/* One psychologist's object of the list above (the profile page's model). */
struct json_object *catalogue_psychologist_json(const struct catalogue_psychologist *p);

/* ---- GET /api/availability (BOOK-6) ---- */

struct catalogue_availability_query {
	const char *practitioner_id;	/* NULL: any practitioner */
	const char *service_id;		/* required */
	const char *from, *to;		/* local dates YYYY-MM-DD, inclusive; required */
	const char *tz;			/* the patient's IANA zone; required */
	const char *session_type;	/* NULL: either */
	const char *location_id;	/* NULL: any */
};
/* Its check refuses a reversed range and one longer than BOOKING_RANGE_MAX_DAYS. */
extern const struct input_spec catalogue_availability_spec;

struct catalogue_slot {
	tz_instant                start, end;
	char                      practitioner_id[BOOKING_ID_SIZE];
	char                      location_id[BOOKING_ID_SIZE];	/* "" for telehealth from nowhere */
	enum booking_session_type session_type;
	/* the zone of the hours that made the slot: its location's, or for telehealth from
	 * nowhere its practitioner's (booking_slot.zone); owned by tz's cache */
	const struct tz_zone     *zone;
};

/* The free slots for q from now on the settable clock: one practitioner's, or with no
 * practitionerId any practitioner's (slots at one time folded into one, the list's first
 * practitioner). Dates are read in each rule's zone (docs/booking.md). *zone is q->tz
 * loaded, for formatting. CATALOGUE_OK, CATALOGUE_EINVALID (unknown serviceId,
 * practitionerId or locationId, a practitioner who does not offer the service, or an answer
 * of more than BOOKING_SLOTS_MAX slots: then from and to ask for a shorter range) or
 * CATALOGUE_EDB, CATALOGUE_EINTERNAL. */
int  catalogue_availability(struct db *db, struct arena *a,
	const struct catalogue_availability_query *q, tz_instant now,
	const struct tz_zone **zone, struct catalogue_slot **out, size_t *count,
	struct input_errors *e);
/* catalogue_availability's answer as the API sends it (catalogue_slots_json's text in q's
 * zone), kept like catalogue_psychologists_text's. Results as catalogue_availability. */
int  catalogue_availability_text(struct db *db, struct arena *a,
	const struct catalogue_availability_query *q, tz_instant now, const char **json,
	size_t *len, struct input_errors *e);
/* {"timezone":"<zone>","slots":[{"start","end","practitionerId","locationId"|null,
 * "sessionType"}]} with times in zone: a new object, the caller's. */
struct json_object *catalogue_slots_json(const struct tz_zone *zone, const struct catalogue_slot *s,
	size_t n);

/* ---- what callers build from answers ---- */

/* The bounds an answer holds in (cache.h): its organisation's catalogue version and the end
 * of its clock window. */
struct catalogue_window {
	char       org[BOOKING_ID_SIZE];
	long long  version;
	tz_instant until;	/* 0: not known (catalogue_window) */
};

/* The transaction's catalogue version (and organisation) into *w, as the first statement of
 * a call with the same ids reads it (its id check, made once per transaction). CATALOGUE_OK
 * or CATALOGUE_EDB. */
int  catalogue_window(struct db *db, const char *service_id, const char *location_id,
	struct catalogue_window *w);
/* catalogue_psychologists, and *w the bounds its answer holds in. */
int  catalogue_psychologists_bounded(struct db *db, struct arena *a,
	const struct catalogue_psychologists_query *q, tz_instant now,
	struct catalogue_psychologist **out, size_t *count, struct input_errors *e,
	struct catalogue_window *w);
/* A caller's text made from catalogue answers (the step-2 page's cards), kept in the worker's
 * answers under the caller's key, w's organisation and version, until w->until (cut like
 * every answer's). catalogue_kept gives it back (an arena copy, NUL-terminated, *len bytes)
 * while w's version and the window hold, else NULL. Keeping only costs memory; a key too
 * long is not kept. */
void catalogue_keep(const struct catalogue_window *w, const char *key, tz_instant now,
	const char *text, size_t len);
const char *catalogue_kept(struct arena *a, const struct catalogue_window *w, const char *key,
	tz_instant now, size_t *len);
/* The same text where the worker keeps it, not copied: owned by the worker's answers and
 * valid until its next catalogue_keep or answer stored, so a page sends it (web_page_around)
 * before any. NULL and *len 0 on a miss. */
const char *catalogue_kept_bytes(const struct catalogue_window *w, const char *key,
	tz_instant now, size_t *len);

/* ---- the profile page (BOOK-3) ---- */

/* Practitioner id's profile (an active practitioner of this clinic) and their next free
 * times: up to CATALOGUE_PROFILE_SLOTS within CATALOGUE_PROFILE_DAYS for service_id (NULL:
 * the first service they offer in list order); catalogue_slots_json writes them in a zone.
 * CATALOGUE_OK, CATALOGUE_ENOTFOUND (no such practitioner, or id is no UUID),
 * CATALOGUE_EINVALID (an unknown service_id or one they do not offer, added to e as
 * "serviceId"), CATALOGUE_EDB, CATALOGUE_EINTERNAL. */
int  catalogue_psychologist(struct db *db, struct arena *a, const char *id, const char *service_id,
	tz_instant now, struct catalogue_psychologist *out, struct catalogue_slot **next,
	size_t *nnext, struct input_errors *e);

#endif
