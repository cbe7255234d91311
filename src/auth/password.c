/* password.c: argon2id for staff passwords and one-time codes (docs/security.md).
 *
 * One setting serves both: a code lives ten minutes and has a million values, so the same
 * memory-hard cost that slows a password guess also makes a leaked code table worthless
 * before any code in it could be found. */
#include "auth/auth.h"

#include <string.h>

#include <argon2.h>

/* The hash a check runs against when there is no real one (no code pending, no account, no
 * password): a well-formed argon2id hash with our parameters, so verifying against it costs
 * exactly what a real check costs, and a missing code or account cannot be told apart by
 * timing. It is a constant, not made on first use: made lazily, a worker's first check
 * without a real hash paid for two argon2id runs, the making and the check (docs/auth.md).
 * Its salt and tag are random bytes drawn once; the tag is no hash of anything, so no secret
 * matches it (and the result is thrown away regardless). */
#define AUTH_DUMMY_SALT "pOcuBaBxZVlwuxP27Z6yhA"			/* 16 bytes, base64 */
#define AUTH_DUMMY_TAG  "Dt0UOEvAxJLSOvKCf0y2atvQC3wV4x5YFXI4PYVI4Qg"	/* 32 bytes */
static const char auth_dummy_hash[] = "$argon2id$v=19"
	"$m=" STR_OF(AUTH_ARGON2_M_COST_KIB) ",t=" STR_OF(AUTH_ARGON2_T_COST)
	",p=" STR_OF(AUTH_ARGON2_PARALLELISM) "$" AUTH_DUMMY_SALT "$" AUTH_DUMMY_TAG;
_Static_assert(ARGON2_VERSION_NUMBER == 19, "auth_hash writes v=19: the dummy must too");
/* unpadded base64 of n bytes is (4n + 2) / 3 characters: the same salt and tag lengths as
 * auth_hash makes, so the same work to decode, hash and compare */
_Static_assert(sizeof AUTH_DUMMY_SALT - 1 == (4 * AUTH_ARGON2_SALT_BYTES + 2) / 3,
    "the dummy's salt must be AUTH_ARGON2_SALT_BYTES long");
_Static_assert(sizeof AUTH_DUMMY_TAG - 1 == (4 * AUTH_ARGON2_HASH_BYTES + 2) / 3,
    "the dummy's tag must be AUTH_ARGON2_HASH_BYTES long");

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
	int rc = ARGON2_VERIFY_MISMATCH;

	if (n > AUTH_PASSWORD_MAX)
		return false;
	if (real && (rc = auth_verify_counted(encoded, secret, n)) != ARGON2_VERIFY_MISMATCH &&
	    rc != ARGON2_OK)
		real = false;	/* one we cannot read costs a full check too */
	if (!real) {
		auth_verify_counted(auth_dummy_hash, secret, n);
		return false;
	}
	return rc == ARGON2_OK;
}
