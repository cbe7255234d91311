/* auth: who is calling, and what they may do (AUTH-1 … AUTH-7).
 *
 *   password.c  slow hashes (argon2id) for staff passwords and one-time codes
 *   otp.c       one-time sign-in codes: issue, throttle, verify (AUTH-2)
 *   jwt.c       access tokens: HS256 JWTs with a key id, via libjwt (AUTH-3)
 *   session.c   sessions and their rotating refresh tokens; staff password sign-in (AUTH-4/5)
 *   csrf.c      synchronizer tokens for forms (AUTH-6)
 *   user_cli.c  `kairos user add`
 *   purge.c     how long spent codes, ended sessions and old invitations are kept
 *
 * Everything that reads or writes tenant tables expects the caller's transaction to have the
 * organisation set (db_begin_tenant), so row-level security applies (AUTH-7). */
#ifndef KAIROS_AUTH_H
#define KAIROS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "db/db.h"

#define AUTH_UUID_SIZE            37	/* 36 characters and a NUL */

#define AUTH_OTP_DIGITS           6
#define AUTH_OTP_TTL_SECONDS      600	/* a code works for 10 minutes */
#define AUTH_OTP_MAX_ATTEMPTS     5	/* wrong tries before a code is dead */
#define AUTH_OTP_RESEND_SECONDS   60	/* between two codes for one number */
#define AUTH_OTP_PER_PHONE_HOUR   5	/* codes per number per hour */
#define AUTH_OTP_PER_IP_HOUR      20	/* codes per client address per hour */

#define AUTH_ACCESS_TTL_SECONDS   900	/* access JWT: 15 minutes */
#define AUTH_REFRESH_TTL_SECONDS  (7 * 24 * 3600)
/* A spent refresh token presented again this soon after its first use gets the pair that use
 * got, instead of counting as reuse: two tabs (or a browser restoring many) renewing with one
 * cookie at the same moment. Later, or once that successor has itself been spent, it is
 * reuse and revokes the session. Kept short: a thief racing the real client inside the
 * window gets the same successor as the client, no more. */
#define AUTH_REFRESH_GRACE_SECONDS 10
#define AUTH_REFRESH_TOKEN_BYTES  32	/* 256 random bits */
#define AUTH_TOKEN_TEXT_SIZE      64	/* base64url of 32 bytes (43) and a NUL, rounded up */
#define AUTH_JWT_MAX_BYTES        2048	/* a longer token is not one of ours */
#define AUTH_JWT_CLOCK_SKEW       30	/* seconds of iat in the future we tolerate */
#define AUTH_JWT_MAX_KEYS         8
#define AUTH_JWT_MIN_KEY_BYTES    32
#define AUTH_KID_MAX              32

#define AUTH_PASSWORD_MIN         12	/* characters (bytes) a staff password needs */
#define AUTH_PASSWORD_MAX         1024	/* longer input is refused before hashing */
#define AUTH_HASH_MAX             160	/* an encoded argon2id hash fits */
#define AUTH_STAFF_MAX_FAILURES   5	/* wrong passwords in a row before a lockout */
#define AUTH_STAFF_LOCK_SECONDS   900
#define AUTH_INVITE_TTL_SECONDS   (7 * 24 * 3600)
#define AUTH_SESSION_SEEN_SECONDS 60	/* last_seen_at is written at most this often */

/* Roles as bits, so a route can allow several. */
enum auth_role {
	AUTH_ROLE_PATIENT      = 1 << 0,
	AUTH_ROLE_PRACTITIONER = 1 << 1,
	AUTH_ROLE_RECEPTIONIST = 1 << 2,
	AUTH_ROLE_ADMIN        = 1 << 3,
};
#define AUTH_ROLES_STAFF (AUTH_ROLE_PRACTITIONER | AUTH_ROLE_RECEPTIONIST | AUTH_ROLE_ADMIN)

/* "patient", "admin", ... → the role, or 0. */
unsigned    auth_role_parse(const char *name);
const char *auth_role_name(unsigned role);	/* "" for anything but one role bit */

/* The caller of a request, once its token checked out. role 0: anonymous. */
struct auth_principal {
	unsigned role;
	char     user_id[AUTH_UUID_SIZE];
	char     org_id[AUTH_UUID_SIZE];
	char     session_id[AUTH_UUID_SIZE];
	long     expires_at;	/* of the access token, seconds since the epoch */
};

