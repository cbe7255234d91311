/* tenant.c: which organisation a request is for. Until tenancy lands (AUTH-7: Host →
 * organisation), every request is for the default organisation. */
#include "web/web.h"

static struct db_stmt web_stmt_default_org = DB_STMT("web_default_org", 0,
	"SELECT id FROM organisations WHERE is_default");

int
web_org_id(struct web_app *app, char out[37])
{
	return db_query_value(&app->db, &web_stmt_default_org, NULL, out, 37);
}
