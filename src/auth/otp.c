/* otp.c: one-time sign-in codes (AUTH-2).
 *
 * A code is 6 digits from the kernel's CSPRNG, kept only as an argon2id hash, good for 10
 * minutes and 5 tries. Only the newest code of a number counts, so a dead code stays dead
 * until a new one is sent. Issuing is throttled per number (one a minute, five an hour) and
 * per client address; the answer to the caller is the same whether or not the number has an
 * account, and the first right code for an unknown number creates it. */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

/* Seconds to wait before another code may be sent (0: now), from the three limits. The
 * throttle counts codes by created_at, so a code's created_at is the wall clock's too. */
static struct db_stmt auth_stmt_otp_wait = DB_STMT("auth_otp_wait", 7,
	"SELECT greatest(0,"
	" (SELECT ceil(extract(epoch FROM max(created_at) + make_interval(secs => $4) - " DB_NOW(7) "))"
	"    FROM otp_codes WHERE org_id = $1 AND phone = $2),"
	" (SELECT ceil(extract(epoch FROM min(created_at) + interval '1 hour' - " DB_NOW(7) "))"
	"    FROM (SELECT created_at FROM otp_codes WHERE org_id = $1 AND phone = $2"
	"          AND created_at > " DB_NOW(7) " - interval '1 hour' ORDER BY created_at DESC"
	"          OFFSET $5 - 1) o),"
	" (SELECT ceil(extract(epoch FROM min(created_at) + interval '1 hour' - " DB_NOW(7) "))"
	"    FROM (SELECT created_at FROM otp_codes WHERE org_id = $1 AND requested_ip = $3::inet"
	"          AND created_at > " DB_NOW(7) " - interval '1 hour' ORDER BY created_at DESC"
	"          OFFSET $6 - 1) i))::int");

static struct db_stmt auth_stmt_otp_insert = DB_STMT("auth_otp_insert", 8,
	"INSERT INTO otp_codes (org_id, phone, channel, code_hash, signup, requested_ip, created_at,"
	"  expires_at)"
	" VALUES ($1, $2, $3, $4, $5::jsonb, $6::inet, " DB_NOW(8) ","
	"  " DB_NOW(8) " + make_interval(secs => $7))"
	" RETURNING id");

static struct db_stmt auth_stmt_otp_email = DB_STMT("auth_otp_email", 3,
	"SELECT 1 FROM users WHERE org_id = $1 AND phone = $2 AND role = 'patient'"
	" AND disabled_at IS NULL AND email = $3::citext");

/* One row for every number, with a code or without: the newest code (id and hash, NULL
 * for none), whether it is unexpired and unspent, and the wrong tries counted in the
 * number's current window (otp_guesses, 0010). The per-number lock is already held. */
static struct db_stmt auth_stmt_otp_state = DB_STMT("auth_otp_state", 3,
	"SELECT c.id, c.code_hash, coalesce(c.expires_at > " DB_NOW(3) " AND c.consumed_at IS NULL, false),"
	" coalesce(g.attempts, 0)"
	" FROM (SELECT 1) one"
	" LEFT JOIN LATERAL (SELECT id, code_hash, expires_at, consumed_at FROM otp_codes"
	"   WHERE org_id = $1 AND phone = $2 ORDER BY created_at DESC LIMIT 1) c ON true"
	" LEFT JOIN otp_guesses g ON g.org_id = $1 AND g.phone = $2 AND g.window_until > " DB_NOW(3));

/* A wrong try, counted for the number whether or not it has a code: in the current window,
 * or in a new one of $4 seconds (a code's life) when the last has run out. */
static struct db_stmt auth_stmt_otp_wrong = DB_STMT("auth_otp_wrong", 4,
	"INSERT INTO otp_guesses AS g (org_id, phone, attempts, window_until)"
	" VALUES ($1, $2, 1, " DB_NOW(3) " + make_interval(secs => $4))"
	" ON CONFLICT (org_id, phone) DO UPDATE SET"
	"  attempts = CASE WHEN g.window_until > " DB_NOW(3) " THEN g.attempts + 1 ELSE 1 END,"
	"  window_until = CASE WHEN g.window_until > " DB_NOW(3) " THEN g.window_until"
	"                      ELSE excluded.window_until END"
	" RETURNING attempts");