/* ---- password.c ---- */

/* argon2id at one of OWASP's recommended settings, m=19 MiB, t=2 (docs/security.md says why). */
#define AUTH_ARGON2_T_COST        2
#define AUTH_ARGON2_M_COST_KIB    19456
#define AUTH_ARGON2_PARALLELISM   1
#define AUTH_ARGON2_SALT_BYTES    16
#define AUTH_ARGON2_HASH_BYTES    32

/* Writes the encoded argon2id hash of secret[0..n) into out. 0, or -1. */
int  auth_hash(const char *secret, size_t n, char out[AUTH_HASH_MAX]);
/* Whether secret matches the encoded hash (argon2's comparison is constant-time). A NULL
 * or malformed hash costs the same work as a real one and is false, so "no such account"
 * takes as long as "wrong password". */
bool auth_hash_verify(const char *encoded, const char *secret, size_t n);
/* How many argon2id computations (hashes and verifications) this process has run, so a
 * test can see that two requests did the same work (web/dispatch.c, X-Kairos-Work). */
unsigned long auth_argon2_count(void);

/* ---- jwt.c ---- */

struct auth_jwt_key {
	char          kid[AUTH_KID_MAX + 1];
	unsigned char key[64];
	size_t        len;
};

/* KAIROS_JWT_KEYS: "kid:base64key[,kid:base64key…]", the first signs, all verify. */
struct auth_keyring {
	struct auth_jwt_key keys[AUTH_JWT_MAX_KEYS];
	size_t              count;
	unsigned char       csrf_key[32];	/* derived from keys[0] once, at parse (csrf.c) */
};

/* 0, or -1 with the reason in err (no secret ever copied into it). */
int  auth_keyring_parse(const char *spec, struct auth_keyring *ring, struct buf *err);
/* Signs an access token for p (role, user, org, session) valid from now for
 * AUTH_ACCESS_TTL_SECONDS; writes it to out (owned by the caller). 0, or -1. */
int  auth_jwt_issue(const struct auth_keyring *ring, const struct auth_principal *p, long now,
	struct buf *out);
#define AUTH_JTI_SIZE 33	/* 128 bits as hex and a NUL */
/* The same with the given jti (AUTH_JTI_SIZE - 1 hex digits). The token depends only on the
 * key, p, now and jti, so the same arguments sign the same token again (the refresh grace
 * window, session.c, relies on it). */
int  auth_jwt_issue_jti(const struct auth_keyring *ring, const struct auth_principal *p,
	long now, const char *jti, struct buf *out);
/* Checks a token: header {"alg":"HS256","kid":known}, signature, exp > now, iat not in the
 * future, every claim present and well-formed. Fills p. 0; -2 when the token is ours and
 * intact but expired (p is filled, so a page can renew it); -1 otherwise. *why is a short
 * text for logs and the 401 answer (never the token). */
int  auth_jwt_verify(const struct auth_keyring *ring, const char *token, long now,
	struct auth_principal *p, const char **why);

/* ---- csrf.c ---- */

#define AUTH_CSRF_SIZE 44	/* base64url of a SHA-256 HMAC (43) and a NUL */

/* Derives ring->csrf_key from the signing key (auth_keyring_parse calls it). */
void auth_csrf_derive(struct auth_keyring *ring);

/* The form token bound to `binding` (a session id, or an anonymous visitor's cookie). */
void auth_csrf_token(const struct auth_keyring *ring, const char *binding,
	char out[AUTH_CSRF_SIZE]);
/* Whether `given` is the token for binding, compared in constant time. */
bool auth_csrf_ok(const struct auth_keyring *ring, const char *binding, const char *given);

/* ---- tokens (session.c) ---- */

#define AUTH_TOKEN_HASH_SIZE 67	/* backslash, x, 64 hex digits and a NUL */

/* A new refresh or invitation token: 256 random bits as base64url text. 0, or -1. */
int  auth_token_new(char text[AUTH_TOKEN_TEXT_SIZE]);
/* SHA-256 of a token as a bytea literal in hex form, for SQL parameters. */
void auth_token_hash_hex(const char *text, char out[AUTH_TOKEN_HASH_SIZE]);

