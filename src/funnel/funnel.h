/* funnel: one row per booking-wizard step a visit takes (issue 13 item 8; ADMIN-4 charts
 * them later): the step, what was chosen so far, and a random per-visit id. No personal
 * data: no patient, no address, no IP, no user agent; a slot is kept only as its local hour
 * and weekday.
 *
 * funnel_record is one INSERT in the caller's transaction, the step's own (the request's
 * tenant transaction), so an event is kept exactly when the step's answer commits.
 *
 * The visit id (docs/booking.md, "Funnel"): 128 random bits as 32 lower-case hex digits.
 * Pages keep it in the `kairos_visit` cookie (set when absent); API clients send it in an
 * `X-Visit-Id` header, and a request without one gets a new id back in that header.
 * web/ reads and sets both (web_visit_id); this module only checks and makes ids. */
#ifndef KAIROS_FUNNEL_H
#define KAIROS_FUNNEL_H

#include <stdbool.h>

#include "core/tz.h"

struct db;

#define FUNNEL_VISIT_BYTES 16				/* 128 random bits */
#define FUNNEL_VISIT_SIZE  (2 * FUNNEL_VISIT_BYTES + 1)	/* hex plus its terminator */
#define FUNNEL_COOKIE      "kairos_visit"
#define FUNNEL_HEADER      "X-Visit-Id"
/* A request that refreshes a step already recorded (the slot grid's poll, static/js/slots.js)
 * sends this header: it is answered like any other and records no event. */
#define FUNNEL_REFRESH_HEADER "X-Kairos-Refresh"
/* How long a page visit's cookie lives: a visit that pauses over lunch is still one. */
#define FUNNEL_COOKIE_MAX_AGE (12 * 3600)

/* The steps, in wizard order; their names are migration 0017's. */
enum funnel_step {
	FUNNEL_SERVICE = 0,	/* the service list (step 1) */
	FUNNEL_PSYCHOLOGIST,	/* the psychologist list (step 2) */
	FUNNEL_PROFILE,		/* one psychologist's profile */
	FUNNEL_TIME,		/* the day picker and slot grid (step 3) */
	FUNNEL_SLOT,		/* a slot chosen (the hold, later issues) */
	FUNNEL_DETAILS,		/* the patient's details (later) */
	FUNNEL_PAYMENT,		/* payment (later) */
	FUNNEL_CONFIRMED,	/* booked (later) */
};

/* One event. Ids are UUIDs of this clinic's rows or NULL; session_type is "in_person",
 * "telehealth" or NULL; slot_hour (0–23) and slot_weekday (0 Sunday … 6) are the chosen
 * slot's wall clock in the zone of the hours that made it (its location's; a telehealth
 * slot from no centre, the practitioner's own), so they are the time the clinic set, or -1
 * (0 is midnight and Sunday: start from FUNNEL_EVENT, never from a zeroed struct). */
struct funnel_event {
	const char      *org_id;
	const char      *visit_id;
	enum funnel_step step;
	const char      *service_id, *practitioner_id, *location_id;
	const char      *session_type;
	int              slot_hour, slot_weekday;
	/* true: the event is the only write of the step's transaction (a list, a slot grid), so
	 * its commit need not wait for the WAL to reach disk: a crash may lose the last few
	 * events, which analytics can bear. Never in a step that writes anything else (a hold,
	 * a booking), whose commit must be durable. false unless set. */
	bool             sole_write;
};

/* An event of step_ with nothing chosen yet: `struct funnel_event ev = FUNNEL_EVENT(FUNNEL_TIME);` */
#define FUNNEL_EVENT(step_) \
	((struct funnel_event){ .step = (step_), .slot_hour = -1, .slot_weekday = -1 })

/* Sets e's slot_hour and slot_weekday from a chosen slot starting at t, as the clock reads in
 * zone z (the slot's rule's: catalogue_slot.zone). 0, or -1 (e unchanged) when t is out of
 * z's range. */
int  funnel_slot(struct funnel_event *e, const struct tz_zone *z, tz_instant t);

/* Inserts e: one statement in the open transaction, queued (db_queue) so that it costs no
 * round trip of its own; it goes out with the next statement or the COMMIT, and a failure
 * of it fails the transaction (the step's writes and its event stay one unit). With
 * e->sole_write the same statement makes the transaction's commit asynchronous. DB_OK or a
 * db_result. */
int  funnel_record(struct db *db, const struct funnel_event *e);
const char *funnel_step_name(enum funnel_step s);
/* Whether s is a visit id: exactly 32 lower-case hex digits. */
bool funnel_visit_valid(const char *s);
/* A new visit id into out. 0, or -1 when the kernel gave no random bytes. */
int  funnel_visit_new(char out[FUNNEL_VISIT_SIZE]);

#endif
