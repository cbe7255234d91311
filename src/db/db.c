/* db.c: the connection, lazily opened, with statements prepared once per connection. */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

/* The last connection generation given out in this process (db.h: struct db). */
static unsigned long db_generations;
/* Room for the statements of a connection's list at first: a worker prepares about this many. */
#define DB_PREPARED_INITIAL 64

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

/* Drops what the next round trip would have carried. */
static void
db_forget(struct db *db)
{
	for (size_t i = 0; i < db->nqueued; i++)
		for (size_t k = 0; k < DB_QUEUE_PARAMS_MAX; k++)
			free(db->queue[i].params[k]);
	memset(db->queue, 0, sizeof db->queue);
	db->nqueued = 0;
	db->begin_pending = false;
}

void
db_disconnect(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->nprepared = 0;	/* they went with the connection */
	db_forget(db);
	db->aborted = false;
}

void
db_close(struct db *db)
{
	db_disconnect(db);
	free(db->conninfo);
	db->conninfo = NULL;
	free(db->prepared);
	db->prepared = NULL;
	db->prepared_cap = 0;
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
	/* unique in the process (db.h): several connections' statements are told apart */
	db->generation = __atomic_add_fetch(&db_generations, 1, __ATOMIC_RELAXED);
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

/* Prepares stmt on db's connection unless it is already. prepared_on answers at once for
 * a process with one connection; a process with more (the job runner) looks a statement last
 * used on another connection up in this one's list, since preparing it twice on one
 * connection fails (and would abort an open transaction). */
static int
db_prepare(struct db *db, struct db_stmt *stmt)
{
	PGresult *res;
	int rc = DB_OK;

	if (stmt->prepared_on == db->generation)
		return DB_OK;
	for (size_t i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == stmt) {
			stmt->prepared_on = db->generation;
			return DB_OK;
		}
	res = PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL);
	db->round_trips++;
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = db_classify_failure(db, res);
	else {
		stmt->prepared_on = db->generation;
		if (db->nprepared == db->prepared_cap) {
			db->prepared_cap = db->prepared_cap ? db->prepared_cap * 2 : DB_PREPARED_INITIAL;
			db->prepared = xrealloc(db->prepared, db->prepared_cap * sizeof *db->prepared);
		}
		db->prepared[db->nprepared++] = stmt;
	}
	PQclear(res);
	return rc;
}

static struct db_stmt db_stmt_set_org = DB_STMT("db_set_org", 1,
	"SELECT set_config('kairos.org_id', $1, true)");

/* Runs the before hook for stmt (not for the statements the hook runs itself). */
static int
db_run_before(struct db *db, const struct db_stmt *stmt)
{
	int (*before)(struct db *, void *) = db->before;
	int rc;

	if (before == NULL || stmt->shared)
		return DB_OK;
	db->before = NULL;	/* its own statements run as they are */
	rc = before(db, db->before_ctx);
	db->before = before;
	return rc;
}

/* What one round trip carries, in the order it goes. */
enum db_part { DB_PART_BEGIN, DB_PART_TENANT, DB_PART_QUEUED, DB_PART_STMT, DB_PART_COMMIT };

#define DB_PARTS_MAX (DB_QUEUE_MAX + 4)

