/* org.c: organisations by host and by id (see org.h). The application role may read both
 * tables whatever the tenant (0006), so their statements are shared ones: they need no
 * tenant transaction. */
#include "org/org.h"

#include <string.h>

static struct db_stmt org_stmt_for_host = DB_STMT_SHARED("org_for_host", 1,
	"SELECT o.id, o.name, o.timezone, coalesce(o.region, '') FROM organisations o WHERE o.id = coalesce("
	" (SELECT org_id FROM organisation_domains WHERE host IN ($1, split_part($1, ':', 1))"
	"  ORDER BY length(host) DESC LIMIT 1),"
	" (SELECT id FROM organisations WHERE is_default))");

static struct db_stmt org_stmt_get = DB_STMT_SHARED("org_get", 1,
	"SELECT id, name, timezone, coalesce(region, '') FROM organisations WHERE id = $1::uuid");

/* A row of either statement. */
static const struct db_row_map org_map = DB_ROW_MAP(struct org,
	DB_COL_TEXT(struct org, id),
	DB_COL_TEXT(struct org, name),
	DB_COL_TEXT(struct org, timezone),
	DB_COL_TEXT(struct org, region));

/* The one row stmt finds for param as *out; DB_FAILED with why when there is none. */
static int
org_one(struct db *db, struct db_stmt *stmt, const char *param, struct org *out,
    const char *why)
{
	const char *p[] = { param };
	int n = db_query_row(db, stmt, p, &org_map, out);

	if (n < 0)
		return n;
	if (n != 1) {
		snprintf(db->error, sizeof db->error, "%s", why);
		return DB_FAILED;
	}
	return DB_OK;
}

int
org_get(struct db *db, const char *id, struct org *out)
{
	return org_one(db, &org_stmt_get, id, out, "no such organisation");
}

int
org_for_host(struct db *db, const char *host, struct org *out)
{
	return org_one(db, &org_stmt_for_host, host, out, "no default organisation");
}
