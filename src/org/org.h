/* org: the organisations Kairos serves — each clinic's name, time zone and domains (AUTH-7).
 *
 * Owns the organisations and organisation_domains tables: every other module asks here, so
 * no web/ handler reads them itself. Patients and staff (the users table) belong to auth/. */
#ifndef KAIROS_ORG_H
#define KAIROS_ORG_H

#include <stdbool.h>

#include "core/core.h"
#include "db/db.h"

#define ORG_ID_SIZE   37	/* a uuid's 36 characters and the NUL */
#define ORG_NAME_MAX  800	/* bytes: organisations.name holds 200 characters */
#define ORG_ZONE_MAX  64	/* an IANA name */
#define ORG_HOST_MAX  255
#define ORG_REGION_SIZE 3	/* ISO 3166-1 alpha-2 and the NUL */

struct org {
	char id[ORG_ID_SIZE];
	char name[ORG_NAME_MAX + 1];
	char timezone[ORG_ZONE_MAX + 1];
	char region[ORG_REGION_SIZE];	/* its phone numbers' country (0025); "": the deployment's */
};

/* The organisation a request's Host names (host lowercased, possibly with ":port"), or the
 * default organisation when no domain matches. DB_OK with *out filled; DB_FAILED when there
 * is no default organisation (a database not yet migrated). Runs without a tenant: these
 * tables are readable by the application role (0006). */
int org_for_host(struct db *db, const char *host, struct org *out);

/* Organisation id as it is now (not a worker's cached copy). DB_OK; DB_FAILED when unknown. */
int org_get(struct db *db, const char *id, struct org *out);

/* ---- pages.c: the clinic's contact, privacy and accessibility pages (issue 13, item 9) ----
 *
 * Each organisation may set its own text (site_pages, migration 0018, a tenant table: these
 * run in the request's tenant transaction); until it does, the page shows the default text
 * below. Text is plain: blank lines separate paragraphs, "- " starts a list item, "## " a
 * subheading. It is never HTML (web/ escapes it). */

#define ORG_PAGE_MAX_CHARS 20000	/* characters: site_pages.body's check */

struct org_page {
	const char *slug;		/* "contact": its path is /contact */
	const char *title;		/* "Contact the clinic": the heading, the footer's link */
	const char *default_text;	/* shown while the clinic has set none */
};

extern const struct org_page org_pages[];
extern const size_t org_npages;

/* The page of slug, or NULL for no such page. */
const struct org_page *org_page_find(const char *slug);
/* The tenant's text of page into out (appended), or the default when it has none; *custom
 * says which. DB_OK or an error. */
int org_page_text(struct db *db, const struct org_page *page, struct buf *out, bool *custom);
/* Sets the tenant's text of page (at most ORG_PAGE_MAX_CHARS characters, checked by the
 * caller), by staff member user_id. *changed: whether it differs from what was there.
 * DB_OK or an error. */
int org_page_save(struct db *db, const char *org_id, const struct org_page *page,
	const char *text, const char *user_id, bool *changed);

#endif
