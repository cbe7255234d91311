/* tenant.c: which organisation a request is for. Until tenancy lands (AUTH-7: Host →
 * organisation), every request is for the default organisation. */
#include "web/web.h"

#include <stdio.h>

static struct db_stmt web_stmt_default_org = DB_STMT("web_default_org", 0,
	"SELECT id FROM organisations WHERE is_default");

int
web_org_id(struct web_app *app, char out[37])
{
	PGresult *res = NULL;
	int rc = db_query(&app->db, &web_stmt_default_org, NULL, &res);

	if (rc == DB_OK && PQntuples(res) == 1)
		snprintf(out, 37, "%s", PQgetvalue(res, 0, 0));
	else if (rc == DB_OK)
		rc = DB_FAILED;
	PQclear(res);
	return rc;
}
