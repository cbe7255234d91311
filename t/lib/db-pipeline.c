/* db-pipeline: src/db's round trips against a real database, for t/integration/db-pipeline.t.
 *
 *   db-pipeline CONNINFO ORG ADMIN_CONNINFO
 *
 * CONNINFO is the web role's (row-level security applies), ORG a clinic's id, ADMIN_CONNINFO
 * a role that may end other backends. Prints TAP lines ("ok N - …", "not ok N - …") without
 * a plan, for the test to check one by one: a tenant transaction whose BEGIN and set_config
 * go with its first statement and whose queued statement goes with its COMMIT costs two
 * round trips; a refused set_config and a failed queued statement roll the transaction back;
 * a lost connection is DB_UNAVAILABLE; db_query_rows and db_query_row read a real result into
 * structs, and a cell that is not what its column says fails the read, naming the statement;
 * connections of one process each prepare a statement once, whichever ran it last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "../lib/tap.h"

#define PIPE_CONNECT_S 5
#define PIPE_STMT_MS   10000

static struct db_stmt pipe_tenant = DB_STMT("t_pipe_tenant", 0,
	"SELECT current_setting('kairos.org_id', true), pg_backend_pid()");
static struct db_stmt pipe_insert = DB_STMT("t_pipe_insert", 3,
	"INSERT INTO funnel_events (org_id, visit_id, step, created_at)"
	" VALUES ($1::uuid, $2, $3, now())");
static struct db_stmt pipe_count = DB_STMT("t_pipe_count", 1,
	"SELECT count(*) FROM funnel_events WHERE visit_id = $1");

static struct db_stmt pipe_broken = DB_STMT("t_pipe_broken", 0, "SELECT no_such_column FROM funnel_events");

static struct db_stmt pipe_rows = DB_STMT("t_pipe_rows", 1,
	"SELECT x, n FROM (VALUES ('a', 1), ('b', NULL), ('c', -3)) v(x, n)"
	" WHERE $1::text IS NULL OR x = $1 ORDER BY x");
static struct db_stmt pipe_rows_bad = DB_STMT("t_pipe_rows_bad", 0,
	"SELECT 'd' AS x, 'seven' AS n");

struct pipe_row {
	char x[2];
	int  n;
};

static const struct db_row_map pipe_row_map = DB_ROW_MAP(struct pipe_row,
	DB_COL_TEXT(struct pipe_row, x),
	DB_COL_INT(struct pipe_row, n));

static const char *org;

/* A visit id of its own for each check: 32 hex digits ending in n. */
static const char *
visit(int n)
{
	static char v[33];

	snprintf(v, sizeof v, "%032x", n);
	return v;
}

static long
count(struct db *db, int n)
{
	const char *p[] = { visit(n) };
	char v[24] = "-1";

	if (db_begin_tenant(db, org) != DB_OK || db_query_value(db, &pipe_count, p, v, sizeof v) != DB_OK)
		diag("count: %s", db->error);
	db_rollback(db);
	return atol(v);
}

static int
insert(struct db *db, int n, const char *step, bool queued)
{
	const char *p[] = { org, visit(n), step };

	return queued ? db_queue(db, &pipe_insert, p) : db_exec(db, &pipe_insert, p, NULL);
}

/* The backend pid of db's connection, from a transaction of its own. */
static long
backend(struct db *db)
{
	PGresult *res = NULL;
	long pid = 0;

	if (db_begin_tenant(db, org) == DB_OK && db_query(db, &pipe_tenant, NULL, &res) == DB_OK)
		pid = atol(PQgetvalue(res, 0, 1));
	PQclear(res);
	db_rollback(db);
	return pid;
}

static void
terminate(const char *admin, long pid)
{
	PGconn *c = PQconnectdb(admin);
	char sql[96];

	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%ld)", pid);
	PQclear(PQexec(c, sql));
	PQfinish(c);
}

