/* db: a PostgreSQL connection, opened lazily and re-opened after it drops (a process keeps
 * one, the job runner two: the owner's and the application role's);
 * prepared statements registered once per connection; migrations.
 *
 * Statements are declared where their table lives (ARCHITECTURE.md), as static
 * struct db_stmt values, and prepared on first use on each connection. */
#ifndef KAIROS_DB_H
#define KAIROS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "core/core.h"

#define DB_ERROR_SIZE        256
/* A tenant's id as db_begin_tenant keeps it until it goes out: a uuid, with room. */
#define DB_ORG_SIZE          64
/* Statements a transaction may queue for its next round trip (db_queue), and the
 * parameters each may have: a step queues its one funnel event. */
#define DB_QUEUE_MAX         4
#define DB_QUEUE_PARAMS_MAX  16
#define DB_MIGRATION_MAX_BYTES (4 * 1024 * 1024)
#define DB_MAX_MIGRATIONS    10000

enum db_result {
	DB_OK          = 0,
	DB_UNAVAILABLE = -1,	/* no connection: the caller answers 503 and the next call reconnects */
	DB_FAILED      = -2,	/* the statement failed; sqlstate and error say why */
};

struct db_stmt {
	const char   *name;		/* unique across Kairos, prefixed by module: "web_home_org" */
	const char   *sql;
	int           nparams;
	unsigned long prepared_on;	/* the connection generation it was last prepared on or
					 * found prepared on (db_prepare) */
	bool          shared;		/* reads only tables every organisation shares (no
					 * row-level security): it needs no tenant, so the
					 * db's before hook is not run for it */
};

#define DB_STMT(name, nparams, sql) { (name), (sql), (nparams), 0, false }
#define DB_STMT_SHARED(name, nparams, sql) { (name), (sql), (nparams), 0, true }

/* The settable wall clock (core/clock.h) in SQL, as a timestamptz: parameter $n holds
 * db_now()'s text. A statement that decides by time (expiry, lockout, windows, due) uses it,
 * never now(), so a test that moves the clock moves the decision too. */
#define DB_NOW(n) "(timestamptz 'epoch' + $" #n "::bigint * interval '1 microsecond')"
/* Room for DB_NOW's parameter: microseconds since the epoch, in decimal. */
#define DB_NOW_SIZE 24
/* The wall clock now (clock_now_us()) as DB_NOW's parameter text, in out. Returns out. */
const char *db_now(char out[DB_NOW_SIZE]);

/* A statement queued by db_queue: its parameters copied (NULL for SQL NULL), owned by db. */
struct db_queued {
	struct db_stmt *stmt;
	char           *params[DB_QUEUE_PARAMS_MAX];
};

struct db {
	PGconn       *conn;		/* NULL while disconnected */
	char         *conninfo;	/* owned */
	int           connect_timeout;
	long          statement_timeout_ms;
	/* Names the connection: unique among every db of the process, so a statement's
	 * prepared_on names one connection even where a process keeps two (the job runner's
	 * owner and application role connections). */
	unsigned long generation;
	/* The statements prepared on this connection, for when a statement's prepared_on names
	 * another connection of the process: owned, emptied when the connection drops. */
	struct db_stmt **prepared;
	size_t        nprepared, prepared_cap;
	char          sqlstate[6];	/* of the last failure, "" if none */
	char          error[DB_ERROR_SIZE];	/* for logs, never for users */
	/* Called before each statement while set (not for the statements it runs itself): opens
	 * what the caller's statements must run in, e.g. web/'s tenant transaction on first
	 * use. A result other than DB_OK fails the statement with that result. */
	int         (*before)(struct db *db, void *ctx);
	void         *before_ctx;
	/* While set, every statement run is named in it, one word each and a space after:
	 * a prepared statement by its name, BEGIN, COMMIT and ROLLBACK by their SQL. Tests
	 * compare what two requests did with it (web/'s X-Kairos-Work, only with
	 * KAIROS_DEBUG_ROUTES). Borrowed; NULL in production, where it costs nothing. */
	struct buf   *trace;
	/* What the next round trip carries before its statement (docs/architecture.md, "The
	 * request's round trips"): a BEGIN and the tenant's set_config (db_begin_tenant), then
	 * the queued statements (db_queue), in order, pipelined. */
	bool          begin_pending;
	char          begin_org[DB_ORG_SIZE];
	struct db_queued queue[DB_QUEUE_MAX];
	size_t        nqueued;
	/* The transaction was rolled back by db itself (its BEGIN or tenant refused, a queued
	 * statement failed): every statement fails until db_commit or db_rollback ends it, so
	 * none runs outside the transaction its caller thinks it is in. */
	bool          aborted;
	unsigned long round_trips;	/* waits for the server, for tests and benchmarks */
	/* Bumped when a transaction begins or ends: with generation, names the transaction a
	 * caller's per-transaction memo belongs to. */
	unsigned long tx_serial;
};

