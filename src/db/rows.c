/* rows.c: result rows copied into structs by a column table (db.h, "result rows into
 * structs"), the one copy loop every reader of a fixed-size row uses. */
#include "db/db.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Cell (row, col)'s text into a field of size bytes (size >= 1), as db_copy says. */
static void
db_text_into(char *out, size_t size, const PGresult *res, int row, int col)
{
	const char *v = PQgetvalue(res, row, col);
	size_t n = utf8_cut(v, (size_t)PQgetlength(res, row, col), size - 1);

	memcpy(out, v, n);
	out[n] = '\0';
}

void
db_copy(char *out, size_t size, const PGresult *res, int row, int col)
{
	if (size > 0)
		db_text_into(out, size, res, row, col);
}

/* The whole number v is, if the integer field of type t can hold it: true with *out. */
static bool
db_integer(const char *v, enum db_col_type t, long long *out)
{
	static const struct { long long lo, hi; } range[] = {
		[DB_TYPE_INT] = { INT_MIN, INT_MAX },
		[DB_TYPE_LONG] = { LONG_MIN, LONG_MAX },
		[DB_TYPE_LLONG] = { LLONG_MIN, LLONG_MAX },
	};
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	return end != v && *end == '\0' && errno == 0 && *out >= range[t].lo &&
	    *out <= range[t].hi;
}

/* One cell into its field of the struct at base. false when it is not what col says. */
static bool
db_cell(const PGresult *res, int row, int c, const struct db_col *col, char *base)
{
	const char *v = PQgetvalue(res, row, c);
	bool null = PQgetisnull(res, row, c);
	void *field = base + col->offset;
	long long n = 0;

	switch (col->type) {
	case DB_TYPE_SKIP:
		return true;
	case DB_TYPE_TEXT:
		db_text_into(field, col->size, res, row, c);
		return true;
	case DB_TYPE_INT:
	case DB_TYPE_LONG:
	case DB_TYPE_LLONG:
		if (!null && !db_integer(v, col->type, &n))
			return false;
		if (col->type == DB_TYPE_INT)
			*(int *)field = (int)n;
		else if (col->type == DB_TYPE_LONG)
			*(long *)field = (long)n;
		else
			*(long long *)field = n;
		return true;
	case DB_TYPE_BOOL:
		if (!null && strcmp(v, "t") != 0 && strcmp(v, "f") != 0)
			return false;
		*(bool *)field = !null && *v == 't';
		return true;
	case DB_TYPE_ENUM:
		*(unsigned *)field = null ? 0 : col->parse(v);
		return true;
	}
	return false;
}

int
db_rows(const PGresult *res, const struct db_row_map *map, void *rows, int max, char *error)
{
	static const char *const what[] = {
		[DB_TYPE_INT] = "an int", [DB_TYPE_LONG] = "a long", [DB_TYPE_LLONG] = "a long long",
		[DB_TYPE_BOOL] = "a bool",
	};
	int n = PQntuples(res);

	if ((size_t)PQnfields(res) < map->ncols) {
		if (error != NULL)
			snprintf(error, DB_ERROR_SIZE, "%d columns for a map of %zu", PQnfields(res),
			    map->ncols);
		return DB_FAILED;
	}
	if (n > max)
		n = max < 0 ? 0 : max;
	for (int r = 0; r < n; r++) {
		char *base = (char *)rows + (size_t)r * map->size;

		for (size_t c = 0; c < map->ncols; c++) {
			if (db_cell(res, r, (int)c, &map->cols[c], base))
				continue;
			if (error != NULL)
				snprintf(error, DB_ERROR_SIZE, "row %d column %zu (%s): not %s", r, c,
				    PQfname(res, (int)c), what[map->cols[c].type]);
			return DB_FAILED;
		}
	}
	return n;
}

/* db_rows for stmt's result, its failure in db->error with the statement's name. */
static int
db_rows_of(struct db *db, const struct db_stmt *stmt, const PGresult *res,
    const struct db_row_map *map, void *rows, int max)
{
	char why[DB_ERROR_SIZE];
	int n = db_rows(res, map, rows, max, why);

	if (n < 0)
		snprintf(db->error, sizeof db->error, "%s: %.200s", stmt->name, why);
	return n;
}

int
db_query_rows(struct db *db, struct db_stmt *stmt, const char *const *params,
    const struct db_row_map *map, void *rows, int max)
{
	PGresult *res = NULL;
	int rc = db_query(db, stmt, params, &res);

	if (rc == DB_OK)
		rc = db_rows_of(db, stmt, res, map, rows, max);
	PQclear(res);
	return rc;
}

int
db_query_row(struct db *db, struct db_stmt *stmt, const char *const *params,
    const struct db_row_map *map, void *row)
{
	PGresult *res = NULL;
	int rc = db_query(db, stmt, params, &res);

	if (rc == DB_OK && (rc = PQntuples(res)) == 1 && db_rows_of(db, stmt, res, map, row, 1) < 0)
		rc = DB_FAILED;
	PQclear(res);
	return rc;
}