/* db_query_rows and db_query_row on a real result. */
static void
rows(struct db *db)
{
	struct pipe_row r[3] = { { "z", 9 }, { "z", 9 }, { "z", 9 } };
	const char *all[] = { NULL }, *c[] = { "c" }, *none[] = { "q" };

	ok(db_query_rows(db, &pipe_rows, all, &pipe_row_map, r, 2) == 2 && strcmp(r[0].x, "a") == 0 &&
	    r[0].n == 1 && strcmp(r[1].x, "b") == 0 && r[1].n == 0 && r[2].x[0] == 'z',
	    "db_query_rows: two of three rows, NULL read as 0, the third struct untouched");
	ok(db_query_row(db, &pipe_rows, all, &pipe_row_map, &r[2]) == 3 && r[2].x[0] == 'z',
	    "db_query_row: three rows are not one, the struct untouched");
	ok(db_query_row(db, &pipe_rows, none, &pipe_row_map, &r[2]) == 0 && r[2].x[0] == 'z',
	    "db_query_row: no row, the struct untouched");
	ok(db_query_row(db, &pipe_rows, c, &pipe_row_map, &r[2]) == 1 && strcmp(r[2].x, "c") == 0 &&
	    r[2].n == -3, "db_query_row: one row, read");
	ok(db_query_rows(db, &pipe_rows_bad, NULL, &pipe_row_map, r, 3) == DB_FAILED,
	    "a cell that is no int fails the read");
	is_str(db->error, "t_pipe_rows_bad: row 0 column 1 (n): not an int",
	    "... naming the statement and the cell");
}

/* The tenant statement on db, in a transaction for org: its round trips, or -1 when it failed. */
static long
tenant_trips(struct db *db)
{
	unsigned long before = db->round_trips;
	PGresult *res = NULL;
	int rc = db_begin_tenant(db, org) == DB_OK ? db_query(db, &pipe_tenant, NULL, &res) : DB_FAILED;

	PQclear(res);
	if (rc != DB_OK || db_commit(db) != DB_OK) {
		diag("tenant statement: %s", db->error);
		db_rollback(db);
		return -1;
	}
	return (long)(db->round_trips - before);
}

/* Two connections in one process (the job runner's owner and application role) share the
 * statements: each is prepared once on each connection, never taken as prepared on one
 * because it was on the other, nor prepared twice on one (which fails, and would abort the
 * transaction it is in). */
static unsigned long db_generation_of_first;

static void
two(const char *conninfo, const char *admin)
{
	struct db a, b;

	long t;

	db_init(&a, conninfo, PIPE_CONNECT_S, PIPE_STMT_MS);
	db_init(&b, admin, PIPE_CONNECT_S, PIPE_STMT_MS);
	/* a transaction of one statement: BEGIN, set_config and it, then COMMIT; on a new
	 * connection first the two statements are prepared, a round trip each */
	t = tenant_trips(&a);
	ok(t == 4, "a second connection prepares what the first has prepared (%ld round trips)", t);
	t = tenant_trips(&b);
	ok(t == 4, "a third likewise (%ld)", t);
	ok(a.generation != b.generation && a.generation != db_generation_of_first,
	    "each connection has a generation of its own (%lu, %lu)", a.generation, b.generation);
	t = tenant_trips(&a);
	ok(t == 2, "back on the second: nothing prepared again (%ld)", t);
	t = tenant_trips(&b);
	ok(t == 2, "nor on the third (%ld)", t);
	db_close(&a);
	db_close(&b);
}