/* A new code starts a new count. */
static struct db_stmt auth_stmt_otp_reset = DB_STMT("auth_otp_reset", 2,
	"DELETE FROM otp_guesses WHERE org_id = $1 AND phone = $2");

static struct db_stmt auth_stmt_otp_spend = DB_STMT("auth_otp_spend", 2,
	"UPDATE otp_codes SET consumed_at = " DB_NOW(2) " WHERE id = $1 RETURNING signup");

static struct db_stmt auth_stmt_patient_by_phone = DB_STMT("auth_patient_by_phone", 2,
	"SELECT id, role = 'patient' AND disabled_at IS NULL FROM users"
	" WHERE org_id = $1 AND phone = $2");

/* A new patient from a verified number, with the sign-up details when there were any (an
 * email already used in the clinic is left off rather than failing the sign-in). */
static struct db_stmt auth_stmt_patient_create = DB_STMT("auth_patient_create", 4,
	"INSERT INTO users (org_id, role, phone, name, email, date_of_birth, consented_at)"
	" SELECT $1, 'patient', $2, s->>'name',"
	"  CASE WHEN EXISTS (SELECT 1 FROM users WHERE org_id = $1 AND email = (s->>'email')::citext)"
	"       THEN NULL ELSE s->>'email' END,"
	"  (s->>'dateOfBirth')::date, CASE WHEN (s->>'consent')::boolean THEN " DB_NOW(4) " END"
	" FROM (SELECT coalesce($3::jsonb, '{}'::jsonb) AS s) x RETURNING id");

/* A uniformly random code: rejection sampling avoids the bias of a plain modulo. */
static int
auth_otp_code(char code[AUTH_OTP_DIGITS + 1])
{
	const uint32_t range = 1000000, limit = UINT32_MAX - UINT32_MAX % range;
	uint32_t v;

	do {
		if (rand_bytes(&v, sizeof v) < 0)
			return -1;
	} while (v >= limit);
	snprintf(code, AUTH_OTP_DIGITS + 1, "%06u", (unsigned)(v % range));
	return 0;
}

bool
auth_otp_shape_ok(const char *s)
{
	return s != NULL && strlen(s) == AUTH_OTP_DIGITS && strspn(s, "0123456789") == AUTH_OTP_DIGITS;
}

/* Serialises issuing and checking for one number, so concurrent requests can neither slip
 * past the throttle nor guess more than AUTH_OTP_MAX_ATTEMPTS times. */
static int
auth_otp_lock(struct db *db, const char *org_id, const char *phone)
{
	return auth_lock(db, "", org_id, phone);
}

