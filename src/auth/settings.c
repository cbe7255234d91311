/* settings.c: auth's keys — the keys access tokens are signed with — and its doctor. */
#include "auth/auth.h"

#include <stddef.h>

/* Parses KAIROS_JWT_KEYS into ring; the reason in why (never key material). 0, or -1. */
static int
auth_settings_ring(const struct config *cfg, struct auth_keyring *ring, struct buf *why)
{
	if (*cfg->jwt_keys == '\0') {
		buf_puts(why, "not set (kairos serve needs it)");
		return -1;
	}
	return auth_keyring_parse(cfg->jwt_keys, ring, why);
}

/* Empty passes: jobs and the operator commands sign nothing, and `kairos serve` refuses it
 * itself. Set, it must parse, whichever command reads it. */
static int
auth_check_jwt_keys(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	struct auth_keyring ring;
	struct buf why = BUF_INIT;
	int rc = 0;

	if (*CONFIG_TEXT(value) == '\0')
		return 0;
	if (auth_settings_ring(cfg, &ring, &why) < 0) {
		buf_printf(errors, "%s: %s\n", k->name, buf_cstr(&why));
		rc = -1;
	}
	buf_free(&why);
	return rc;
}

static const struct config_key auth_keys[] = {
	{ "KAIROS_JWT_KEYS", CONFIG_STRING, offsetof(struct config, jwt_keys), "", 0, 0, NULL, true,
	  auth_check_jwt_keys,
	  "Access-token keys, kid:base64key[,kid:base64key...], each 32-64 random bytes; the first signs, all verify (rotation). Required by `kairos serve`." },
};

const struct config_table auth_settings = {
	"auth", "Sign-in", CONFIG_KEYS(auth_keys), 0, NULL,
};

bool
auth_doctor(const struct config *cfg, struct db *db, FILE *out)
{
	struct auth_keyring ring;
	struct buf why = BUF_INIT;
	bool good = auth_settings_ring(cfg, &ring, &why) == 0;

	(void)db;
	if (good)
		fprintf(out, "✓ access-token keys: %zu, %s signs\n", ring.count, ring.keys[0].kid);
	else
		fprintf(out, "✗ access-token keys: KAIROS_JWT_KEYS %s\n", buf_cstr(&why));
	buf_free(&why);
	return good;
}