/* A refresh token's successor, sealed for the database: XOR with a pad derived (SHA-512 with
 * a label) from the spent token's text, which the database never holds, so only whoever
 * presents that token again can open it (session.c, AUTH_REFRESH_GRACE_SECONDS). A pad is
 * used once: a token is spent, and so seals, once. The seal is a bytea literal in hex form;
 * unsealing takes the hex digits without the leading \x. 0, or -1. */
#define AUTH_SEALED_HEX_SIZE (2 + 2 * AUTH_TOKEN_TEXT_SIZE)
int  auth_token_seal(const char *token, const char *successor, char out[AUTH_SEALED_HEX_SIZE]);
int  auth_token_unseal(const char *token, const char *sealed_hex,
	char successor[AUTH_TOKEN_TEXT_SIZE]);
/* The jti of the access token issued with a refresh token, derived from it (with another
 * label), so the same pair can be signed again within the grace window. */
void auth_token_jti(const char *refresh, char jti[AUTH_JTI_SIZE]);

/* ---- otp.c ---- */

enum auth_otp_result {
	AUTH_OTP_OK,		/* the code was right; *user set, *is_new when just created */
	AUTH_OTP_WRONG,		/* wrong code, or none pending (the same answer); *remaining tries
				 * left in the number's window (0: dead until a new code) */
	AUTH_OTP_EXPIRED,	/* a right code for a number that cannot sign in as a patient */
	AUTH_OTP_THROTTLED,	/* asked too often; *retry_after seconds */
	AUTH_OTP_ERROR,		/* database (db->error) */
};

struct auth_otp_request {
	const char *org_id, *phone, *channel, *email;	/* email: for the email channel */
	const char *ip;					/* the client's address, or NULL */
	const char *signup_json;	/* {"name","email","dateOfBirth"} from sign-up, or NULL */
};

/* Whether s has the shape of a code: exactly AUTH_OTP_DIGITS digits. */
bool auth_otp_shape_ok(const char *s);

/* Issues a code for req->phone unless throttled: stores its hash and writes the code into
 * code and its row's id into id (to be sent by the caller in the same transaction). */
enum auth_otp_result auth_otp_issue(struct db *db, const struct auth_otp_request *req,
	char code[AUTH_OTP_DIGITS + 1], char id[AUTH_UUID_SIZE], int *retry_after);
/* Whether an emailed code for phone may go to email: only to the address of the number's
 * own account, so nobody can have another person's code sent to them, and a new number must
 * prove itself by SMS or WhatsApp. DB_OK with *ok, or an error. */
int  auth_otp_email_allowed(struct db *db, const char *org_id, const char *phone,
	const char *email, bool *ok);

struct auth_otp_outcome {
	char user_id[AUTH_UUID_SIZE];
	bool is_new;		/* this sign-in created the account */
	int  remaining;		/* tries left after a wrong code */
	bool spent_now;		/* this wrong code used up the last try */
};

/* Checks code against the newest live code of phone; a right code is spent, and the
 * patient account is found or created. Wrong tries are counted per number whether or not a
 * code is pending, with the same work and writes either way (the caller must commit them
 * even though it answers 401). */
enum auth_otp_result auth_otp_verify(struct db *db, const char *org_id, const char *phone,
	const char *code, struct auth_otp_outcome *out);

/* ---- session.c ---- */

struct auth_session_start {
	const char *org_id, *user_id, *user_agent, *ip;
	unsigned    role;
};

/* The token pair handed to a client. */
/* A signed access token and its NUL: ours are under 500 bytes (jwt.c's claims are ids, a
 * role and times); a longer one is refused when signed, never cut. */
#define AUTH_ACCESS_TOKEN_SIZE    1024

/* Plain data, nothing to free: a handler's early returns need no cleanup. */
struct auth_tokens {
	char       access[AUTH_ACCESS_TOKEN_SIZE];	/* the JWT */
	char       refresh[AUTH_TOKEN_TEXT_SIZE];
	char       session_id[AUTH_UUID_SIZE];
};

/* Creates a session with its first refresh token and an access token. DB_OK or an error. */
int  auth_session_start(struct db *db, const struct auth_keyring *ring,
	const struct auth_session_start *s, long now, struct auth_tokens *out);

enum auth_refresh_result {
	AUTH_REFRESH_OK,
	AUTH_REFRESH_INVALID,	/* unknown, expired, or its session is revoked */
	AUTH_REFRESH_REUSED,	/* already spent: the whole session is now revoked */
	AUTH_REFRESH_ERROR,
};

