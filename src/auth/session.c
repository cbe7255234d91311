/* session.c: sessions and their refresh tokens (AUTH-3, AUTH-4), and staff password
 * sign-in with lockout (AUTH-5).
 *
 * A session is one signed-in device. Its refresh tokens are stored as SHA-256 hashes and
 * rotate on every use; the tokens of a session form one family, so presenting a spent token
 * (a stolen copy racing the real client, or the other way round) revokes the session and
 * every token in it, except within AUTH_REFRESH_GRACE_SECONDS of its first use while the
 * pair that use got is unspent: then it gets that pair again (two tabs renewing at once).
 * To give the same refresh token back without storing it, the spent row keeps it sealed
 * with a pad only the spent token's text derives (auth_token_seal). */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

/* Every time below is the wall clock (DB_NOW), never now(): a test that moves the clock
 * expires sessions and tokens, and ends grace windows and lockouts, without sleeping. The
 * times a later decision reads (last_seen_at) are written from it too. */
static struct db_stmt auth_stmt_session_new = DB_STMT("auth_session_new", 6,
	"INSERT INTO sessions (org_id, user_id, user_agent, ip, created_at, last_seen_at, expires_at)"
	" VALUES ($1, $2, left($3, 500), $4::inet, " DB_NOW(6) ", " DB_NOW(6) ","
	"  " DB_NOW(6) " + make_interval(secs => $5)) RETURNING id");

static struct db_stmt auth_stmt_refresh_new = DB_STMT("auth_refresh_new", 5,
	"INSERT INTO refresh_tokens (token_hash, org_id, session_id, expires_at)"
	" VALUES ($1::bytea, $2, $3, " DB_NOW(5) " + make_interval(secs => $4))");

static struct db_stmt auth_stmt_user_login = DB_STMT("auth_user_login", 2,
	"UPDATE users SET last_login_at = " DB_NOW(2) " WHERE id = $1");

/* The token, its session and user, locked so two refreshes with one token serialise: the
 * second waits for the first to commit, then reads the row as the first left it. in_grace:
 * spent within the last $2 seconds with a sealed successor. Logout by token reads it too. */
static struct db_stmt auth_stmt_refresh_take = DB_STMT("auth_refresh_take", 3,
	"SELECT r.session_id, r.used_at IS NOT NULL,"
	" r.expires_at > " DB_NOW(3) " AND s.revoked_at IS NULL AND s.expires_at > " DB_NOW(3)
	"   AND u.disabled_at IS NULL,"
	" s.user_id, s.org_id, u.role,"
	" r.used_at > " DB_NOW(3) " - make_interval(secs => $2) AND r.successor_sealed IS NOT NULL,"
	" encode(r.successor_sealed, 'hex'), r.successor_iat, encode(r.successor_hash, 'hex')"
	" FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id"
	" JOIN users u ON u.id = s.user_id WHERE r.token_hash = $1::bytea FOR UPDATE OF r, s");

/* Whether a successor is still unspent and unexpired. A statement of its own, after the lock
 * above: its snapshot then sees the successor the first refresh committed. */
static struct db_stmt auth_stmt_refresh_unspent = DB_STMT("auth_refresh_unspent", 2,
	"SELECT 1 FROM refresh_tokens WHERE token_hash = $1::bytea AND used_at IS NULL"
	" AND expires_at > " DB_NOW(2));

/* Spent, remembering its successor for the grace window. */
static struct db_stmt auth_stmt_refresh_spend = DB_STMT("auth_refresh_spend", 5,
	"UPDATE refresh_tokens SET used_at = " DB_NOW(5) ", successor_hash = $2::bytea,"
	" successor_sealed = $3::bytea, successor_iat = $4 WHERE token_hash = $1::bytea");

static struct db_stmt auth_stmt_session_slide = DB_STMT("auth_session_slide", 4,
	"UPDATE sessions SET last_seen_at = " DB_NOW(4) ", ip = coalesce($2::inet, ip),"
	" expires_at = " DB_NOW(4) " + make_interval(secs => $3) WHERE id = $1");

static struct db_stmt auth_stmt_session_revoke_id = DB_STMT("auth_session_revoke_id", 3,
	"UPDATE sessions SET revoked_at = " DB_NOW(3) ", revoked_reason = $2"
	" WHERE id = $1 AND revoked_at IS NULL");

static struct db_stmt auth_stmt_session_revoke = DB_STMT("auth_session_revoke", 4,
	"UPDATE sessions SET revoked_at = " DB_NOW(4) ", revoked_reason = $3"
	" WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL");

