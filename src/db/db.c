/* db.c: the connection, lazily opened, with statements prepared once per connection. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

static void
db_set_error(struct db *db, const PGresult *res, const char *fallback)
{
	const char *msg = NULL, *state = NULL;

	if (res != NULL) {
		msg = PQresultErrorMessage(res);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	if ((msg == NULL || *msg == '\0') && db->conn != NULL)
		msg = PQerrorMessage(db->conn);
	snprintf(db->error, sizeof db->error, "%s", msg && *msg ? msg : fallback);
	/* libpq messages end in a newline; logs want one line */
	for (char *p = db->error; *p; p++)
		if (*p == '\n')
			*p = ' ';
	snprintf(db->sqlstate, sizeof db->sqlstate, "%s", state ? state : "");
}

void
db_init(struct db *db, const char *conninfo, int connect_timeout, long statement_timeout_ms)
{
	memset(db, 0, sizeof *db);
	db->conninfo = xstrdup(conninfo);
	db->connect_timeout = connect_timeout;
	db->statement_timeout_ms = statement_timeout_ms;
}

void
db_disconnect(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
}

void
db_close(struct db *db)
{
	db_disconnect(db);
	free(db->conninfo);
	db->conninfo = NULL;
}

int
db_connect(struct db *db)
{
	char timeout[16], options[64];
	const char *keys[] = { "dbname", "connect_timeout", "application_name", "options", NULL };
	const char *vals[] = { db->conninfo, timeout, "kairos", options, NULL };

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return DB_OK;
	db_disconnect(db);
	snprintf(timeout, sizeof timeout, "%d", db->connect_timeout);
	snprintf(options, sizeof options, "-c statement_timeout=%ld", db->statement_timeout_ms);
	/* expand_dbname: conninfo may be a full connection string or URI */
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		db_set_error(db, NULL, "connection failed");
		db_disconnect(db);
		return DB_UNAVAILABLE;
	}
	db->generation++;
	db->sqlstate[0] = '\0';
	return DB_OK;
}

/* Whether a failure means the server or the link is gone rather than the statement being
 * wrong: class 08 (connection exception), 57P01-57P03 (shutdown, crash, starting up), or no
 * SQLSTATE at all (libpq's own "server closed the connection unexpectedly"). libpq may
 * still report CONNECTION_OK at that point, so the status alone is not enough. */
static bool
db_connection_lost(const struct db *db)
{
	const char *s = db->sqlstate;

	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return true;
	return s[0] == '\0' || strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0 ||
	    strcmp(s, "57P02") == 0 || strcmp(s, "57P03") == 0;
}

/* A failure that took the connection with it is reported as DB_UNAVAILABLE and the
 * connection dropped, so the next call reconnects. */
static int
db_classify_failure(struct db *db, PGresult *res)
{
	db_set_error(db, res, "query failed");
	if (db_connection_lost(db)) {
		db_disconnect(db);
		return DB_UNAVAILABLE;
	}
	return DB_FAILED;
}

/* Names a statement in db->trace, if set (db.h). */
static void
db_trace(struct db *db, const char *name, size_t n)
{
	if (db->trace == NULL)
		return;
	buf_append(db->trace, name, n);
	buf_putc(db->trace, ' ');
}

static int
db_prepare(struct db *db, struct db_stmt *stmt)
{
	PGresult *res;
	int rc = DB_OK;

	if (stmt->prepared_on == db->generation)
		return DB_OK;
	res = PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = db_classify_failure(db, res);
	else
		stmt->prepared_on = db->generation;
	PQclear(res);
	return rc;
}

int
db_query(struct db *db, struct db_stmt *stmt, const char *const *params, PGresult **out)
{
	ExecStatusType st;
	PGresult *res;
	int rc;

	*out = NULL;
	if (db->before != NULL && !stmt->shared) {
		int (*before)(struct db *, void *) = db->before;

		db->before = NULL;	/* its own statements run as they are */
		rc = before(db, db->before_ctx);
		db->before = before;
		if (rc != DB_OK)
			return rc;
	}
	if ((rc = db_connect(db)) != DB_OK)
		return rc;
	if ((rc = db_prepare(db, stmt)) != DB_OK)
		return rc;
	db_trace(db, stmt->name, strlen(stmt->name));
	res = PQexecPrepared(db->conn, stmt->name, stmt->nparams, params, NULL, NULL, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		rc = db_classify_failure(db, res);
		PQclear(res);
		return rc;
	}
	db->sqlstate[0] = '\0';
	*out = res;
	return DB_OK;
}

