/* The db `before` hook web installs (web_db_first_use): the first statement of a request
 * with a tenant opens its transaction; it refuses a statement after the request's
 * transaction ended, and one on a connection lost (or replaced) since the transaction
 * began, so no write can land outside the transaction its earlier writes were in. The
 * refusals come before any connection is made, so no database is needed here. */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/tap.h"

static struct db_stmt probe = DB_STMT("probe", 0, "SELECT 1");

int
main(void)
{
	struct web_app *app = calloc(1, sizeof *app);
	struct db *db = &app->db;
	PGresult *res = NULL;

	db_init(db, "host=/nonexistent dbname=none", 1, 1000);
	db->before = web_db_first_use;
	db->before_ctx = app;

	app->rq.tx_closed = true;
	is_int(db_query(db, &probe, NULL, &res), DB_FAILED, "a statement after the transaction ended: refused");
	is_str(db->error, "a statement after the request's transaction ended", "... saying so");
	ok(res == NULL, "... and nothing ran");

	memset(&app->rq, 0, sizeof app->rq);
	strcpy(app->rq.org_id, "00000000-0000-4000-8000-000000000001");
	app->rq.in_tx = true;
	app->rq.tx_generation = db->generation;
	is_int(db_query(db, &probe, NULL, &res), DB_UNAVAILABLE,
	    "the connection the transaction was on is gone: refused, not reconnected");
	ok(db->conn == NULL, "... no new connection was made for it");

	/* a worker that reconnected meanwhile: a live connection, but not the transaction's */
	db->conn = (PGconn *)(void *)&probe;	/* never used: the hook refuses first */
	db->generation = app->rq.tx_generation + 1;
	is_int(web_db_first_use(db, app), DB_UNAVAILABLE, "a newer connection than the transaction's: refused");
	db->generation = app->rq.tx_generation;
	is_int(web_db_first_use(db, app), DB_OK, "the transaction's own connection: the statement runs");
	db->conn = NULL;

	/* the transaction's BEGIN goes with its first statement (db_begin_tenant sends nothing),
	 * but a worker with no connection to make answers DB_UNAVAILABLE at once */
	memset(&app->rq, 0, sizeof app->rq);
	strcpy(app->rq.org_id, "00000000-0000-4000-8000-000000000001");
	is_int(db_query(db, &probe, NULL, &res), DB_UNAVAILABLE, "no connection for the transaction: DB_UNAVAILABLE");
	ok(!app->rq.in_tx && !db_in_transaction(db), "... and no transaction is open");

	/* a transaction db rolled back itself (its set_config refused, a queued statement
	 * failed: t/integration/db-pipeline.t) lets no later statement run outside it */
	app->rq.in_tx = true;
	app->rq.tx_generation = db->generation;
	db->conn = (PGconn *)(void *)&probe;	/* never used: db refuses first */
	db->aborted = true;
	is_int(db_query(db, &probe, NULL, &res), DB_FAILED, "after a refused set_config: the statement is refused");
	is_str(db->error, "transaction failed earlier; rolled back", "... saying so");
	ok(db_in_transaction(db), "... the transaction stays the caller's to end");
	is_int(db_commit(db), DB_FAILED, "its commit fails");
	ok(!db->aborted, "... and ends it");
	db->conn = NULL;

	memset(&app->rq, 0, sizeof app->rq);
	is_int(web_db_first_use(db, app), DB_OK, "no tenant yet (its own lookup): runs without a transaction");
	ok(!app->rq.in_tx, "... and opens none");

	db_close(db);
	free(app);
	return tap_done();
}