void db_init(struct db *db, const char *conninfo, int connect_timeout, long statement_timeout_ms);
void db_close(struct db *db);	/* disconnects and frees; db_init again to reuse */
/* Drops the connection (if any); the next call reconnects. */
void db_disconnect(struct db *db);
/* Connects if not connected. DB_OK or DB_UNAVAILABLE. */
int  db_connect(struct db *db);
/* Runs a prepared statement with text parameters. On DB_OK *res is a result the caller
 * owns (PQclear it); on failure *res is NULL. A broken connection is dropped. */
int  db_query(struct db *db, struct db_stmt *stmt, const char *const *params, PGresult **res);
/* Runs a statement whose rows are not wanted. *changed (may be NULL) gets how many rows it
 * inserted, updated or deleted. DB_OK or an error. */
int  db_exec(struct db *db, struct db_stmt *stmt, const char *const *params, long *changed);
/* Copies the text of field (row, col) of res into out: at most size - 1 bytes, cut back to
 * the start of a UTF-8 character, always terminated, as every text field of a row struct is
 * filled (db_rows). */
void db_copy(char *out, size_t size, const PGresult *res, int row, int col);

/* ---- result rows into structs (rows.c) ----
 *
 * A reader says once, in a table beside its statement, which field of its row struct each
 * column of the SELECT fills, in the SELECT's order; db_rows copies the rows so, instead of
 * a loop of db_copy and atoi in each reader:
 *
 *	static const struct db_row_map jobs_dead_map = DB_ROW_MAP(struct jobs_dead,
 *		DB_COL_TEXT(struct jobs_dead, id), ..., DB_COL_INT(struct jobs_dead, attempts));
 *
 * (at file scope: the table is a compound literal, static only there). The DB_COL_ macros
 * check the field's type when it builds: DB_COL_TEXT wants a char array, DB_COL_INT an
 * int, long or long long, DB_COL_BOOL a bool, DB_COL_ENUM an unsigned.
 *
 * How a column is read:
 *  - text: at most the field's size - 1 bytes, always terminated, cut back to the start of a
 *    UTF-8 character: db_copy's contract. The cut is silent: a field is sized for what its
 *    input allows, so only text stored longer than that (a provider's error) is cut, and a
 *    reader for which a cut would be wrong has its SELECT check the length.
 *  - integer: decimal, parsed with strtoll and checked: text that is not a whole number, or
 *    a number the field cannot hold, fails the read (DB_FAILED). The SELECT and the struct
 *    then disagree, a bug: no value is guessed.
 *  - bool: PostgreSQL's 't' or 'f'; anything else fails the read.
 *  - enum: a name the module's parse function turns into its code (auth_role_parse).
 *  - skip: a column the caller reads itself, or nobody.
 * NULL is "" for text, 0 for integers and enums (parse is not called), false for bools. */
enum db_col_type {
	DB_TYPE_SKIP,
	DB_TYPE_TEXT,
	DB_TYPE_INT,
	DB_TYPE_LONG,
	DB_TYPE_LLONG,
	DB_TYPE_BOOL,
	DB_TYPE_ENUM,
};

struct db_col {
	enum db_col_type type;
	size_t           offset;	/* of the field in its struct */
	size_t           size;		/* text: the field's bytes, its terminator's included */
	unsigned       (*parse)(const char *text);	/* enum: a name to its code */
};

/* How one result row becomes one struct: its columns in the SELECT's order (the SELECT may
 * have more after them), and the struct's size, how far apart rows lie in an array. */
struct db_row_map {
	const struct db_col *cols;
	size_t               ncols;
	size_t               size;
};

#define DB_FIELD_(type, field) (((type *)0)->field)
#define DB_COL_TEXT(type, field) { _Generic(&DB_FIELD_(type, field), \
	char (*)[sizeof DB_FIELD_(type, field)]: DB_TYPE_TEXT), offsetof(type, field), \
	sizeof DB_FIELD_(type, field), NULL }
#define DB_COL_INT(type, field) { _Generic(DB_FIELD_(type, field), int: DB_TYPE_INT, \
	long: DB_TYPE_LONG, long long: DB_TYPE_LLONG), offsetof(type, field), \
	sizeof DB_FIELD_(type, field), NULL }
#define DB_COL_BOOL(type, field) { _Generic(DB_FIELD_(type, field), bool: DB_TYPE_BOOL), \
	offsetof(type, field), sizeof DB_FIELD_(type, field), NULL }
#define DB_COL_ENUM(type, field, parse) { _Generic(DB_FIELD_(type, field), \
	unsigned: DB_TYPE_ENUM), offsetof(type, field), sizeof DB_FIELD_(type, field), (parse) }
#define DB_COL_SKIP { DB_TYPE_SKIP, 0, 0, NULL }
#define DB_ROW_MAP(type, ...) { (const struct db_col[]){ __VA_ARGS__ }, \
	sizeof ((const struct db_col[]){ __VA_ARGS__ }) / sizeof (struct db_col), sizeof (type) }

/* Fills rows[0..) (structs map->size bytes apart) from the first max rows of res, as map
 * says. Returns how many it filled, or DB_FAILED with why in error (DB_ERROR_SIZE bytes;
 * may be NULL) when res has fewer columns than map or a cell is not what its column says:
 * the rows before it are filled then, its own row partly. */