int
db_exec(struct db *db, struct db_stmt *stmt, const char *const *params, long *changed)
{
	PGresult *res = NULL;
	int rc = db_query(db, stmt, params, &res);

	if (changed != NULL)
		*changed = rc == DB_OK ? atol(PQcmdTuples(res)) : 0;
	PQclear(res);
	return rc;
}

void
db_copy(char *out, size_t size, const PGresult *res, int row, int col)
{
	snprintf(out, size, "%s", PQgetvalue(res, row, col));
}

const char *
db_now(char out[DB_NOW_SIZE])
{
	snprintf(out, DB_NOW_SIZE, "%lld", clock_now_us());
	return out;
}

int
db_query_value(struct db *db, struct db_stmt *stmt, const char *const *params, char *out,
    size_t size)
{
	PGresult *res = NULL;
	int rc = db_query(db, stmt, params, &res);

	if (rc == DB_OK && PQntuples(res) == 1)
		db_copy(out, size, res, 0, 0);
	else if (rc == DB_OK) {
		snprintf(db->error, sizeof db->error, "%s: %d rows, expected one", stmt->name,
		    PQntuples(res));
		rc = DB_FAILED;
	}
	PQclear(res);
	return rc;
}

int
db_exec_simple(struct db *db, const char *sql)
{
	ExecStatusType st;
	PGresult *res;
	int rc;

	if ((rc = db_connect(db)) != DB_OK)
		return rc;
	db_trace(db, sql, strcspn(sql, " ;"));
	res = PQexec(db->conn, sql);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		rc = db_classify_failure(db, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	return DB_OK;
}

static struct db_stmt db_stmt_set_org = DB_STMT("db_set_org", 1,
	"SELECT set_config('kairos.org_id', $1, true)");

int
db_set_tenant(struct db *db, const char *org_id)
{
	const char *p[] = { org_id };

	return db_exec(db, &db_stmt_set_org, p, NULL);
}

int
db_begin_tenant(struct db *db, const char *org_id)
{
	int rc;

	if ((rc = db_exec_simple(db, "BEGIN")) != DB_OK)
		return rc;
	if ((rc = db_set_tenant(db, org_id)) != DB_OK)
		db_rollback(db);
	return rc;
}

bool
db_in_transaction(const struct db *db)
{
	return db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE;
}

int
db_commit(struct db *db)
{
	/* COMMIT of a failed transaction "succeeds" as a ROLLBACK: refuse it by name */
	if (db->conn != NULL && PQtransactionStatus(db->conn) == PQTRANS_INERROR) {
		db_exec_simple(db, "ROLLBACK");
		snprintf(db->error, sizeof db->error, "transaction failed earlier; rolled back");
		return DB_FAILED;
	}
	return db_exec_simple(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	if (db_in_transaction(db))
		db_exec_simple(db, "ROLLBACK");
}

/* Row-level security holds only for a role that is no superuser, cannot bypass it and owns
 * no table (migrations/0006_auth.sql); a deployment that serves as the owner is not safe. */
static struct db_stmt db_stmt_role_unsafe = DB_STMT_SHARED("db_role_unsafe", 0,
	"SELECT rolsuper OR rolbypassrls OR EXISTS (SELECT 1 FROM pg_tables"
	"  WHERE schemaname = 'public' AND tableowner = current_user)"
	" FROM pg_roles WHERE rolname = current_user");

int
db_role_unsafe(struct db *db, bool *unsafe)
{
	char v[8] = "";
	int rc = db_query_value(db, &db_stmt_role_unsafe, NULL, v, sizeof v);

	*unsafe = rc == DB_OK && strcmp(v, "t") == 0;
	return rc;
}
