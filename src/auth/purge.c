/* purge.c: retention of the auth tables. Each statement deletes one batch and answers how
 * many rows went (and, for sessions, how many refresh tokens their ON DELETE CASCADE took:
 * the outer SELECT still sees them, the cascade runs at the end of the statement). */
#include "auth/auth.h"

#include <stdlib.h>

/* A batch: the rows of table (by their key, a column list) for which cond holds, at most
 * $2; answers how many went, and 0 for the second count (only sessions have one). */
#define AUTH_PURGE(table, key, cond) \
	"WITH d AS (DELETE FROM " table " WHERE (" key ") IN (SELECT " key " FROM " table \
	" WHERE " cond " LIMIT $2) RETURNING 1) SELECT count(*), 0 FROM d"
/* older than the $1 seconds rows are kept */
#define AUTH_PURGE_OLD(column) column " < " DB_NOW(3) " - make_interval(secs => $1)"

static struct db_stmt auth_stmt_purge_otp = DB_STMT("auth_purge_otp", 3,
	AUTH_PURGE("otp_codes", "id", AUTH_PURGE_OLD("created_at")));

/* A guess count whose window ended that long ago (0010): nothing reads it any more. */
static struct db_stmt auth_stmt_purge_guesses = DB_STMT("auth_purge_guesses", 3,
	AUTH_PURGE("otp_guesses", "org_id, phone", AUTH_PURGE_OLD("window_until")));

/* A count of wrong passwords untouched that long and not locked (0010): forgotten, as a right
 * password would. Unknown emails make these rows too, so they must not pile up. */
static struct db_stmt auth_stmt_purge_failures = DB_STMT("auth_purge_failures", 3,
	AUTH_PURGE("login_failures", "org_id, email", AUTH_PURGE_OLD("updated_at")
	" AND (locked_until IS NULL OR locked_until < " DB_NOW(3) ")"));

static struct db_stmt auth_stmt_purge_sessions = DB_STMT("auth_purge_sessions", 3,
	"WITH s AS (DELETE FROM sessions WHERE id IN (SELECT id FROM sessions"
	"  WHERE " AUTH_PURGE_OLD("revoked_at") " OR " AUTH_PURGE_OLD("expires_at") " LIMIT $2)"
	"  RETURNING id)"
	" SELECT (SELECT count(*) FROM s),"
	"  (SELECT count(*) FROM refresh_tokens WHERE session_id IN (SELECT id FROM s))");

static struct db_stmt auth_stmt_purge_invites = DB_STMT("auth_purge_invites", 3,
	AUTH_PURGE("staff_invites", "token_hash", AUTH_PURGE_OLD("expires_at")));

/* Batches of stmt until one removes fewer than a full batch; counts add up in n[0], n[1].
 * $1 is how long rows are kept, $2 the batch, $3 the wall clock (DB_NOW). */
static int
auth_purge(struct db *db, struct db_stmt *stmt, long keep_seconds, long n[2])
{
	char keep[24], batch[24], now[DB_NOW_SIZE];
	const char *p[] = { keep, batch, db_now(now) };
	long got;

	snprintf(keep, sizeof keep, "%ld", keep_seconds);
	snprintf(batch, sizeof batch, "%d", AUTH_PURGE_BATCH);
	do {
		PGresult *res = NULL;
		int rc = db_query(db, stmt, p, &res);

		if (rc != DB_OK)
			return rc;
		got = atol(PQgetvalue(res, 0, 0));
		n[0] += got;
		n[1] += atol(PQgetvalue(res, 0, 1));
		PQclear(res);
	} while (got == AUTH_PURGE_BATCH);
	return DB_OK;
}

int
auth_purge_otp_codes(struct db *db, long *removed)
{
	long n[2] = { 0, 0 };
	int rc = auth_purge(db, &auth_stmt_purge_otp, AUTH_OTP_KEEP_SECONDS, n);

	long other[2] = { 0, 0 };	/* the counts go along uncounted: the log speaks of codes */

	if (rc == DB_OK)
		rc = auth_purge(db, &auth_stmt_purge_guesses, AUTH_OTP_KEEP_SECONDS, other);
	if (rc == DB_OK)
		rc = auth_purge(db, &auth_stmt_purge_failures, AUTH_LOGIN_FAILURE_KEEP_SECONDS, other);

	*removed += n[0];
	return rc;
}

int
auth_purge_sessions(struct db *db, long *sessions, long *tokens)
{
	long n[2] = { 0, 0 };
	int rc = auth_purge(db, &auth_stmt_purge_sessions, AUTH_SESSION_KEEP_SECONDS, n);

	*sessions += n[0];
	*tokens += n[1];
	return rc;
}

int
auth_purge_invites(struct db *db, long *removed)
{
	long n[2] = { 0, 0 };
	int rc = auth_purge(db, &auth_stmt_purge_invites, AUTH_INVITE_KEEP_SECONDS, n);

	*removed += n[0];
	return rc;
}
