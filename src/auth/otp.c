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

/* Serialises issuing and checking for one number, so concurrent requests can neither slip
 * past the throttle nor guess more than AUTH_OTP_MAX_ATTEMPTS times. */
static struct db_stmt auth_stmt_otp_lock = DB_STMT("auth_otp_lock", 2,
	"SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))");

/* Seconds to wait before another code may be sent (0: now), from the three limits. */
static struct db_stmt auth_stmt_otp_wait = DB_STMT("auth_otp_wait", 6,
	"SELECT greatest(0,"
	" (SELECT ceil(extract(epoch FROM max(created_at) + make_interval(secs => $4) - now()))"
	"    FROM otp_codes WHERE org_id = $1 AND phone = $2),"
	" (SELECT ceil(extract(epoch FROM min(created_at) + interval '1 hour' - now()))"
	"    FROM (SELECT created_at FROM otp_codes WHERE org_id = $1 AND phone = $2"
	"          AND created_at > now() - interval '1 hour' ORDER BY created_at DESC"
	"          OFFSET $5 - 1) o),"
	" (SELECT ceil(extract(epoch FROM min(created_at) + interval '1 hour' - now()))"
	"    FROM (SELECT created_at FROM otp_codes WHERE org_id = $1 AND requested_ip = $3::inet"
	"          AND created_at > now() - interval '1 hour' ORDER BY created_at DESC"
	"          OFFSET $6 - 1) i))::int");

static struct db_stmt auth_stmt_otp_insert = DB_STMT("auth_otp_insert", 7,
	"INSERT INTO otp_codes (org_id, phone, channel, code_hash, signup, requested_ip, expires_at)"
	" VALUES ($1, $2, $3, $4, $5::jsonb, $6::inet, now() + make_interval(secs => $7))"
	" RETURNING id");

static struct db_stmt auth_stmt_otp_email = DB_STMT("auth_otp_email", 3,
	"SELECT 1 FROM users WHERE org_id = $1 AND phone = $2 AND role = 'patient'"
	" AND disabled_at IS NULL AND email = $3::citext");

/* The newest code of a number, locked; live says whether it may still be tried. */
static struct db_stmt auth_stmt_otp_newest = DB_STMT("auth_otp_newest", 3,
	"SELECT id, code_hash, attempts,"
	" expires_at > now() AND consumed_at IS NULL AND attempts < $3 AS live"
	" FROM otp_codes WHERE org_id = $1 AND phone = $2"
	" ORDER BY created_at DESC LIMIT 1 FOR UPDATE");

static struct db_stmt auth_stmt_otp_wrong = DB_STMT("auth_otp_wrong", 1,
	"UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts");

static struct db_stmt auth_stmt_otp_spend = DB_STMT("auth_otp_spend", 1,
	"UPDATE otp_codes SET consumed_at = now() WHERE id = $1 RETURNING signup");

static struct db_stmt auth_stmt_patient_by_phone = DB_STMT("auth_patient_by_phone", 2,
	"SELECT id, role = 'patient' AND disabled_at IS NULL FROM users"
	" WHERE org_id = $1 AND phone = $2");

/* A new patient from a verified number, with the sign-up details when there were any (an
 * email already used in the clinic is left off rather than failing the sign-in). */
static struct db_stmt auth_stmt_patient_create = DB_STMT("auth_patient_create", 3,
	"INSERT INTO users (org_id, role, phone, name, email, date_of_birth, consented_at)"
	" SELECT $1, 'patient', $2, s->>'name',"
	"  CASE WHEN EXISTS (SELECT 1 FROM users WHERE org_id = $1 AND email = (s->>'email')::citext)"
	"       THEN NULL ELSE s->>'email' END,"
	"  (s->>'dateOfBirth')::date, CASE WHEN (s->>'consent')::boolean THEN now() END"
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

static int
auth_otp_lock(struct db *db, const char *org_id, const char *phone)
{
	const char *p[] = { org_id, phone };

	return db_exec(db, &auth_stmt_otp_lock, p, NULL);
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

	snprintf(resend, sizeof resend, "%d", AUTH_OTP_RESEND_SECONDS);
	snprintf(per_phone, sizeof per_phone, "%d", AUTH_OTP_PER_PHONE_HOUR);
	snprintf(per_ip, sizeof per_ip, "%d", AUTH_OTP_PER_IP_HOUR);
	snprintf(ttl, sizeof ttl, "%d", AUTH_OTP_TTL_SECONDS);
	if (auth_otp_lock(db, req->org_id, req->phone) != DB_OK)
		return AUTH_OTP_ERROR;
	{
		const char *p[] = { req->org_id, req->phone, req->ip, resend, per_phone, per_ip };

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
			req->ip, ttl };
		if (db_query_value(db, &auth_stmt_otp_insert, p, id, AUTH_UUID_SIZE) != DB_OK)
			return AUTH_OTP_ERROR;
	}
	return AUTH_OTP_OK;
}

/* The patient account of phone, created from signup when there is none. */
static enum auth_otp_result
auth_otp_patient(struct db *db, const char *org_id, const char *phone, const char *signup,
    struct auth_otp_outcome *out)
{
	const char *p[] = { org_id, phone, signup };
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

enum auth_otp_result
auth_otp_verify(struct db *db, const char *org_id, const char *phone, const char *code,
    struct auth_otp_outcome *out)
{
	char max[16], id[AUTH_UUID_SIZE], attempts[16];
	enum auth_otp_result r;
	PGresult *res = NULL;
	bool live, right;
	char *signup;

	memset(out, 0, sizeof *out);
	snprintf(max, sizeof max, "%d", AUTH_OTP_MAX_ATTEMPTS);
	if (auth_otp_lock(db, org_id, phone) != DB_OK)
		return AUTH_OTP_ERROR;
	{
		const char *p[] = { org_id, phone, max };

		if (db_query(db, &auth_stmt_otp_newest, p, &res) != DB_OK)
			return AUTH_OTP_ERROR;
	}
	live = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	if (!live) {
		PQclear(res);
		return AUTH_OTP_EXPIRED;
	}
	db_copy(id, sizeof id, res, 0, 0);
	right = auth_otp_shape_ok(code) && auth_hash_verify(PQgetvalue(res, 0, 1), code, AUTH_OTP_DIGITS);
	PQclear(res);
	if (!right) {
		const char *p[] = { id };

		if (db_query_value(db, &auth_stmt_otp_wrong, p, attempts, sizeof attempts) != DB_OK)
			return AUTH_OTP_ERROR;
		out->remaining = AUTH_OTP_MAX_ATTEMPTS - atoi(attempts);
		if (out->remaining < 0)
			out->remaining = 0;
		return AUTH_OTP_WRONG;
	}
	{
		const char *p[] = { id };

		if (db_query(db, &auth_stmt_otp_spend, p, &res) != DB_OK)
			return AUTH_OTP_ERROR;
	}
	signup = PQgetisnull(res, 0, 0) ? NULL : xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	r = auth_otp_patient(db, org_id, phone, signup, out);
	free(signup);
	return r;
}