/* Sends part k of a round trip (pipelined). 1, or 0 when libpq could not queue it. */
static int
db_send_part(struct db *db, enum db_part k, size_t queued, struct db_stmt *stmt,
    const char *const *params)
{
	const char *org[] = { db->begin_org };
	const char *name = k == DB_PART_BEGIN ? "BEGIN" : k == DB_PART_TENANT ? db_stmt_set_org.name :
	    k == DB_PART_QUEUED ? db->queue[queued].stmt->name : k == DB_PART_STMT ? stmt->name : "COMMIT";

	db_trace(db, name, strlen(name));
	switch (k) {
	case DB_PART_BEGIN:
		return PQsendQueryParams(db->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
	case DB_PART_TENANT:
		return PQsendQueryPrepared(db->conn, db_stmt_set_org.name, 1, org, NULL, NULL, 0);
	case DB_PART_QUEUED:
		return PQsendQueryPrepared(db->conn, db->queue[queued].stmt->name,
		    db->queue[queued].stmt->nparams, (const char *const *)db->queue[queued].params,
		    NULL, NULL, 0);
	case DB_PART_STMT:
		return PQsendQueryPrepared(db->conn, stmt->name, stmt->nparams, params, NULL, NULL, 0);
	case DB_PART_COMMIT:
		return PQsendQueryParams(db->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
	}
	return 0;
}

/* Rolls back a transaction the server holds failed, after a part that was not the caller's
 * statement failed: db->aborted keeps every later statement out until the caller ends it. */
static void
db_abort(struct db *db)
{
	PGresult *res;

	if (db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
		db_trace(db, "ROLLBACK", 8);
		res = PQexec(db->conn, "ROLLBACK");
		db->round_trips++;
		PQclear(res);
	}
	db->aborted = true;
}

/* One round trip: the pending BEGIN and tenant, the queued statements, then stmt (with
 * params; its result in *out, the caller's) or, with commit, COMMIT; pipelined (libpq's
 * pipeline mode) and ended by one Sync, so they cost one wait for the server however many
 * they are. The queue is emptied whatever happens.
 *
 * A part that fails makes the server skip the rest up to the Sync. A lost connection is
 * DB_UNAVAILABLE (and the connection is dropped). A refused BEGIN, tenant or queued
 * statement rolls the transaction back and sets db->aborted; so does a failed commit; the
 * caller's own statement failing leaves the transaction failed, as it always did. */
static int
db_round_trip(struct db *db, struct db_stmt *stmt, const char *const *params, bool commit,
    PGresult **out)
{
	enum db_part parts[DB_PARTS_MAX];
	size_t nparts = 0, queued = 0;
	PGresult *res, *mine = NULL, *failure = NULL;
	enum db_part failed = DB_PART_STMT;
	bool lost = false;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (db->aborted) {
		db_forget(db);
		snprintf(db->error, sizeof db->error, "transaction failed earlier; rolled back");
		return DB_FAILED;
	}
	if ((rc = db_connect(db)) != DB_OK) {
		db_forget(db);
		return rc;
	}
	/* statements are prepared once per connection, outside the pipeline */
	if (db->begin_pending && (rc = db_prepare(db, &db_stmt_set_org)) != DB_OK)
		goto forget;
	for (size_t i = 0; i < db->nqueued; i++)
		if ((rc = db_prepare(db, db->queue[i].stmt)) != DB_OK)
			goto forget;
	if (stmt != NULL && (rc = db_prepare(db, stmt)) != DB_OK)
		goto forget;

	if (db->begin_pending) {
		parts[nparts++] = DB_PART_BEGIN;
		parts[nparts++] = DB_PART_TENANT;
	}
	for (size_t i = 0; i < db->nqueued; i++)
		parts[nparts++] = DB_PART_QUEUED;
	if (stmt != NULL)
		parts[nparts++] = DB_PART_STMT;
	if (commit)
		parts[nparts++] = DB_PART_COMMIT;
	if (nparts == 0)
		return DB_OK;
	if (!PQenterPipelineMode(db->conn)) {
		rc = db_classify_failure(db, NULL);
		goto forget;
	}
	for (size_t i = 0; i < nparts; i++)
		if (!db_send_part(db, parts[i], parts[i] == DB_PART_QUEUED ? queued++ : 0, stmt, params)) {
			rc = db_classify_failure(db, NULL);
			goto forget;
		}
	if (!PQpipelineSync(db->conn)) {
		rc = db_classify_failure(db, NULL);
		goto forget;
	}
	db->round_trips++;
	db_forget(db);

	/* each part's result, then the NULL that ends it; then the Sync's */
	for (size_t i = 0; i < nparts && !lost; i++) {
		ExecStatusType st;

		if ((res = PQgetResult(db->conn)) == NULL) {
			lost = true;
			break;
		}
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			if (parts[i] == DB_PART_STMT)
				mine = res;
			else
				PQclear(res);
		} else if (st == PGRES_PIPELINE_ABORTED) {
			PQclear(res);
		} else if (failure == NULL) {
			failure = res;	/* the first: the parts after it were skipped */
			failed = parts[i];
		} else
			PQclear(res);
		if (PQstatus(db->conn) != CONNECTION_OK) {
			lost = true;
			break;
		}
		while ((res = PQgetResult(db->conn)) != NULL) {
			if (PQresultStatus(res) == PGRES_FATAL_ERROR && failure == NULL) {
				failure = res;
				failed = parts[i];
			} else
				PQclear(res);
		}
	}
	if (!lost) {
		res = PQgetResult(db->conn);
		lost = res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC;
		PQclear(res);
	}
	if (lost || !PQexitPipelineMode(db->conn)) {
		/* the results did not come as sent: only a broken connection does that */
		rc = db_classify_failure(db, failure);
		if (rc != DB_UNAVAILABLE) {
			db_disconnect(db);
			rc = DB_UNAVAILABLE;
		}
		PQclear(failure);
		PQclear(mine);
		return rc;
	}
	if (failure != NULL) {
		rc = db_classify_failure(db, failure);
		PQclear(failure);
		PQclear(mine);
		if (rc == DB_UNAVAILABLE)
			return rc;
		if (failed == DB_PART_QUEUED) {
			/* the error is the queued statement's, not the caller's */
			static const char prefix[] = "a queued statement failed: ";
			size_t keep = sizeof db->error - sizeof prefix;

			memmove(db->error + sizeof prefix - 1, db->error, keep);
			db->error[sizeof db->error - 1] = '\0';
			memcpy(db->error, prefix, sizeof prefix - 1);
		}
		if (failed != DB_PART_STMT)
			db_abort(db);
		return DB_FAILED;
	}
	db->sqlstate[0] = '\0';
	if (out != NULL)
		*out = mine;
	else
		PQclear(mine);
	return DB_OK;
forget:
	/* nothing went out; a BEGIN or a queued write that never will fails the transaction
	 * (a lost connection has ended it already) */
	if (rc != DB_UNAVAILABLE && (db->begin_pending || db->nqueued > 0))
		db->aborted = true;
	db_forget(db);
	return rc;
}

int
db_query(struct db *db, struct db_stmt *stmt, const char *const *params, PGresult **out)
{
	int rc;

	*out = NULL;
	if ((rc = db_run_before(db, stmt)) != DB_OK)
		return rc;
	return db_round_trip(db, stmt, params, false, out);
}

int
db_queue(struct db *db, struct db_stmt *stmt, const char *const *params)
{
	struct db_queued *q;
	int rc;

	if (db->nqueued == DB_QUEUE_MAX || stmt->nparams > DB_QUEUE_PARAMS_MAX) {
		snprintf(db->error, sizeof db->error, "%s: cannot be queued (%zu queued, %d parameters)",
		    stmt->name, db->nqueued, stmt->nparams);
		return DB_FAILED;
	}
	if ((rc = db_run_before(db, stmt)) != DB_OK)
		return rc;
	if (db->aborted) {
		snprintf(db->error, sizeof db->error, "transaction failed earlier; rolled back");
		return DB_FAILED;
	}
	q = &db->queue[db->nqueued++];
	q->stmt = stmt;
	for (int i = 0; i < stmt->nparams; i++)
		q->params[i] = params[i] != NULL ? xstrdup(params[i]) : NULL;
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
	/* what a pending round trip carries goes first, in order */
	if ((db->begin_pending || db->nqueued > 0) &&
	    (rc = db_round_trip(db, NULL, NULL, false, NULL)) != DB_OK)
		return rc;
	db_trace(db, sql, strcspn(sql, " ;"));
	res = PQexec(db->conn, sql);
	db->round_trips++;
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		rc = db_classify_failure(db, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	return DB_OK;
}

int
db_set_tenant(struct db *db, const char *org_id)
{
	const char *p[] = { org_id };

	if (db->begin_pending) {
		/* not sent yet: the transaction opens for this one */
		if (strlen(org_id) >= sizeof db->begin_org) {
			snprintf(db->error, sizeof db->error, "tenant id too long");
			return DB_FAILED;
		}
		snprintf(db->begin_org, sizeof db->begin_org, "%s", org_id);
		return DB_OK;
	}
	return db_exec(db, &db_stmt_set_org, p, NULL);
}

int
db_begin_tenant(struct db *db, const char *org_id)
{
	int rc;

	if (strlen(org_id) >= sizeof db->begin_org) {
		snprintf(db->error, sizeof db->error, "tenant id too long");
		return DB_FAILED;
	}
	if ((rc = db_connect(db)) != DB_OK)
		return rc;
	db_forget(db);
	db->aborted = false;
	db->tx_serial++;
	snprintf(db->begin_org, sizeof db->begin_org, "%s", org_id);
	db->begin_pending = true;
	return DB_OK;
}

bool
db_in_transaction(const struct db *db)
{
	return db->begin_pending || db->aborted ||
	    (db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE);
}

int
db_commit(struct db *db)
{
	int rc;

	db->tx_serial++;
	if (db->aborted) {
		/* rolled back already, at the server (db_abort) */
		db_forget(db);
		db->aborted = false;
		snprintf(db->error, sizeof db->error, "transaction failed earlier; rolled back");
		return DB_FAILED;
	}
	/* COMMIT of a failed transaction "succeeds" as a ROLLBACK: refuse it by name */
	if (db->conn != NULL && PQtransactionStatus(db->conn) == PQTRANS_INERROR) {
		db_rollback(db);
		snprintf(db->error, sizeof db->error, "transaction failed earlier; rolled back");
		return DB_FAILED;
	}
	if (db->begin_pending && db->nqueued == 0) {
		db_forget(db);	/* nothing ran in it: nothing to send */
		return DB_OK;
	}
	rc = db_round_trip(db, NULL, NULL, true, NULL);
	if (db->aborted) {
		db->aborted = false;	/* db_round_trip rolled it back: it has ended */
		return DB_FAILED;
	}
	/* a COMMIT that fails has ended the transaction; a queued statement's failure made it
	 * roll back: either way, none is open now */
	return rc;
}

void
db_rollback(struct db *db)
{
	db->tx_serial++;
	db_forget(db);
	db->aborted = false;
	if (db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		db_exec_simple(db, "ROLLBACK");
}

/* Row-level security holds only for a role that is no superuser, cannot bypass it and owns
 * no table (migrations/0006_auth.sql); a deployment that serves as the owner is not safe.
 * Nor is a member of such a role, directly or through others: it has the owner's rights (or
 * can SET ROLE to them), and PostgreSQL skips the policies for whoever acts as the owner. */
static struct db_stmt db_stmt_role_unsafe = DB_STMT_SHARED("db_role_unsafe", 0,
	"SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE (r.rolsuper OR r.rolbypassrls)"
	"  AND pg_has_role(current_user, r.oid, 'MEMBER'))"
	" OR EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public'"
	"  AND pg_has_role(current_user, tableowner, 'MEMBER'))");

int
db_role_unsafe(struct db *db, bool *unsafe)
{
	char v[8] = "";
	int rc = db_query_value(db, &db_stmt_role_unsafe, NULL, v, sizeof v);

	*unsafe = rc == DB_OK && strcmp(v, "t") == 0;
	return rc;
}