int
auth_otp_email_allowed(struct db *db, const char *org_id, const char *phone, const char *email,
    bool *ok)
{
	const char *p[] = { org_id, phone, email };
	PGresult *res = NULL;
	int rc = db_query(db, &auth_stmt_otp_email, p, &res);

	*ok = rc == DB_OK && PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

enum auth_otp_result
auth_otp_issue(struct db *db, const struct auth_otp_request *req, char code[AUTH_OTP_DIGITS + 1],
    char id[AUTH_UUID_SIZE], int *retry_after)
{
	char resend[16], per_phone[16], per_ip[16], ttl[16], wait[16], hash[AUTH_HASH_MAX];
	char now[DB_NOW_SIZE];

	snprintf(resend, sizeof resend, "%d", AUTH_OTP_RESEND_SECONDS);
	snprintf(per_phone, sizeof per_phone, "%d", AUTH_OTP_PER_PHONE_HOUR);
	snprintf(per_ip, sizeof per_ip, "%d", AUTH_OTP_PER_IP_HOUR);
	snprintf(ttl, sizeof ttl, "%d", AUTH_OTP_TTL_SECONDS);
	if (auth_otp_lock(db, req->org_id, req->phone) != DB_OK)
		return AUTH_OTP_ERROR;
	{
		const char *p[] = { req->org_id, req->phone, req->ip, resend, per_phone, per_ip,
			db_now(now) };

		if (db_query_value(db, &auth_stmt_otp_wait, p, wait, sizeof wait) != DB_OK)
			return AUTH_OTP_ERROR;
	}
	if ((*retry_after = atoi(wait)) > 0)
		return AUTH_OTP_THROTTLED;
	if (auth_otp_code(code) < 0 || auth_hash(code, AUTH_OTP_DIGITS, hash) < 0) {
		snprintf(db->error, sizeof db->error, "no randomness or hash for a code");
		return AUTH_OTP_ERROR;
	}
	{
		const char *p[] = { req->org_id, req->phone, req->channel, hash, req->signup_json,
			req->ip, ttl, db_now(now) };
		const char *q[] = { req->org_id, req->phone };

		if (db_query_value(db, &auth_stmt_otp_insert, p, id, AUTH_UUID_SIZE) != DB_OK ||
		    db_exec(db, &auth_stmt_otp_reset, q, NULL) != DB_OK)
			return AUTH_OTP_ERROR;
	}
	return AUTH_OTP_OK;
}

/* The patient account of phone, created from signup when there is none. */
static enum auth_otp_result
auth_otp_patient(struct db *db, const char *org_id, const char *phone, const char *signup,
    struct auth_otp_outcome *out)
{
	char now[DB_NOW_SIZE];
	const char *p[] = { org_id, phone, signup, db_now(now) };
	PGresult *res = NULL;
	enum auth_otp_result r = AUTH_OTP_ERROR;

	if (db_query(db, &auth_stmt_patient_by_phone, p, &res) != DB_OK)
		return AUTH_OTP_ERROR;
	if (PQntuples(res) == 1) {
		/* a staff member's or disabled account's number cannot sign in as a patient */
		r = strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? AUTH_OTP_OK : AUTH_OTP_EXPIRED;
		db_copy(out->user_id, sizeof out->user_id, res, 0, 0);
		PQclear(res);
		return r;
	}
	PQclear(res);
	if (db_query_value(db, &auth_stmt_patient_create, p, out->user_id, sizeof out->user_id) != DB_OK)
		return AUTH_OTP_ERROR;
	out->is_new = true;
	return AUTH_OTP_OK;
}

/* Whether the number has a code pending must not show in the answer, its body or its time
 * (issue 11): every try takes the same lock, reads the same row, runs one argon2id check
 * (against a dummy hash of equal cost when there is no code) and, unless it signs in, counts
 * one wrong try in otp_guesses, so a number without a code counts 4, 3, 2, 1, 0 as one with
 * a code does. A code is dead once its number's window holds AUTH_OTP_MAX_ATTEMPTS wrong
 * tries; a new code empties the window (auth_otp_issue). */
enum auth_otp_result
auth_otp_verify(struct db *db, const char *org_id, const char *phone, const char *code,
    struct auth_otp_outcome *out)
{
	char ttl[16], id[AUTH_UUID_SIZE], attempts[16], now[DB_NOW_SIZE];
	const char *p[] = { org_id, phone, db_now(now), ttl };
	const char *guess = auth_otp_shape_ok(code) ? code : "";
	enum auth_otp_result r;
	PGresult *res = NULL;
	bool live, right;
	char *signup;
	int tried;

	memset(out, 0, sizeof *out);
	snprintf(ttl, sizeof ttl, "%d", AUTH_OTP_TTL_SECONDS);
	if (auth_otp_lock(db, org_id, phone) != DB_OK ||
	    db_query(db, &auth_stmt_otp_state, p, &res) != DB_OK)
		return AUTH_OTP_ERROR;
	db_copy(id, sizeof id, res, 0, 0);
	tried = atoi(PQgetvalue(res, 0, 3));
	live = strcmp(PQgetvalue(res, 0, 2), "t") == 0 && tried < AUTH_OTP_MAX_ATTEMPTS;
	right = auth_hash_verify(PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1), guess,
	    strlen(guess)) && *guess != '\0' && live;
	PQclear(res);
	if (!right) {
		if (db_query_value(db, &auth_stmt_otp_wrong, p, attempts, sizeof attempts) != DB_OK)
			return AUTH_OTP_ERROR;
		out->remaining = AUTH_OTP_MAX_ATTEMPTS - atoi(attempts);
		out->spent_now = out->remaining == 0;
		if (out->remaining < 0)
			out->remaining = 0;
		return AUTH_OTP_WRONG;
	}
	{
		const char *q[] = { id, now };

		if (db_query(db, &auth_stmt_otp_spend, q, &res) != DB_OK)
			return AUTH_OTP_ERROR;
	}
	signup = PQgetisnull(res, 0, 0) ? NULL : xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	r = auth_otp_patient(db, org_id, phone, signup, out);
	free(signup);
	return r;
}
