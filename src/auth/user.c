/* user.c: people's accounts as pages show them, sessions for the "where you're signed in"
 * page, and staff invitations (AUTH-4, AUTH-5). Every statement runs inside the caller's
 * tenant transaction, so row-level security limits it to one organisation. */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

static struct db_stmt auth_stmt_user_get = DB_STMT("auth_user_get", 1,
	"SELECT id, role, coalesce(name, ''), coalesce(email::text, ''), coalesce(phone, ''),"
	" coalesce(to_char(date_of_birth, 'YYYY-MM-DD'), '') FROM users WHERE id = $1");

static struct db_stmt auth_stmt_user_email_taken = DB_STMT("auth_user_email_taken", 2,
	"SELECT 1 FROM users WHERE email = $2::citext AND id <> $1");

static struct db_stmt auth_stmt_user_set_details = DB_STMT("auth_user_set_details", 4,
	"UPDATE users SET name = $2, email = $3, updated_at = " DB_NOW(4) " WHERE id = $1");

/* Times as the patient reads them ("21 Nov 2026, 6:54 pm"), in the clinic's time zone: the
 * page shows them to people, not to programs. */
/* newest sign-in first, a page at a time: after the session $2 (keyset, web's ?after=). The
 * key is created_at, which never changes: last_seen_at moves while a person pages (each
 * request touches their session), so paging by it would show a row twice or skip one. */
static struct db_stmt auth_stmt_sessions_list = DB_STMT("auth_sessions_list", 4,
	"SELECT s.id, coalesce(s.user_agent, ''), coalesce(host(s.ip), ''),"
	" to_char(s.created_at AT TIME ZONE o.timezone, 'FMDD Mon YYYY, FMHH12:MI am'),"
	" to_char(s.last_seen_at AT TIME ZONE o.timezone, 'FMDD Mon YYYY, FMHH12:MI am')"
	" FROM sessions s JOIN organisations o ON o.id = s.org_id"
	" WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > " DB_NOW(4)
	" AND ($2::uuid IS NULL OR (s.created_at, s.id) <"
	"  (SELECT created_at, id FROM sessions WHERE id = $2::uuid AND user_id = $1))"
	" ORDER BY s.created_at DESC, s.id DESC LIMIT $3");

static struct db_stmt auth_stmt_invite_new = DB_STMT("auth_invite_new", 8,
	"INSERT INTO staff_invites (token_hash, org_id, email, name, role, invited_by, expires_at)"
	" SELECT $1::bytea, $2, $3, $4, $5, $6, " DB_NOW(8) " + make_interval(secs => $7)"
	" WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = $3::citext) RETURNING 1");

static struct db_stmt auth_stmt_invite_find = DB_STMT("auth_invite_find", 2,
	"SELECT email, name, role FROM staff_invites WHERE token_hash = $1::bytea"
	" AND accepted_at IS NULL AND expires_at > " DB_NOW(2) " FOR UPDATE");

static struct db_stmt auth_stmt_invite_spend = DB_STMT("auth_invite_spend", 2,
	"UPDATE staff_invites SET accepted_at = " DB_NOW(2) " WHERE token_hash = $1::bytea");

static struct db_stmt auth_stmt_staff_new = DB_STMT("auth_staff_new", 5,
	"INSERT INTO users (org_id, role, email, name, password_hash) VALUES ($1, $2, $3, $4, $5)"
	" ON CONFLICT DO NOTHING RETURNING id");

/* by name, a page at a time: after the staff member $1 (keyset, web's ?after=) */
static struct db_stmt auth_stmt_staff_list = DB_STMT("auth_staff_list", 2,
	"SELECT id, role, coalesce(name, ''), coalesce(email::text, '') FROM users"
	" WHERE role <> 'patient' AND disabled_at IS NULL"
	" AND ($1::uuid IS NULL OR (coalesce(name, ''), id) >"
	"  (SELECT coalesce(name, ''), id FROM users WHERE id = $1::uuid))"
	" ORDER BY coalesce(name, ''), id LIMIT $2");

/* Live patients' contacts: the org_id condition repeats row-level security's on purpose,
 * so a statement run without a tenant still finds nobody else's patients. */
static struct db_stmt auth_stmt_patient_contacts = DB_STMT("auth_patient_contacts", 2,
	"SELECT id, coalesce(phone, ''), coalesce(email::text, '') FROM users"
	" WHERE id = ANY($1::uuid[]) AND org_id = $2 AND role = 'patient' AND disabled_at IS NULL");

static struct db_stmt auth_stmt_role_get = DB_STMT("auth_role_get", 1,
	"SELECT role, (SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL)"
	" FROM users WHERE id = $1::uuid AND role <> 'patient' AND disabled_at IS NULL FOR UPDATE");