static struct db_stmt auth_stmt_session_revoke_all = DB_STMT("auth_session_revoke_all", 3,
	"UPDATE sessions SET revoked_at = " DB_NOW(3) ", revoked_reason = 'revoked_all'"
	" WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)");

/* Live or not (with the account's current role, which may have changed since the token was
 * issued), and last_seen_at touched when older than $2 seconds: one round trip. */
static struct db_stmt auth_stmt_session_check = DB_STMT("auth_session_check", 3,
	"WITH s AS (SELECT s.id, s.revoked_at IS NULL AND s.expires_at > " DB_NOW(3)
	"                  AND u.disabled_at IS NULL AS live, s.last_seen_at, u.role"
	"           FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1),"
	" t AS (UPDATE sessions SET last_seen_at = " DB_NOW(3) " FROM s WHERE sessions.id = s.id"
	"       AND s.live AND s.last_seen_at < " DB_NOW(3) " - make_interval(secs => $2) RETURNING 1)"
	" SELECT live, role FROM s");

/* Failures are counted per (organisation, email) whether or not the email has an account
 * (login_failures, 0010), so an unknown email counts, locks and answers like a real one.
 * The key is the email as typed, cut to what the column holds (no account has a longer
 * one); citext compares it case-blind, and auth_lock lowers it the same way. */

/* auth_lock's: one statement for every lock auth takes */
static struct db_stmt auth_stmt_lock = DB_STMT("auth_lock", 3,
	"SELECT pg_advisory_xact_lock(hashtextextended($1::text || $2::text"
	" || coalesce(':' || lower(left($3::text, 254)), ''), 0))");

/* One row whatever the email: the account if any (id, role, hash: NULL for none) and the
 * seconds its email is still locked for. */
static struct db_stmt auth_stmt_staff_find = DB_STMT("auth_staff_find", 3,
	"SELECT u.id, u.role, u.password_hash,"
	" greatest(0, coalesce(ceil(extract(epoch FROM f.locked_until - " DB_NOW(3) ")), 0))::int"
	" FROM (SELECT 1) one"
	" LEFT JOIN users u ON u.org_id = $1 AND u.email = $2::citext AND u.role <> 'patient'"
	"  AND u.disabled_at IS NULL"
	" LEFT JOIN login_failures f ON f.org_id = $1 AND f.email = left($2, 254)::citext");

/* A wrong password: counted, and the email locked for $4 seconds once the count reaches $3
 * (the count then starts again). Answers whether it is now locked. */
static struct db_stmt auth_stmt_staff_failed = DB_STMT("auth_staff_failed", 5,
	"INSERT INTO login_failures AS f (org_id, email, failures, locked_until, updated_at)"
	" VALUES ($1, left($2, 254), CASE WHEN 1 >= $3::int THEN 0 ELSE 1 END,"
	"         CASE WHEN 1 >= $3::int THEN " DB_NOW(5) " + make_interval(secs => $4) END,"
	"         " DB_NOW(5) ")"
	" ON CONFLICT (org_id, email) DO UPDATE SET"
	"  failures = CASE WHEN f.failures + 1 >= $3::int THEN 0 ELSE f.failures + 1 END,"
	"  locked_until = CASE WHEN f.failures + 1 >= $3::int"
	"                      THEN " DB_NOW(5) " + make_interval(secs => $4) ELSE f.locked_until END,"
	"  updated_at = " DB_NOW(5)
	" RETURNING coalesce(locked_until > " DB_NOW(5) ", false)");

static struct db_stmt auth_stmt_staff_ok = DB_STMT("auth_staff_ok", 2,
	"DELETE FROM login_failures WHERE org_id = $1 AND email = left($2, 254)::citext");

/* out's session and its access token for who, issued at iat, whose jti derives from
 * out->refresh: signed the same again by the same pair. 0, or -1 with db->error. */
static int
auth_tokens_sign(struct db *db, const struct auth_keyring *ring, const struct auth_principal *who,
    long iat, struct auth_tokens *out)
{
	char jti[AUTH_JTI_SIZE];
	struct buf jwt = BUF_INIT;
	int rc = 0;

	snprintf(out->session_id, sizeof out->session_id, "%s", who->session_id);
	auth_token_jti(out->refresh, jti);
	if (auth_jwt_issue_jti(ring, who, iat, jti, &jwt) < 0 || jwt.len >= sizeof out->access) {
		snprintf(db->error, sizeof db->error, "cannot sign an access token");
		rc = -1;
	} else
		memcpy(out->access, jwt.data, jwt.len + 1);
	buf_free(&jwt);
	return rc;
}

/* A fresh refresh token for session_id and an access token for who, issued at now, whose
 * jti derives from the refresh token (so auth_session_replay can sign it again). */
