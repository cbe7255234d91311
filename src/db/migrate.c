/* migrate.c: forward-only schema migrations (OPS-4).
 *
 * Files are migrations/NNNN_name.sql. Each is applied in its own transaction together
 * with its schema_migrations row, so a failed migration leaves no trace. The file's
 * SHA-256 is recorded: editing an applied migration is an error, not a silent drift. */
#include "db/db.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Any constant will do; it only has to be the same for every kairos migrate. */
#define DB_MIGRATE_LOCK_KEY "7260531"
#define DB_VERSION_DIGITS   4

static const char db_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version text PRIMARY KEY,"
	" name text NOT NULL,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

static struct db_stmt db_stmt_applied = DB_STMT("db_migrations_applied", 0,
	"SELECT version, checksum FROM schema_migrations ORDER BY version");
static struct db_stmt db_stmt_record = DB_STMT("db_migrations_record", 3,
	"INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)");

static void
db_sha256_hex(const char *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* "0001_base.sql" → version "0001", name "base"; anything else is not a migration. */
static bool
db_migration_name_valid(const char *file)
{
	size_t n = strlen(file), i;

	if (n < DB_VERSION_DIGITS + 6 || strcmp(file + n - 4, ".sql") != 0)
		return false;
	for (i = 0; i < DB_VERSION_DIGITS; i++)
		if (!isdigit((unsigned char)file[i]))
			return false;
	if (file[DB_VERSION_DIGITS] != '_')
		return false;
	for (i = DB_VERSION_DIGITS + 1; i < n - 4; i++)
		if (!islower((unsigned char)file[i]) && !isdigit((unsigned char)file[i]) &&
		    file[i] != '_')
			return false;
	return true;
}

int
db_migrations_load(const char *dir, struct db_migrations *out, struct buf *err)
{
	struct buf why = BUF_INIT;
	char **names;
	size_t n;
	int rc = -1;

	out->items = NULL;
	out->count = 0;
	/* seed/ is a directory, so file_list skips it */
	if ((names = file_list(dir, NULL, &n, &why)) == NULL) {
		buf_printf(err, "migrations directory %s", buf_cstr(&why));
		buf_free(&why);
		return -1;
	}
	if (n > DB_MAX_MIGRATIONS) {
		buf_printf(err, "%s: more than %d migrations", dir, DB_MAX_MIGRATIONS);
		goto out;
	}
	out->items = xcalloc(n + 1, sizeof *out->items);
	for (size_t i = 0; i < n; i++) {
		struct db_migration *m = &out->items[out->count];
		char path[4096];
		size_t len;

		if (!db_migration_name_valid(names[i])) {
			buf_printf(err, "%s/%s: not a migration name (NNNN_lowercase_name.sql)", dir,
			    names[i]);
			goto out;
		}
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if ((m->sql = file_read(path, DB_MIGRATION_MAX_BYTES, &len, err)) == NULL)
			goto out;
		m->file = xstrdup(names[i]);
		m->version = xstrndup(names[i], DB_VERSION_DIGITS);
		m->name = xstrndup(names[i] + DB_VERSION_DIGITS + 1,
		    strlen(names[i]) - DB_VERSION_DIGITS - 5);
		db_sha256_hex(m->sql, len, m->checksum);
		out->count++;
		if (i > 0 && strcmp(m->version, out->items[out->count - 2].version) == 0) {
			buf_printf(err, "%s and %s share version %s", out->items[out->count - 2].file,
			    m->file, m->version);
			goto out;
		}
	}
	rc = 0;
out:
	file_list_free(names, n);
	return rc;
}

void
db_migrations_free(struct db_migrations *m)
{
	for (size_t i = 0; i < m->count; i++) {
		free(m->items[i].version);
		free(m->items[i].name);
		free(m->items[i].file);
		free(m->items[i].sql);
	}
	free(m->items);
	m->items = NULL;
	m->count = 0;
}

/* The checksum recorded for version, or NULL if it is not applied. */
static const char *
db_applied_checksum(PGresult *applied, const char *version)
{
	for (int r = 0; r < PQntuples(applied); r++)
		if (strcmp(PQgetvalue(applied, r, 0), version) == 0)
			return PQgetvalue(applied, r, 1);
	return NULL;
}

/* Fetches the applied set; a missing table is an empty set. */
static int
db_fetch_applied(struct db *db, PGresult **applied)
{
	int rc = db_query(db, &db_stmt_applied, NULL, applied);

	if (rc == DB_FAILED && strcmp(db->sqlstate, "42P01") == 0) {
		*applied = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
		return DB_OK;
	}
	return rc;
}

static int
db_check_edited(PGresult *applied, const struct db_migrations *m, struct buf *err)
{
	int problems = 0;

	for (size_t i = 0; i < m->count; i++) {
		const char *sum = db_applied_checksum(applied, m->items[i].version);

		if (sum != NULL && strcmp(sum, m->items[i].checksum) != 0) {
			buf_printf(err, "%s was changed after it was applied (checksum %.12s…, "
			    "recorded %.12s…); write a new migration instead\n", m->items[i].file,
			    m->items[i].checksum, sum);
			problems++;
		}
	}
	return problems;
}

int
db_migrate(struct db *db, const struct db_migrations *m, FILE *out, struct buf *err)
{
	PGresult *applied = NULL;
	int rc = -1, done = 0;

	if (db_connect(db) != DB_OK) {
		buf_printf(err, "cannot connect: %s", db->error);
		return -1;
	}
	/* Session-level lock: a second `kairos migrate` waits here, then finds nothing to do. */
	if (db_exec_simple(db, "SELECT pg_advisory_lock(" DB_MIGRATE_LOCK_KEY ")") != DB_OK ||
	    db_exec_simple(db, db_schema_sql) != DB_OK) {
		buf_printf(err, "%s", db->error);
		return -1;
	}
	if (db_fetch_applied(db, &applied) != DB_OK) {
		buf_printf(err, "%s", db->error);
		goto unlock;
	}
	if (db_check_edited(applied, m, err) > 0)
		goto unlock;
	for (size_t i = 0; i < m->count; i++) {
		const struct db_migration *mg = &m->items[i];
		const char *params[3] = { mg->version, mg->name, mg->checksum };
		PGresult *res = NULL;

		if (db_applied_checksum(applied, mg->version) != NULL)
			continue;
		if (db_exec_simple(db, "BEGIN") != DB_OK ||
		    db_exec_simple(db, mg->sql) != DB_OK ||
		    db_query(db, &db_stmt_record, params, &res) != DB_OK ||
		    db_exec_simple(db, "COMMIT") != DB_OK) {
			buf_printf(err, "%s: %s", mg->file, db->error);
			PQclear(res);
			db_exec_simple(db, "ROLLBACK");
			goto unlock;
		}
		PQclear(res);
		fprintf(out, "applied %s\n", mg->file);
		done++;
	}
	if (done > 0)
		fprintf(out, "%d migration%s applied\n", done, done == 1 ? "" : "s");
	else
		fputs("database is up to date\n", out);
	rc = 0;
unlock:
	PQclear(applied);
	db_exec_simple(db, "SELECT pg_advisory_unlock(" DB_MIGRATE_LOCK_KEY ")");
	return rc;
}

int
db_migrate_status(struct db *db, const struct db_migrations *m, FILE *out, struct buf *err)
{
	PGresult *applied = NULL;
	int behind = 0;

	if (db_fetch_applied(db, &applied) != DB_OK) {
		buf_printf(err, "%s", db->error);
		return -1;
	}
	for (size_t i = 0; i < m->count; i++) {
		const char *sum = db_applied_checksum(applied, m->items[i].version);
		const char *state = sum == NULL ? "pending"
		    : strcmp(sum, m->items[i].checksum) == 0 ? "applied" : "CHANGED";

		if (sum == NULL || strcmp(state, "applied") != 0)
			behind = 1;
		fprintf(out, "%-8s %s\n", state, m->items[i].file);
	}
	for (int r = 0; r < PQntuples(applied); r++) {
		bool known = false;

		for (size_t i = 0; i < m->count && !known; i++)
			known = strcmp(m->items[i].version, PQgetvalue(applied, r, 0)) == 0;
		if (!known)
			fprintf(out, "%-8s %s (no file in this build)\n", "unknown",
			    PQgetvalue(applied, r, 0));
	}
	PQclear(applied);
	return behind;
}

int
db_migrations_current(struct db *db, const struct db_migrations *m, struct buf *reason)
{
	PGresult *applied = NULL;
	int rc = db_fetch_applied(db, &applied);

	if (rc == DB_UNAVAILABLE) {
		buf_puts(reason, "database unreachable");
		return DB_UNAVAILABLE;
	}
	if (rc != DB_OK) {
		buf_printf(reason, "cannot read schema_migrations (SQLSTATE %s)", db->sqlstate);
		return 1;
	}
	rc = 0;
	for (size_t i = 0; i < m->count && rc == 0; i++) {
		const char *sum = db_applied_checksum(applied, m->items[i].version);

		if (sum == NULL) {
			buf_printf(reason, "migration %s is not applied", m->items[i].file);
			rc = 1;
		} else if (strcmp(sum, m->items[i].checksum) != 0) {
			buf_printf(reason, "migration %s differs from the applied one", m->items[i].file);
			rc = 1;
		}
	}
	PQclear(applied);
	return rc;
}

int
db_run_sql_dir(struct db *db, const char *dir, FILE *out, struct buf *err)
{
	char **names;
	size_t n;
	int rc = 0;

	if ((names = file_list(dir, ".sql", &n, err)) == NULL)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[4096];
		size_t len;
		char *sql;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if ((sql = file_read(path, DB_MIGRATION_MAX_BYTES, &len, err)) == NULL) {
			rc = -1;
			break;
		}
		if (db_exec_simple(db, "BEGIN") != DB_OK || db_exec_simple(db, sql) != DB_OK ||
		    db_exec_simple(db, "COMMIT") != DB_OK) {
			buf_printf(err, "%s: %s", names[i], db->error);
			db_exec_simple(db, "ROLLBACK");
			rc = -1;
		} else
			fprintf(out, "ran %s\n", names[i]);
		free(sql);
	}
	file_list_free(names, n);
	return rc;
}