static struct db_stmt auth_stmt_role_set = DB_STMT("auth_role_set", 3,
	"UPDATE users SET role = $2, updated_at = " DB_NOW(3) " WHERE id = $1::uuid");

/* A row of auth_stmt_user_get; auth_stmt_staff_list's are its first AUTH_STAFF_COLS. */
static const struct db_col auth_user_cols[] = {
	DB_COL_TEXT(struct auth_user, id),
	DB_COL_ENUM(struct auth_user, role, auth_role_parse),
	DB_COL_TEXT(struct auth_user, name),
	DB_COL_TEXT(struct auth_user, email),
	DB_COL_TEXT(struct auth_user, phone),
	DB_COL_TEXT(struct auth_user, date_of_birth),
};
#define AUTH_STAFF_COLS 4
static const struct db_row_map auth_user_map = {
	auth_user_cols, sizeof auth_user_cols / sizeof *auth_user_cols, sizeof (struct auth_user)
};
static const struct db_row_map auth_staff_map = {
	auth_user_cols, AUTH_STAFF_COLS, sizeof (struct auth_user)
};

/* A row of auth_stmt_sessions_list. */
static const struct db_row_map auth_session_map = DB_ROW_MAP(struct auth_session_row,
	DB_COL_TEXT(struct auth_session_row, id),
	DB_COL_TEXT(struct auth_session_row, user_agent),
	DB_COL_TEXT(struct auth_session_row, ip),
	DB_COL_TEXT(struct auth_session_row, created_at),
	DB_COL_TEXT(struct auth_session_row, last_seen_at));

/* A row of auth_stmt_invite_find. */
static const struct db_row_map auth_invite_map = DB_ROW_MAP(struct auth_invite,
	DB_COL_TEXT(struct auth_invite, email),
	DB_COL_TEXT(struct auth_invite, name),
	DB_COL_ENUM(struct auth_invite, role, auth_role_parse));

/* A row of auth_stmt_patient_contacts. */
static const struct db_row_map auth_contact_map = DB_ROW_MAP(struct auth_contact,
	DB_COL_TEXT(struct auth_contact, id),
	DB_COL_TEXT(struct auth_contact, phone),
	DB_COL_TEXT(struct auth_contact, email));

int
auth_user_get(struct db *db, const char *id, struct auth_user *u)
{
	const char *p[] = { id };
	int n;

	memset(u, 0, sizeof *u);
	if ((n = db_query_row(db, &auth_stmt_user_get, p, &auth_user_map, u)) < 0)
		return n;
	if (n != 1) {
		snprintf(db->error, sizeof db->error, "no such user");
		return DB_FAILED;
	}
	return DB_OK;
}

int
auth_user_set_details(struct db *db, const char *id, const char *name, const char *email,
    bool *taken)
{
	char now[DB_NOW_SIZE];
	const char *p[] = { id, email };
	const char *q[] = { id, name, email, db_now(now) };
	PGresult *res = NULL;
	int rc = db_query(db, &auth_stmt_user_email_taken, p, &res);

	*taken = rc == DB_OK && PQntuples(res) > 0;
	PQclear(res);
	if (rc != DB_OK || *taken)
		return rc;
	return db_exec(db, &auth_stmt_user_set_details, q, NULL);
}

int
auth_sessions_list(struct db *db, const char *user_id, const char *after,
    struct auth_session_row *rows, int max)
{
	char limit[16], now[DB_NOW_SIZE];
	const char *p[] = { user_id, after, limit, db_now(now) };

	snprintf(limit, sizeof limit, "%d", max);
	return db_query_rows(db, &auth_stmt_sessions_list, p, &auth_session_map, rows, max);
}

int
auth_invite_create(struct db *db, const char *org_id, const char *invited_by,
    const struct auth_invite *inv, char token[AUTH_TOKEN_TEXT_SIZE], bool *taken)
{
	char hash[AUTH_TOKEN_HASH_SIZE], ttl[16], now[DB_NOW_SIZE];
	PGresult *res = NULL;
	int rc;

	*taken = false;
	if (auth_token_new(token) < 0) {
		snprintf(db->error, sizeof db->error, "no randomness for a token");
		return DB_FAILED;
	}
	auth_token_hash_hex(token, hash);
	snprintf(ttl, sizeof ttl, "%d", AUTH_INVITE_TTL_SECONDS);
	{
		const char *p[] = { hash, org_id, inv->email, inv->name, auth_role_name(inv->role),
			invited_by, ttl, db_now(now) };

		if ((rc = db_query(db, &auth_stmt_invite_new, p, &res)) != DB_OK)
			return rc;
	}
	*taken = PQntuples(res) == 0;
	PQclear(res);
	return DB_OK;
}