static int
auth_tokens_issue(struct db *db, const struct auth_keyring *ring, const struct auth_principal *who,
    long now, struct auth_tokens *out)
{
	char hash[AUTH_TOKEN_HASH_SIZE], ttl[16], clock[DB_NOW_SIZE];

	snprintf(ttl, sizeof ttl, "%d", AUTH_REFRESH_TTL_SECONDS);
	if (auth_token_new(out->refresh) < 0) {
		snprintf(db->error, sizeof db->error, "no randomness for a token");
		return DB_FAILED;
	}
	auth_token_hash_hex(out->refresh, hash);
	{
		const char *p[] = { hash, who->org_id, who->session_id, ttl, db_now(clock) };
		int rc = db_exec(db, &auth_stmt_refresh_new, p, NULL);

		if (rc != DB_OK)
			return rc;
	}
	return auth_tokens_sign(db, ring, who, now, out) == 0 ? DB_OK : DB_FAILED;
}

int
auth_session_start(struct db *db, const struct auth_keyring *ring,
    const struct auth_session_start *s, long now, struct auth_tokens *out)
{
	struct auth_principal who = { .role = s->role };
	char ttl[16], clock[DB_NOW_SIZE];
	int rc;

	snprintf(ttl, sizeof ttl, "%d", AUTH_REFRESH_TTL_SECONDS);
	snprintf(who.user_id, sizeof who.user_id, "%s", s->user_id);
	snprintf(who.org_id, sizeof who.org_id, "%s", s->org_id);
	{
		const char *p[] = { s->org_id, s->user_id, s->user_agent ? s->user_agent : "",
			s->ip, ttl, db_now(clock) };

		if ((rc = db_query_value(db, &auth_stmt_session_new, p, who.session_id,
		    sizeof who.session_id)) != DB_OK)
			return rc;
	}
	{
		const char *p[] = { s->user_id, clock };

		if ((rc = db_exec(db, &auth_stmt_user_login, p, NULL)) != DB_OK)
			return rc;
	}
	return auth_tokens_issue(db, ring, &who, now, out);
}

/* The pair a spent token's first use got, again: its successor unsealed with the token's
 * text, checked against the stored hash, still unspent; the access token signed again with
 * the same claims, issue time and jti, so it is the same token. AUTH_REFRESH_OK with out
 * filled, AUTH_REFRESH_REUSED when there is nothing to give back (the caller revokes). */
static enum auth_refresh_result
auth_session_replay(struct db *db, const struct auth_keyring *ring, const char *token,
    const char *sealed_hex, long iat, const char *successor_hash_hex,
    const struct auth_principal *who, struct auth_tokens *out)
{
	char hash[AUTH_TOKEN_HASH_SIZE], clock[DB_NOW_SIZE];
	PGresult *res = NULL;
	bool unspent;

	if (auth_token_unseal(token, sealed_hex, out->refresh) < 0)
		return AUTH_REFRESH_REUSED;
	auth_token_hash_hex(out->refresh, hash);
	if (strcmp(hash + 2, successor_hash_hex) != 0)	/* not what was sealed: reuse */
		return AUTH_REFRESH_REUSED;
	{
		const char *p[] = { hash, db_now(clock) };

		if (db_query(db, &auth_stmt_refresh_unspent, p, &res) != DB_OK)
			return AUTH_REFRESH_ERROR;
	}
	unspent = PQntuples(res) == 1;
	PQclear(res);
	if (!unspent)
		return AUTH_REFRESH_REUSED;
	return auth_tokens_sign(db, ring, who, iat, out) == 0 ? AUTH_REFRESH_OK : AUTH_REFRESH_ERROR;
}

/* A row of auth_stmt_refresh_take: who the token's session is, and what became of it. */
struct auth_refresh_row {
	struct auth_principal who;	/* session, user, organisation and role */
	bool used;			/* spent already */
	bool fresh;			/* unexpired, its session live */
	bool in_grace;			/* spent within the grace window, its successor sealed */
	char sealed_hex[AUTH_SEALED_HEX_SIZE];	/* the successor, sealed (in_grace) */
	long successor_iat;
	char successor_hex[AUTH_TOKEN_HASH_SIZE];	/* its hash, hex digits only */
};

