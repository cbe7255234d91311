/* csrf.c: synchronizer tokens (AUTH-6). A form's token is an HMAC of what it is bound to —
 * the session id once signed in, else a random cookie of the visitor — so the server keeps
 * no table of tokens and a token from one session is worthless in another.
 *
 * The HMAC key is derived from the signing JWT key with a fixed label, so rotating the JWT
 * keys rotates these too and no second secret needs configuring. */
#include "auth/auth.h"

#include <stdlib.h>
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

/* ---- a spent refresh token's successor (session.c, the grace window) ---- */

/* Labels keep the pad and the jti apart from each other and from the stored SHA-256. */
#define AUTH_SEAL_LABEL "kairos refresh successor seal v1"
#define AUTH_JTI_LABEL  "kairos access token id v1"

/* SHA-512(label, NUL, text): 64 bytes nobody derives without text. */
static void
auth_token_derive(const char *label, const char *text, unsigned char out[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, label, strlen(label) + 1) != 1 ||
	    EVP_DigestUpdate(ctx, text, strlen(text)) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		abort();	/* SHA-512 does not fail but for want of memory */
	EVP_MD_CTX_free(ctx);
}

int
auth_token_seal(const char *token, const char *successor, char out[AUTH_SEALED_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char pad[64];
	size_t n = strlen(successor);

	if (n >= AUTH_TOKEN_TEXT_SIZE)
		return -1;
	auth_token_derive(AUTH_SEAL_LABEL, token, pad);
	out[0] = '\\';
	out[1] = 'x';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)successor[i] ^ pad[i];

		out[2 + 2 * i] = hex[c >> 4];
		out[3 + 2 * i] = hex[c & 15];
	}
	out[2 + 2 * n] = '\0';
	OPENSSL_cleanse(pad, sizeof pad);
	return 0;
}

static int
auth_hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
auth_token_unseal(const char *token, const char *sealed_hex, char successor[AUTH_TOKEN_TEXT_SIZE])
{
	unsigned char pad[64];
	size_t n = strlen(sealed_hex) / 2;

	if (strlen(sealed_hex) % 2 != 0 || n >= AUTH_TOKEN_TEXT_SIZE)
		return -1;
	auth_token_derive(AUTH_SEAL_LABEL, token, pad);
	for (size_t i = 0; i < n; i++) {
		int hi = auth_hex_digit(sealed_hex[2 * i]), lo = auth_hex_digit(sealed_hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			OPENSSL_cleanse(pad, sizeof pad);
			return -1;
		}
		successor[i] = (char)((hi << 4 | lo) ^ pad[i]);
	}
	successor[n] = '\0';
	OPENSSL_cleanse(pad, sizeof pad);
	return strlen(successor) == n ? 0 : -1;	/* a NUL inside: not a token of ours */
}

void
auth_token_jti(const char *refresh, char jti[AUTH_JTI_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[64];

	auth_token_derive(AUTH_JTI_LABEL, refresh, h);
	for (int i = 0; i < (AUTH_JTI_SIZE - 1) / 2; i++) {
		jti[2 * i] = hex[h[i] >> 4];
		jti[2 * i + 1] = hex[h[i] & 15];
	}
	jti[AUTH_JTI_SIZE - 1] = '\0';
}
