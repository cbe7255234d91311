/* org.c: organisations by host and by id (see org.h). The application role may read both
 * tables whatever the tenant (0006), so their statements are shared ones: they need no
 * tenant transaction. */
#include "org/org.h"

#include <string.h>

static struct db_stmt org_stmt_for_host = DB_STMT_SHARED("org_for_host", 1,
	"SELECT o.id, o.name, o.timezone FROM organisations o WHERE o.id = coalesce("
	" (SELECT org_id FROM organisation_domains WHERE host IN ($1, split_part($1, ':', 1))"
	"  ORDER BY length(host) DESC LIMIT 1),"
	" (SELECT id FROM organisations WHERE is_default))");

static struct db_stmt org_stmt_get = DB_STMT_SHARED("org_get", 1,
	"SELECT id, name, timezone FROM organisations WHERE id = $1::uuid");

/* The one row stmt finds for param as *out; DB_FAILED with why when there is none. */
static int
org_one(struct db *db, struct db_stmt *stmt, const char *param, struct org *out,
    const char *why)
{
	const char *p[] = { param };
	PGresult *res = NULL;
	int rc = db_query(db, stmt, p, &res);

	if (rc != DB_OK)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		snprintf(db->error, sizeof db->error, "%s", why);
		return DB_FAILED;
	}
	db_copy(out->id, sizeof out->id, res, 0, 0);
	db_copy(out->name, sizeof out->name, res, 0, 1);
	db_copy(out->timezone, sizeof out->timezone, res, 0, 2);
	PQclear(res);
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