int  db_rows(const PGresult *res, const struct db_row_map *map, void *rows, int max,
	char *error);
/* Runs stmt and fills rows from its result with db_rows. How many, or a negative db_result
 * (db->error says why). */
int  db_query_rows(struct db *db, struct db_stmt *stmt, const char *const *params,
	const struct db_row_map *map, void *rows, int max);
/* Runs stmt and fills *row when it returns exactly one row (*row is untouched otherwise).
 * Returns how many rows it returned, or a negative db_result (db->error says why; a failed
 * read, DB_FAILED, may leave *row partly filled, as db_rows says). */
int  db_query_row(struct db *db, struct db_stmt *stmt, const char *const *params,
	const struct db_row_map *map, void *row);

/* Runs a statement expected to return exactly one row and copies its first column into out
 * (truncated to size). DB_OK; DB_FAILED when there is no such row (or more than one). */
int  db_query_value(struct db *db, struct db_stmt *stmt, const char *const *params, char *out,
	size_t size);
/* Queues a statement whose result nobody reads (a funnel event): params are copied, and it
 * goes out, in order, with the transaction's next round trip, the next statement's or the
 * COMMIT's, costing none of its own. Its failure fails that round trip: with a statement, the
 * transaction is left failed (every later statement fails, and its commit rolls back); with
 * db_commit, the transaction is rolled back and db_commit fails. Runs the before hook as a
 * statement does. DB_OK; DB_FAILED when the queue is full or stmt has more than
 * DB_QUEUE_PARAMS_MAX parameters; what the hook returned. */
int  db_queue(struct db *db, struct db_stmt *stmt, const char *const *params);
/* Runs SQL without parameters (BEGIN, COMMIT, migration text). DB_OK or an error. */
int  db_exec_simple(struct db *db, const char *sql);

/* Opens a transaction for organisation org_id (a uuid): row-level security then shows and
 * accepts only that organisation's rows (AUTH-7) until db_commit or db_rollback. It costs no
 * round trip of its own: BEGIN and the tenant's set_config go out pipelined with the first
 * statement (or the commit). If either is refused, that statement fails with their error
 * and the transaction is rolled back (db->aborted until it is ended); a lost connection is
 * DB_UNAVAILABLE, as for any statement. Connects now if need be: DB_OK or DB_UNAVAILABLE. */
int  db_begin_tenant(struct db *db, const char *org_id);
/* Switches the open transaction to organisation org_id (until it ends or the next switch). */
int  db_set_tenant(struct db *db, const char *org_id);
bool db_in_transaction(const struct db *db);
/* Commits, with the queued statements and a pending BEGIN in the same round trip. DB_FAILED
 * (rolled back) when the transaction had failed, a queued statement fails, or COMMIT does. */
int  db_commit(struct db *db);
/* Rolls back; a no-op when no transaction is open (also after a lost connection). */
void db_rollback(struct db *db);

/* Whether the connection's role would make row-level security moot: a superuser, a role
 * that bypasses it, or the tables' owner. DB_OK with *unsafe. */
int  db_role_unsafe(struct db *db, bool *unsafe);

/* ---- migrations (migrate.c) ---- */

struct db_migration {
	char *version;		/* "0001" */
	char *name;		/* "base" */
	char *file;		/* "0001_base.sql" */
	char *sql;		/* the file's text */
	char  checksum[65];	/* SHA-256, hex */
};

struct db_migrations {
	struct db_migration *items;	/* sorted by version */
	size_t               count;
};

/* Reads every NNNN_name.sql in dir (owned by out; db_migrations_free). 0, or -1 with a
 * message in err (unreadable dir, bad name, duplicate version, oversized file). */
int  db_migrations_load(const char *dir, struct db_migrations *out, struct buf *err);
void db_migrations_free(struct db_migrations *m);
/* Applies pending migrations in order, each in its own transaction, under an advisory
 * lock so concurrent runs wait. Lines of progress go to out. 0, or -1 with err set (an
 * applied migration whose file changed is an error, and nothing is applied then). */
int  db_migrate(struct db *db, const struct db_migrations *m, FILE *out, struct buf *err);
/* Prints each migration's state. 0 when all are applied and unchanged, 1 otherwise,
 * -1 with err on a database error. */
int  db_migrate_status(struct db *db, const struct db_migrations *m, FILE *out, struct buf *err);
/* For /readyz: 0 when every migration is applied with a matching checksum, 1 with a
 * reason when not, DB_UNAVAILABLE when the database cannot be reached. */
int  db_migrations_current(struct db *db, const struct db_migrations *m, struct buf *reason);
/* Runs each *.sql file of dir in name order, each in one transaction (demo data). */
int  db_run_sql_dir(struct db *db, const char *dir, FILE *out, struct buf *err);

/* db's keys (src/db/settings.c), and its check for `kairos doctor`: can it connect? */
extern const struct config_table db_settings;
bool db_doctor(const struct config *cfg, struct db *db, FILE *out);

#endif