static const struct db_row_map auth_refresh_map = DB_ROW_MAP(struct auth_refresh_row,
	DB_COL_TEXT(struct auth_refresh_row, who.session_id),
	DB_COL_BOOL(struct auth_refresh_row, used),
	DB_COL_BOOL(struct auth_refresh_row, fresh),
	DB_COL_TEXT(struct auth_refresh_row, who.user_id),
	DB_COL_TEXT(struct auth_refresh_row, who.org_id),
	DB_COL_ENUM(struct auth_refresh_row, who.role, auth_role_parse),
	DB_COL_BOOL(struct auth_refresh_row, in_grace),
	DB_COL_TEXT(struct auth_refresh_row, sealed_hex),
	DB_COL_INT(struct auth_refresh_row, successor_iat),
	DB_COL_TEXT(struct auth_refresh_row, successor_hex));

/* Takes (locks) the refresh token `token` into *row (zeroed first), its hash into hash, the
 * grace window grace seconds. How many rows (1: found; 0 also for a token too long to be
 * one), or a negative db_result. */
static int
auth_refresh_take(struct db *db, const char *token, const char *grace, const char *clock,
    char hash[AUTH_TOKEN_HASH_SIZE], struct auth_refresh_row *row)
{
	const char *p[] = { hash, grace, clock };

	memset(row, 0, sizeof *row);
	if (token == NULL || strlen(token) >= AUTH_TOKEN_TEXT_SIZE)
		return 0;
	auth_token_hash_hex(token, hash);
	return db_query_row(db, &auth_stmt_refresh_take, p, &auth_refresh_map, row);
}

enum auth_refresh_result
auth_session_refresh(struct db *db, const struct auth_keyring *ring, const char *token,
    const char *ip, long now, struct auth_tokens *out, struct auth_principal *who)
{
	char hash[AUTH_TOKEN_HASH_SIZE], ttl[16], grace[16], iat[24], clock[DB_NOW_SIZE];
	char sealed[AUTH_SEALED_HEX_SIZE], next_hash[AUTH_TOKEN_HASH_SIZE];
	enum auth_refresh_result r = AUTH_REFRESH_REUSED;
	struct auth_refresh_row row;
	int n;

	memset(who, 0, sizeof *who);
	snprintf(grace, sizeof grace, "%d", AUTH_REFRESH_GRACE_SECONDS);
	if ((n = auth_refresh_take(db, token, grace, db_now(clock), hash, &row)) < 0)
		return AUTH_REFRESH_ERROR;
	if (n != 1)
		return AUTH_REFRESH_INVALID;
	*who = row.who;
	if (row.used) {
		/* within the window and the session live: the same pair again (two tabs at once) */
		if (row.in_grace && row.fresh)
			r = auth_session_replay(db, ring, token, row.sealed_hex, row.successor_iat,
			    row.successor_hex, who, out);
		if (r != AUTH_REFRESH_REUSED)
			return r;
		{
			const char *p[] = { who->session_id, "refresh_reuse", clock };

			return db_exec(db, &auth_stmt_session_revoke_id, p, NULL) == DB_OK ?
			    AUTH_REFRESH_REUSED : AUTH_REFRESH_ERROR;
		}
	}
	if (!row.fresh)
		return AUTH_REFRESH_INVALID;
	snprintf(ttl, sizeof ttl, "%d", AUTH_REFRESH_TTL_SECONDS);
	snprintf(iat, sizeof iat, "%ld", now);
	{
		const char *slide[] = { who->session_id, ip, ttl, clock };

		if (db_exec(db, &auth_stmt_session_slide, slide, NULL) != DB_OK ||
		    auth_tokens_issue(db, ring, who, now, out) != DB_OK)
			return AUTH_REFRESH_ERROR;
	}
	if (auth_token_seal(token, out->refresh, sealed) < 0)
		return AUTH_REFRESH_ERROR;
	auth_token_hash_hex(out->refresh, next_hash);
	{
		const char *spend[] = { hash, next_hash, sealed, iat, clock };

		if (db_exec(db, &auth_stmt_refresh_spend, spend, NULL) != DB_OK)
			return AUTH_REFRESH_ERROR;
	}
	return AUTH_REFRESH_OK;
}

int
auth_lock(struct db *db, const char *what, const char *org_id, const char *name)
{
	const char *p[] = { what, org_id, name };

	return db_exec(db, &auth_stmt_lock, p, NULL);
}

int
auth_session_check(struct db *db, const char *session_id, bool *live, unsigned *role)
{
	char seen[16], clock[DB_NOW_SIZE];
	const char *p[] = { session_id, seen, db_now(clock) };
	PGresult *res = NULL;
	int rc;

	snprintf(seen, sizeof seen, "%d", AUTH_SESSION_SEEN_SECONDS);
	rc = db_query(db, &auth_stmt_session_check, p, &res);
	*live = rc == DB_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	*role = *live ? auth_role_parse(PQgetvalue(res, 0, 1)) : 0;
	PQclear(res);
	return rc;
}

