/* settings.c: auth's keys — the keys access tokens are signed with. */
#include "auth/auth.h"

#include <stddef.h>

static const struct config_key auth_keys[] = {
	{ "KAIROS_JWT_KEYS", CONFIG_STRING, offsetof(struct config, jwt_keys), "", 0, 0, NULL, true, NULL,
	  "Access-token keys, kid:base64key[,kid:base64key...], each 32-64 random bytes; the first signs, all verify (rotation). Required by `kairos serve`." },
};

const struct config_table auth_settings = {
	"auth", "Sign-in", CONFIG_KEYS(auth_keys), 0, NULL,
};