int
auth_invite_find(struct db *db, const char *token, struct auth_invite *inv, bool *found)
{
	char hash[AUTH_TOKEN_HASH_SIZE], now[DB_NOW_SIZE];
	const char *p[] = { hash, db_now(now) };
	int n;

	memset(inv, 0, sizeof *inv);
	*found = false;
	if (token == NULL || strlen(token) >= AUTH_TOKEN_TEXT_SIZE)
		return DB_OK;
	auth_token_hash_hex(token, hash);
	if ((n = db_query_row(db, &auth_stmt_invite_find, p, &auth_invite_map, inv)) < 0)
		return n;
	*found = n == 1;
	return DB_OK;
}

int
auth_invite_accept(struct db *db, const char *org_id, const char *token, const char *password,
    size_t password_len, char user_id[AUTH_UUID_SIZE], bool *found)
{
	char hash[AUTH_TOKEN_HASH_SIZE], pw[AUTH_HASH_MAX], now[DB_NOW_SIZE];
	struct auth_invite inv;
	PGresult *res = NULL;
	int rc;

	if ((rc = auth_invite_find(db, token, &inv, found)) != DB_OK || !*found)
		return rc;
	if (auth_hash(password, password_len, pw) < 0) {
		snprintf(db->error, sizeof db->error, "cannot hash the password");
		return DB_FAILED;
	}
	auth_token_hash_hex(token, hash);
	{
		const char *p[] = { org_id, auth_role_name(inv.role), inv.email, inv.name, pw };

		if ((rc = db_query(db, &auth_stmt_staff_new, p, &res)) != DB_OK)
			return rc;
	}
	if (PQntuples(res) != 1) {
		*found = false;	/* the email got an account meanwhile */
		PQclear(res);
		return DB_OK;
	}
	db_copy(user_id, AUTH_UUID_SIZE, res, 0, 0);
	PQclear(res);
	{
		const char *p[] = { hash, db_now(now) };

		return db_exec(db, &auth_stmt_invite_spend, p, NULL);
	}
}

int
auth_staff_list(struct db *db, const char *after, struct auth_user *rows, int max)
{
	char limit[16];
	const char *p[] = { after, limit };

	snprintf(limit, sizeof limit, "%d", max);
	if (max > 0)	/* phone and date of birth: the list has neither */
		memset(rows, 0, (size_t)max * sizeof *rows);
	return db_query_rows(db, &auth_stmt_staff_list, p, &auth_staff_map, rows, max);
}

int
auth_staff_set_role(struct db *db, const char *org_id, const char *id, unsigned role,
    unsigned *was, enum auth_role_change *change)
{
	PGresult *res = NULL;
	int rc, admins;

	*was = 0;
	if (!valid_uuid(id)) {	/* compared as uuid, so the primary key's index serves */
		*change = AUTH_ROLE_NO_SUCH_STAFF;
		return DB_OK;
	}
	if ((rc = auth_lock(db, "roles:", org_id, NULL)) != DB_OK)
		return rc;
	{
		const char *p[] = { id };

		if ((rc = db_query(db, &auth_stmt_role_get, p, &res)) != DB_OK)
			return rc;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		*change = AUTH_ROLE_NO_SUCH_STAFF;
		return DB_OK;
	}
	*was = auth_role_parse(PQgetvalue(res, 0, 0));
	admins = atoi(PQgetvalue(res, 0, 1));
	PQclear(res);
	if (*was == role) {
		*change = AUTH_ROLE_UNCHANGED;
		return DB_OK;
	}
	if (*was == AUTH_ROLE_ADMIN && admins <= 1) {
		*change = AUTH_ROLE_LAST_ADMIN;
		return DB_OK;
	}
	{
		char now[DB_NOW_SIZE];
		const char *p[] = { id, auth_role_name(role), db_now(now) };

		*change = AUTH_ROLE_CHANGED;
		return db_exec(db, &auth_stmt_role_set, p, NULL);
	}
}

int
auth_patient_contacts(struct db *db, struct arena *a, const char *org_id,
    const char *const *ids, size_t n, struct auth_contact **out)
{
	struct buf list = BUF_INIT;
	PGresult *res = NULL;
	int rc, rows;

	*out = NULL;
	buf_putc(&list, '{');
	for (size_t i = 0; i < n; i++) {
		if (!valid_uuid(ids[i]))
			continue;	/* no patient has it; a malformed one would fail the cast */
		buf_printf(&list, "%s%s", list.len > 1 ? "," : "", ids[i]);
	}
	buf_putc(&list, '}');
	{
		const char *p[] = { list.data, org_id };

		rc = db_query(db, &auth_stmt_patient_contacts, p, &res);
	}
	buf_free(&list);
	if (rc != DB_OK)
		return rc;
	rows = PQntuples(res);
	*out = arena_calloc(a, (size_t)rows + 1, sizeof **out);
	rows = db_rows(res, &auth_contact_map, *out, rows, db->error);
	PQclear(res);
	return rows;
}
