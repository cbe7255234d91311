/* audit: the append-only record of who did what (AUTH-*, NOTE-4). Entries never hold
 * secrets, codes, tokens or message bodies: only who, what, to whom, when and from where. */
#ifndef KAIROS_AUDIT_H
#define KAIROS_AUDIT_H

#include "db/db.h"

struct audit_entry {
	const char *org_id;
	const char *actor_kind;		/* patient | staff | system | webhook | anonymous */
	const char *actor_id;		/* the user's uuid, or NULL */
	const char *action;		/* "auth.signin", "auth.otp_failed", ... */
	const char *subject_type;	/* "session", "user", ... or NULL */
	const char *subject_id;
	const char *patient_id;		/* the patient concerned, or NULL */
	const char *ip;			/* the client's address when a person acted, or NULL */
	const char *request_id;
	const char *details_json;	/* a JSON object, or NULL for {} */
};

/* Appends e in the caller's transaction. DB_OK or an error. */
int audit_record(struct db *db, const struct audit_entry *e);

#endif