/* Spends a refresh token and issues the next pair (same session). A spent token presented
 * again within AUTH_REFRESH_GRACE_SECONDS, while that pair is unspent, gets the same pair
 * (AUTH_REFRESH_OK, nothing written); otherwise it revokes the session (AUTH_REFRESH_REUSED:
 * the caller commits that and answers 401). */
enum auth_refresh_result auth_session_refresh(struct db *db, const struct auth_keyring *ring,
	const char *token, const char *ip, long now, struct auth_tokens *out,
	struct auth_principal *who);

/* Holds, until the transaction ends, the lock named what + org_id + ":" + name, so that two
 * transactions deciding one thing (a number's codes, an email's sign-ins, a clinic's roles)
 * take turns. name (a phone number or an email; NULL for none) counts case-blind and by its
 * first 254 characters, as emails are compared. DB_OK or an error. */
int  auth_lock(struct db *db, const char *what, const char *org_id, const char *name);

/* Whether session_id is live (not revoked, not expired, its account not disabled) and the
 * account's role now (a role changed since the token was issued counts at once); touches
 * last_seen_at at most every AUTH_SESSION_SEEN_SECONDS. DB_OK with *live and *role. */
int  auth_session_check(struct db *db, const char *session_id, bool *live, unsigned *role);

/* Revokes a session of user_id ("logout", "revoked") or all of them ("revoked_all",
 * except keep_id when not NULL). *count gets how many. DB_OK or an error. */
int  auth_session_revoke(struct db *db, const char *user_id, const char *session_id,
	const char *reason, int *count);
int  auth_session_revoke_all(struct db *db, const char *user_id, const char *keep_id,
	int *count);
/* Revokes the session a refresh token belongs to (logout by token). */
int  auth_session_revoke_by_token(struct db *db, const char *token, struct auth_principal *who,
	bool *found);

enum auth_login_result {
	AUTH_LOGIN_OK,
	AUTH_LOGIN_BAD,		/* unknown email or wrong password: one answer for both */
	AUTH_LOGIN_LOCKED,	/* too many failures for this email, known or not, even with the
				 * right password; *retry_after seconds */
	AUTH_LOGIN_ERROR,
};

/* Staff sign-in by email and password, with failure counting and lockout per (organisation,
 * email) whether or not the email has an account, and one argon2id verification in every
 * case, so the answer and its time tell neither. Fills who (role, user, org) when the email
 * has an account. Writes (the count, or its reset) must be committed with any answer. */
enum auth_login_result auth_staff_login(struct db *db, const char *org_id, const char *email,
	const char *password, size_t password_len, struct auth_principal *who, int *retry_after);

/* ---- user.c ---- */

#define AUTH_EMAIL_SIZE 255
#define AUTH_NAME_SIZE  801	/* 200 characters of UTF-8 */

/* A person's details as pages and the API show them; "" for what is unknown. */
struct auth_user {
	char     id[AUTH_UUID_SIZE];
	unsigned role;
	char     name[AUTH_NAME_SIZE];
	char     email[AUTH_EMAIL_SIZE];
	char     phone[17];
	char     date_of_birth[11];	/* YYYY-MM-DD */
};

/* The user id in the current organisation. DB_OK (u filled), DB_FAILED when there is none. */
int  auth_user_get(struct db *db, const char *id, struct auth_user *u);
/* Sets a patient's name and email (AUTH-2: asked after the first sign-in). *taken when the
 * email belongs to someone else in the clinic (nothing changed then). */
int  auth_user_set_details(struct db *db, const char *id, const char *name, const char *email,
	bool *taken);

/* A patient's addresses for messages; "" for what they lack. */
struct auth_contact {
	char id[AUTH_UUID_SIZE];
	char phone[17];
	char email[AUTH_EMAIL_SIZE];
};
/* The live patients of org_id among ids[0..n) (ids that are no UUID are skipped), in no
 * particular order, into *out: an array in a, one row each. Returns how many (≥ 0), or a
 * negative db_result. */
int  auth_patient_contacts(struct db *db, struct arena *a, const char *org_id,
	const char *const *ids, size_t n, struct auth_contact **out);

/* One signed-in device for the sessions page. */
struct auth_session_row {
	char id[AUTH_UUID_SIZE];
	char user_agent[501];
	char ip[64];
	char created_at[32], last_seen_at[32];	/* for people, in the clinic's time zone */
};

