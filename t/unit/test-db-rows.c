/* db_rows: result rows into structs by a column table (db.h). The results are real
 * PGresults, built without a server (PQmakeEmptyPGresult, PQsetResultAttrs, PQsetvalue). */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/tap.h"

struct row {
	char      name[8];
	int       n;
	long      l;
	long long ll;
	bool      b;
	unsigned  role;
	char      tail[4];
};

static int parse_calls;

static unsigned
parse_role(const char *text)
{
	parse_calls++;
	return strcmp(text, "admin") == 0 ? 4 : strcmp(text, "patient") == 0 ? 1 : 0;
}

/* Column 1 is read by nobody: the map skips it. */
static const struct db_row_map row_map = DB_ROW_MAP(struct row,
	DB_COL_TEXT(struct row, name),
	DB_COL_SKIP,
	DB_COL_INT(struct row, n),
	DB_COL_INT(struct row, l),
	DB_COL_INT(struct row, ll),
	DB_COL_BOOL(struct row, b),
	DB_COL_ENUM(struct row, role, parse_role),
	DB_COL_TEXT(struct row, tail));

#define NCOLS 8

/* A result of nrows rows of the first ncols columns; cells[r][c] NULL is SQL NULL (len -1
 * for PQsetvalue). */
static PGresult *
result(int nrows, const char *const cells[][NCOLS], int ncols)
{
	static const char *const names[NCOLS] = { "name", "unread", "n", "l", "ll", "b", "role",
		"tail" };
	PGresAttDesc attrs[NCOLS];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	memset(attrs, 0, sizeof attrs);
	for (int c = 0; c < ncols; c++) {
		attrs[c].name = (char *)names[c];
		attrs[c].typlen = -1;
		attrs[c].atttypmod = -1;
	}
	if (res == NULL || !PQsetResultAttrs(res, ncols, attrs))
		abort();
	for (int r = 0; r < nrows; r++)
		for (int c = 0; c < ncols; c++)
			if (!PQsetvalue(res, r, c, (char *)cells[r][c],
			    cells[r][c] ? (int)strlen(cells[r][c]) : -1))
				abort();
	return res;
}

static void
fill_junk(struct row *rows, size_t n)
{
	memset(rows, 0x5a, n * sizeof *rows);
}

