/* csrf.c: synchronizer tokens (AUTH-6). A form's token is an HMAC of what it is bound to —
 * the session id once signed in, else a random cookie of the visitor — so the server keeps
 * no table of tokens and a token from one session is worthless in another.
 *
 * The HMAC key is derived from the signing JWT key with a fixed label, so rotating the JWT
 * keys rotates these too and no second secret needs configuring. */
#include "auth/auth.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char auth_csrf_label[] = "kairos csrf v1";

void
auth_csrf_derive(struct auth_keyring *ring)
{
	unsigned len = 0;

	HMAC(EVP_sha256(), ring->keys[0].key, (int)ring->keys[0].len,
	    (const unsigned char *)auth_csrf_label, sizeof auth_csrf_label - 1, ring->csrf_key, &len);
}

void
auth_csrf_token(const struct auth_keyring *ring, const char *binding, char out[AUTH_CSRF_SIZE])
{
	unsigned char mac[32];
	unsigned len = 0;

	HMAC(EVP_sha256(), ring->csrf_key, sizeof ring->csrf_key, (const unsigned char *)binding,
	    strlen(binding), mac, &len);
	b64url_encode(mac, sizeof mac, out, AUTH_CSRF_SIZE);
}

bool
auth_csrf_ok(const struct auth_keyring *ring, const char *binding, const char *given)
{
	char want[AUTH_CSRF_SIZE];

	if (ring->count == 0 || binding == NULL || *binding == '\0' || given == NULL ||
	    strlen(given) != AUTH_CSRF_SIZE - 1)
		return false;
	auth_csrf_token(ring, binding, want);
	return CRYPTO_memcmp(want, given, AUTH_CSRF_SIZE - 1) == 0;
}

/* ---- refresh and invitation tokens ---- */

int
auth_token_new(char text[AUTH_TOKEN_TEXT_SIZE])
{
	unsigned char raw[AUTH_REFRESH_TOKEN_BYTES];

	if (rand_bytes(raw, sizeof raw) < 0)
		return -1;
	b64url_encode(raw, sizeof raw, text, AUTH_TOKEN_TEXT_SIZE);
	OPENSSL_cleanse(raw, sizeof raw);
	return 0;
}

void
auth_token_hash_hex(const char *text, char out[AUTH_TOKEN_HASH_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[32];

	EVP_Digest(text, strlen(text), h, NULL, EVP_sha256(), NULL);
	out[0] = '\\';
	out[1] = 'x';
	for (int i = 0; i < 32; i++) {
		out[2 + 2 * i] = hex[h[i] >> 4];
		out[3 + 2 * i] = hex[h[i] & 15];
	}
	out[66] = '\0';
}