/* The live sessions of user_id, newest sign-in first, at most max, after the session `after`
 * (NULL: from the first). Returns how many (≥ 0), or a negative db_result. */
int  auth_sessions_list(struct db *db, const char *user_id, const char *after,
	struct auth_session_row *rows, int max);

/* Staff invitations (AUTH-5). */
struct auth_invite {
	char email[AUTH_EMAIL_SIZE];
	char name[AUTH_NAME_SIZE];
	unsigned role;
};
/* Stores an invitation and writes its one-time token (to be put in the emailed link). *taken
 * when the email already has an account. */
int  auth_invite_create(struct db *db, const char *org_id, const char *invited_by,
	const struct auth_invite *inv, char token[AUTH_TOKEN_TEXT_SIZE], bool *taken);
/* The open invitation a token stands for. DB_OK and *found. */
int  auth_invite_find(struct db *db, const char *token, struct auth_invite *inv, bool *found);
/* Accepts it: creates the staff account with the password's hash and spends the token.
 * user_id gets the new account's id; *found false when the token is unknown, used or old. */
int  auth_invite_accept(struct db *db, const char *org_id, const char *token,
	const char *password, size_t password_len, char user_id[AUTH_UUID_SIZE], bool *found);

/* The organisation's staff for the admin page: at most max, by name, after staff member
 * `after` (a UUID, or NULL from the start). */
int  auth_staff_list(struct db *db, const char *after, struct auth_user *rows, int max);

enum auth_role_change { AUTH_ROLE_CHANGED, AUTH_ROLE_UNCHANGED, AUTH_ROLE_NO_SUCH_STAFF,
	AUTH_ROLE_LAST_ADMIN };
/* Gives staff member id the role `role` (one staff role bit); *was gets the old one. An
 * organisation keeps at least one admin. Serialised per organisation (a lock), so two
 * admins demoting each other at once cannot leave none. DB_OK with *change, or an error. */
int  auth_staff_set_role(struct db *db, const char *org_id, const char *id, unsigned role,
	unsigned *was, enum auth_role_change *change);

/* ---- purge.c: retention, run by `kairos jobs` (jobs/schedule.c) as the tables' owner ---- */

/* A sign-in code is worth nothing after AUTH_OTP_TTL_SECONDS; the throttle looks back one
 * hour. A day more keeps a trail for an operator looking into abuse of one number. */
#define AUTH_OTP_KEEP_SECONDS     (24 * 3600)
/* A session revoked or expired this long ago (and its refresh tokens) is deleted: long
 * enough to look into a stolen token, short enough not to keep every device forever. */
#define AUTH_SESSION_KEEP_SECONDS (30 * 24 * 3600)
/* An invitation expired this long ago (accepted or not) is deleted: its token is dead, and
 * it holds the name and email of someone who may never have joined. */
#define AUTH_INVITE_KEEP_SECONDS  (30 * 24 * 3600)
/* Rows deleted per statement, so one run never holds many locks or meets the statement
 * timeout on a large backlog; a run repeats batches until one comes back short. */
#define AUTH_PURGE_BATCH          5000

/* Wrong-password counts (login_failures) untouched this long, and not locked, are deleted:
 * they exist for unknown emails too, and "five in a row" need not reach back further. */
#define AUTH_LOGIN_FAILURE_KEEP_SECONDS (24 * 3600)

/* Each deletes what its retention allows, in every organisation, and adds the counts to
 * *removed (codes; invitations) or *sessions and *tokens. The hourly code purge also deletes
 * old guess counts (otp_guesses) and wrong-password counts (login_failures), uncounted.
 * DB_OK or the db_result. */
int  auth_purge_otp_codes(struct db *db, long *removed);
int  auth_purge_sessions(struct db *db, long *sessions, long *tokens);
int  auth_purge_invites(struct db *db, long *removed);

/* ---- user_cli.c ---- */

/* `kairos user add --role ROLE --email E [--name N] [--org SLUG] --password-stdin`. */
int  auth_user_main(int argc, char **argv, struct db *db);

/* auth's keys (src/auth/settings.c), and its check for `kairos doctor`: do the access-token
 * keys parse? */
extern const struct config_table auth_settings;
bool auth_doctor(const struct config *cfg, struct db *db, FILE *out);

#endif