static const char *const good[][NCOLS] = {
	{ "ada", "x", "42", "-7", "9223372036854775807", "t", "admin", "abc" },
	{ "1234567", NULL, "-2147483648", "0", "-9223372036854775808", "f", "patient", "" },
	{ "12345678901", "y", "2147483647", "123", "0", "t", "nobody", "abcd" },
	{ "abcdef\xc3\xa9", "z", "1", "1", "1", "f", "admin", "a\xe2\x82\xac" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

static void
test_good(void)
{
	struct row rows[6];
	PGresult *res = result(5, good, NCOLS);
	char error[DB_ERROR_SIZE] = "";

	fill_junk(rows, 6);
	parse_calls = 0;
	is_int(db_rows(res, &row_map, rows, 6, error), 5, "five rows, room for six: five filled");
	is_str(error, "", "... no error");
	is_str(rows[0].name, "ada", "text that fits");
	is_int(rows[0].n, 42, "an int");
	is_int(rows[0].l, -7, "a negative long");
	is_int(rows[0].ll, 9223372036854775807LL, "the largest long long");
	ok(rows[0].b, "'t' is true");
	is_int(rows[0].role, 4, "an enum by its parse function");
	is_str(rows[0].tail, "abc", "a column after a skipped one is the right one");

	is_str(rows[1].name, "1234567", "text of exactly size - 1 bytes: whole");
	is_int(rows[1].n, -2147483648LL, "the smallest int");
	is_int(rows[1].l, 0, "a zero long");
	is_int(rows[1].ll, (-9223372036854775807LL - 1), "the smallest long long");
	ok(!rows[1].b, "'f' is false");
	is_int(rows[1].role, 1, "another enum value");
	is_str(rows[1].tail, "", "empty text");

	is_str(rows[2].name, "1234567", "text too long: cut to size - 1 bytes");
	is_int(rows[2].n, 2147483647, "the largest int");
	is_int(rows[2].role, 0, "an unknown name: what parse says (0)");
	is_str(rows[2].tail, "abc", "... a second field cut");

	is_str(rows[3].name, "abcdef", "a cut inside a UTF-8 character backs off to its start");
	is_str(rows[3].tail, "a", "... a three-byte character too");

	is_str(rows[4].name, "", "NULL text is \"\"");
	is_int(rows[4].n, 0, "NULL int is 0");
	is_int(rows[4].l, 0, "NULL long is 0");
	is_int(rows[4].ll, 0, "NULL long long is 0");
	ok(!rows[4].b, "NULL bool is false");
	is_int(rows[4].role, 0, "NULL enum is 0");
	is_int(parse_calls, 4, "... and parse is not called for it");

	ok(((unsigned char *)&rows[5])[0] == 0x5a &&
	    ((unsigned char *)&rows[5])[sizeof rows[5] - 1] == 0x5a, "the sixth struct untouched");
	PQclear(res);
}

static void
test_max(void)
{
	struct row rows[3];
	PGresult *res = result(5, good, NCOLS);

	fill_junk(rows, 3);
	is_int(db_rows(res, &row_map, rows, 2, NULL), 2, "max 2 of 5 rows: 2 filled");
	is_str(rows[1].name, "1234567", "... the second is row 1");
	ok(((unsigned char *)&rows[2])[0] == 0x5a, "... the third struct untouched");
	is_int(db_rows(res, &row_map, rows, 0, NULL), 0, "max 0: none");
	is_int(db_rows(res, &row_map, rows, -1, NULL), 0, "max negative: none");
	ok(((unsigned char *)&rows[2])[0] == 0x5a, "... nothing written");
	PQclear(res);

	res = result(0, good, NCOLS);
	is_int(db_rows(res, &row_map, rows, 3, NULL), 0, "no rows: 0");
	PQclear(res);
}

/* One bad cell in row 1 (row 0 good): DB_FAILED with its place, row 0 filled. */
static void
bad(int col, const char *value, const char *want, const char *what)
{
	const char *cells[2][NCOLS];
	char error[DB_ERROR_SIZE] = "";
	struct row rows[2];
	PGresult *res;

	memcpy(cells[0], good[0], sizeof cells[0]);
	memcpy(cells[1], good[0], sizeof cells[1]);
	cells[1][col] = value;
	res = result(2, (const char *const (*)[NCOLS])cells, NCOLS);
	fill_junk(rows, 2);
	is_int(db_rows(res, &row_map, rows, 2, error), DB_FAILED, "%s: fails", what);
	is_str(error, want, "... saying where");
	is_str(rows[0].name, "ada", "... the row before it filled");
	PQclear(res);
}

static void
test_bad(void)
{
	bad(2, "12a", "row 1 column 2 (n): not an int", "trailing junk in an int");
	bad(2, "", "row 1 column 2 (n): not an int", "an empty int");
	bad(2, "4.5", "row 1 column 2 (n): not an int", "a fraction");
	bad(2, "2147483648", "row 1 column 2 (n): not an int", "an int one too large");
	bad(2, "-2147483649", "row 1 column 2 (n): not an int", "an int one too small");
	bad(4, "9223372036854775808", "row 1 column 4 (ll): not a long long",
	    "a long long one too large");
	bad(4, "abc", "row 1 column 4 (ll): not a long long", "a long long that is a word");
	bad(3, "0x10", "row 1 column 3 (l): not a long", "hexadecimal");
	bad(5, "true", "row 1 column 5 (b): not a bool", "a bool that is not 't' or 'f'");
	bad(5, "", "row 1 column 5 (b): not a bool", "an empty bool");
}

static void
test_columns(void)
{
	char error[DB_ERROR_SIZE] = "";
	struct row rows[1];
	PGresult *res = result(1, good, NCOLS - 1);

	is_int(db_rows(res, &row_map, rows, 1, error), DB_FAILED, "fewer columns than the map: fails");
	is_str(error, "7 columns for a map of 8", "... saying so");
	PQclear(res);
}

static void
test_copy(void)
{
	PGresult *res = result(5, good, NCOLS);
	char out[8], one[1] = { 'x' };

	db_copy(out, sizeof out, res, 3, 0);
	is_str(out, "abcdef", "db_copy cuts as db_rows does");
	db_copy(out, sizeof out, res, 0, 0);
	is_str(out, "ada", "db_copy: text that fits");
	db_copy(one, sizeof one, res, 0, 0);
	ok(one[0] == '\0', "db_copy into one byte: \"\"");
	PQclear(res);

	is_int(utf8_cut("abc", 3, 5), 3, "utf8_cut: fits");
	is_int(utf8_cut("ab\xc3\xa9", 4, 3), 2, "utf8_cut: backs off a split character");
	is_int(utf8_cut("ab\xc3\xa9z", 5, 4), 4, "utf8_cut: keeps a whole one");
	is_int(utf8_cut("\x80\x80\x80", 3, 2), 0, "utf8_cut: continuation bytes only: 0");
}

int
main(void)
{
	test_good();
	test_max();
	test_bad();
	test_columns();
	test_copy();
	return tap_done();
}
