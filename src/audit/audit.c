/* audit.c: writing the audit log. */
#include "audit/audit.h"

static struct db_stmt audit_stmt_insert = DB_STMT("audit_insert", 10,
	"INSERT INTO audit_log (org_id, actor_kind, actor_id, action, subject_type, subject_id,"
	" patient_id, ip, request_id, details)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8::inet, $9, coalesce($10::jsonb, '{}'))");

int
audit_record(struct db *db, const struct audit_entry *e)
{
	const char *p[] = { e->org_id, e->actor_kind, e->actor_id, e->action, e->subject_type,
		e->subject_id, e->patient_id, e->ip, e->request_id, e->details_json };

	return db_exec(db, &audit_stmt_insert, p, NULL);
}
