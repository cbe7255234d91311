/* org: the organisations Kairos serves — each clinic's name, time zone and domains (AUTH-7).
 *
 * Owns the organisations and organisation_domains tables: every other module asks here, so
 * no web/ handler reads them itself. Patients and staff (the users table) belong to auth/. */
#ifndef KAIROS_ORG_H
#define KAIROS_ORG_H

#include "db/db.h"

#define ORG_ID_SIZE   37	/* a uuid's 36 characters and the NUL */
#define ORG_NAME_MAX  800	/* bytes: organisations.name holds 200 characters */
#define ORG_ZONE_MAX  64	/* an IANA name */
#define ORG_HOST_MAX  255

struct org {
	char id[ORG_ID_SIZE];
	char name[ORG_NAME_MAX + 1];
	char timezone[ORG_ZONE_MAX + 1];
};

/* The organisation a request's Host names (host lowercased, possibly with ":port"), or the
 * default organisation when no domain matches. DB_OK with *out filled; DB_FAILED when there
 * is no default organisation (a database not yet migrated). Runs without a tenant: these
 * tables are readable by the application role (0006). */
int org_for_host(struct db *db, const char *host, struct org *out);

/* Organisation id as it is now (not a worker's cached copy). DB_OK; DB_FAILED when unknown. */
int org_get(struct db *db, const char *id, struct org *out);

#endif