/* Runs a revoke statement, *count the sessions it revoked. */
static int
auth_sessions_revoked(struct db *db, struct db_stmt *stmt, const char *const *p, int *count)
{
	long n = 0;
	int rc = db_exec(db, stmt, p, &n);

	*count = (int)n;
	return rc;
}

int
auth_session_revoke(struct db *db, const char *user_id, const char *session_id,
    const char *reason, int *count)
{
	char clock[DB_NOW_SIZE];
	const char *p[] = { user_id, session_id, reason, db_now(clock) };

	return auth_sessions_revoked(db, &auth_stmt_session_revoke, p, count);
}

int
auth_session_revoke_all(struct db *db, const char *user_id, const char *keep_id, int *count)
{
	char clock[DB_NOW_SIZE];
	const char *p[] = { user_id, keep_id, db_now(clock) };

	return auth_sessions_revoked(db, &auth_stmt_session_revoke_all, p, count);
}

int
auth_session_revoke_by_token(struct db *db, const char *token, struct auth_principal *who,
    bool *found)
{
	char hash[AUTH_TOKEN_HASH_SIZE], clock[DB_NOW_SIZE];
	struct auth_refresh_row row;
	int n;

	*found = false;
	memset(who, 0, sizeof *who);
	/* no grace: a logout */
	if ((n = auth_refresh_take(db, token, "0", db_now(clock), hash, &row)) < 0)
		return n;
	if (!(*found = n == 1))
		return DB_OK;
	*who = row.who;
	{
		const char *p[] = { who->session_id, "logout", clock };

		return db_exec(db, &auth_stmt_session_revoke_id, p, NULL);
	}
}

enum auth_login_result
auth_staff_login(struct db *db, const char *org_id, const char *email, const char *password,
    size_t password_len, struct auth_principal *who, int *retry_after)
{
	char clock[DB_NOW_SIZE];
	const char *p[] = { org_id, email, db_now(clock) };
	PGresult *res = NULL;
	char max[16], lock[16], now_locked[8], *hash;
	int locked_for;
	bool right;

	memset(who, 0, sizeof *who);
	*retry_after = 0;
	/* one (organisation, email) at a time: parallel wrong passwords can neither overshoot
	 * the count nor race a lock */
	if (auth_lock(db, "login:", org_id, email) != DB_OK ||
	    db_query(db, &auth_stmt_staff_find, p, &res) != DB_OK)
		return AUTH_LOGIN_ERROR;
	if (PQntuples(res) != 1) {	/* (SELECT 1) gives one row; two would be two accounts */
		PQclear(res);
		snprintf(db->error, sizeof db->error, "staff sign-in: not one row for an email");
		return AUTH_LOGIN_ERROR;
	}
	if (!PQgetisnull(res, 0, 0)) {
		db_copy(who->user_id, sizeof who->user_id, res, 0, 0);
		snprintf(who->org_id, sizeof who->org_id, "%s", org_id);
		who->role = auth_role_parse(PQgetvalue(res, 0, 1));
	}
	hash = PQgetisnull(res, 0, 2) ? NULL : xstrdup(PQgetvalue(res, 0, 2));
	locked_for = atoi(PQgetvalue(res, 0, 3));
	PQclear(res);
	/* The hash is checked first, always (a dummy of the same cost when there is no account
	 * or no password), so known, unknown, locked and unlocked all cost one verification. */
	right = auth_hash_verify(hash, password, password_len) && who->user_id[0] != '\0';
	free(hash);
	if (locked_for > 0) {
		/* locked: even the right password waits, so the lock cannot be probed either */
		*retry_after = locked_for;
		return AUTH_LOGIN_LOCKED;
	}
	if (right)
		return db_exec(db, &auth_stmt_staff_ok, p, NULL) == DB_OK ? AUTH_LOGIN_OK : AUTH_LOGIN_ERROR;
	snprintf(max, sizeof max, "%d", AUTH_STAFF_MAX_FAILURES);
	snprintf(lock, sizeof lock, "%d", AUTH_STAFF_LOCK_SECONDS);
	{
		const char *q[] = { org_id, email, max, lock, clock };

		if (db_query_value(db, &auth_stmt_staff_failed, q, now_locked, sizeof now_locked) != DB_OK)
			return AUTH_LOGIN_ERROR;
	}
	if (strcmp(now_locked, "t") == 0) {
		*retry_after = AUTH_STAFF_LOCK_SECONDS;
		return AUTH_LOGIN_LOCKED;
	}
	return AUTH_LOGIN_BAD;
}