int
main(int argc, char **argv)
{
	struct db db;
	PGresult *res = NULL;
	unsigned long before;
	long pid;

	if (argc != 4) {
		fprintf(stderr, "usage: db-pipeline CONNINFO ORG ADMIN_CONNINFO\n");
		return 2;
	}
	org = argv[2];
	db_init(&db, argv[1], PIPE_CONNECT_S, PIPE_STMT_MS);

	/* warm: the statements are prepared once per connection, each a round trip */
	ok(db_begin_tenant(&db, org) == DB_OK && insert(&db, 1, "service", true) == DB_OK &&
	    db_query(&db, &pipe_tenant, NULL, &res) == DB_OK && db_commit(&db) == DB_OK,
	    "a first transaction (prepares its statements)");
	PQclear(res);
	res = NULL;

	before = db.round_trips;
	ok(db_begin_tenant(&db, org) == DB_OK && db.round_trips == before, "BEGIN costs no round trip of its own");
	ok(db_query(&db, &pipe_tenant, NULL, &res) == DB_OK && strcmp(PQgetvalue(res, 0, 0), org) == 0,
	    "the first statement runs in the tenant's transaction");
	PQclear(res);
	res = NULL;
	ok(db.round_trips == before + 1, "... BEGIN, set_config and it: one round trip");
	ok(insert(&db, 2, "service", true) == DB_OK && db.round_trips == before + 1,
	    "a queued statement costs none of its own");
	ok(db_commit(&db) == DB_OK && db.round_trips == before + 2, "it goes with the COMMIT: two round trips in all");
	ok(count(&db, 2) == 1, "... and its row is committed");

	/* a queued statement that fails at the commit rolls the whole transaction back */
	ok(db_begin_tenant(&db, org) == DB_OK && insert(&db, 3, "service", false) == DB_OK,
	    "a write in a transaction");
	ok(insert(&db, 4, "no such step", true) == DB_OK, "... and a queued statement that will fail");
	ok(db_commit(&db) == DB_FAILED, "the commit fails");
	ok(strstr(db.error, "a queued statement failed") != NULL, "... saying why: %s", db.error);
	ok(!db_in_transaction(&db), "... and no transaction is open");
	ok(count(&db, 3) == 0 && count(&db, 4) == 0, "neither the write nor the queued row was kept");

	/* one that fails with a later statement fails the transaction */
	ok(db_begin_tenant(&db, org) == DB_OK && insert(&db, 5, "no such step", true) == DB_OK &&
	    insert(&db, 6, "service", false) == DB_FAILED, "a queued statement that fails fails the statement it went with");
	ok(insert(&db, 7, "service", false) == DB_FAILED, "... and every later one, unsent");
	ok(db_in_transaction(&db), "... while the caller's transaction is not ended");
	ok(db.conn != NULL && PQtransactionStatus(db.conn) == PQTRANS_IDLE,
	    "... though the server has rolled it back");
	ok(db_commit(&db) == DB_FAILED && !db_in_transaction(&db), "its commit fails and ends it");
	ok(count(&db, 5) + count(&db, 6) + count(&db, 7) == 0, "nothing of it was kept");

	/* a statement that cannot even be prepared: its BEGIN never goes, nor does what was queued */
	ok(db_begin_tenant(&db, org) == DB_OK && insert(&db, 12, "service", true) == DB_OK &&
	    db_query(&db, &pipe_broken, NULL, &res) == DB_FAILED && res == NULL,
	    "a statement that does not prepare fails (%s)", db.sqlstate);
	ok(insert(&db, 13, "service", false) == DB_FAILED, "... and no later one runs outside the transaction");
	ok(db_commit(&db) == DB_FAILED && !db_in_transaction(&db), "... whose commit fails");
	ok(count(&db, 12) + count(&db, 13) == 0, "... keeping nothing");

	/* a refused set_config: the tenant's id is no text the server accepts */
	ok(db_begin_tenant(&db, "\xff\xfe") == DB_OK, "a tenant whose set_config will be refused");
	ok(db_query(&db, &pipe_tenant, NULL, &res) == DB_FAILED && res == NULL, "the first statement fails");
	ok(strcmp(db.sqlstate, "22021") == 0, "... with set_config's error (%s): %s", db.sqlstate, db.error);
	ok(db.conn != NULL && PQtransactionStatus(db.conn) == PQTRANS_IDLE, "the transaction was rolled back");
	ok(insert(&db, 8, "service", false) == DB_FAILED, "no later statement runs outside it");
	db_rollback(&db);
	ok(!db_in_transaction(&db) && count(&db, 8) == 0, "rolled back: nothing kept, nothing open");
	ok(db_begin_tenant(&db, org) == DB_OK && insert(&db, 9, "service", false) == DB_OK &&
	    db_commit(&db) == DB_OK && count(&db, 9) == 1, "the connection serves the next transaction");

	/* a lost connection, on the first statement and on the commit */
	pid = backend(&db);
	ok(pid > 0, "the connection's backend: %ld", pid);
	terminate(argv[3], pid);
	ok(db_begin_tenant(&db, org) == DB_OK, "a transaction begun on a connection that is gone");
	ok(db_query(&db, &pipe_tenant, NULL, &res) == DB_UNAVAILABLE && res == NULL,
	    "its first statement: DB_UNAVAILABLE (%s)", db.error);
	ok(db.conn == NULL && !db_in_transaction(&db), "... the connection dropped, no transaction open");
	ok(db_begin_tenant(&db, org) == DB_OK && insert(&db, 10, "service", false) == DB_OK,
	    "the next transaction reconnects");
	res = PQexec(db.conn, "SELECT pg_backend_pid()");	/* inside the transaction */
	pid = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	ok(insert(&db, 11, "service", true) == DB_OK, "... queues a statement");
	terminate(argv[3], pid);
	ok(db_commit(&db) == DB_UNAVAILABLE, "the connection goes before the commit: DB_UNAVAILABLE");
	ok(db.conn == NULL && !db_in_transaction(&db), "... dropped, no transaction open");
	ok(count(&db, 10) == 0 && count(&db, 11) == 0, "nothing of it was kept");

	rows(&db);
	db_generation_of_first = db.generation;
	two(argv[1], argv[3]);
	db_close(&db);
	return tap_done();
}
