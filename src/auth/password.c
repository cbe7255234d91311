/* password.c: argon2id for staff passwords and one-time codes (docs/security.md).
 *
 * One setting serves both: a code lives ten minutes and has a million values, so the same
 * memory-hard cost that slows a password guess also makes a leaked code table worthless
 * before any code in it could be found. */
#include "auth/auth.h"

#include <string.h>

#include <argon2.h>

/* A well-formed hash of a value nobody knows: verifying against it costs what a real check
 * costs, so a missing account cannot be told apart by timing. */
static char auth_dummy_hash[AUTH_HASH_MAX];

/* argon2id computations this process ran to the end (a hash made, or a verification that
 * matched or not; not one refused before hashing): tests compare the work of requests */
static unsigned long auth_argon2_runs;

unsigned long
auth_argon2_count(void)
{
	return auth_argon2_runs;
}

/* rc of an argon2id verification, counted when the hash was computed */
static int
auth_verify_counted(const char *encoded, const char *secret, size_t n)
{
	int rc = argon2id_verify(encoded, secret, n);

	if (rc == ARGON2_OK || rc == ARGON2_VERIFY_MISMATCH)
		auth_argon2_runs++;
	return rc;
}

int
auth_hash(const char *secret, size_t n, char out[AUTH_HASH_MAX])
{
	unsigned char salt[AUTH_ARGON2_SALT_BYTES];

	if (n > AUTH_PASSWORD_MAX || rand_bytes(salt, sizeof salt) < 0)
		return -1;
	if (argon2id_hash_encoded(AUTH_ARGON2_T_COST, AUTH_ARGON2_M_COST_KIB,
	    AUTH_ARGON2_PARALLELISM, secret, n, salt, sizeof salt, AUTH_ARGON2_HASH_BYTES,
	    out, AUTH_HASH_MAX) != ARGON2_OK)
		return -1;
	auth_argon2_runs++;
	return 0;
}

bool
auth_hash_verify(const char *encoded, const char *secret, size_t n)
{
	bool real = encoded != NULL && strncmp(encoded, "$argon2id$", 10) == 0;

	if (n > AUTH_PASSWORD_MAX)
		return false;
	if (!real) {
		if (auth_dummy_hash[0] == '\0' && auth_hash("", 0, auth_dummy_hash) < 0)
			return false;
		auth_verify_counted(auth_dummy_hash, secret, n);
		return false;
	}
	return auth_verify_counted(encoded, secret, n) == ARGON2_OK;
}
