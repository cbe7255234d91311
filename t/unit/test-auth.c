/* auth: key rings, access tokens and their forgeries, CSRF tokens, refresh tokens, argon2id,
 * and the shapes of people's details (core/valid.c). Database-facing parts are covered by
 * t/integration/auth-api.t and auth-pages.t. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/auth.h"
#include "tap.h"

#define K1 "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="	/* 32 bytes, test only */
#define K2 "k2:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="

static void
b64url(const char *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in, (int)n);

	for (int i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
}

/* A token signed by hand (not by libjwt), so forgeries can differ in exactly one thing. */
static void
sign(const char *header, const char *claims, const char *key, size_t keylen, char *out)
{
	char h[512], c[1024], sig[128];
	unsigned char mac[32];
	unsigned len = 0;
	struct buf signing = BUF_INIT;

	b64url(header, strlen(header), h);
	b64url(claims, strlen(claims), c);
	buf_printf(&signing, "%s.%s", h, c);
	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)signing.data, signing.len, mac, &len);
	b64url((const char *)mac, sizeof mac, sig);
	sprintf(out, "%s.%s", signing.data, sig);
	buf_free(&signing);
}

int
main(void)
{
	struct auth_keyring ring, rotated, other;
	struct buf err = BUF_INIT, tok = BUF_INIT;
	struct auth_principal p = { .role = AUTH_ROLE_PATIENT }, got;
	const char *why = NULL;
	char forged[2048], claims[512], csrf[AUTH_CSRF_SIZE], t1[AUTH_TOKEN_TEXT_SIZE],
	     t2[AUTH_TOKEN_TEXT_SIZE], hex[AUTH_TOKEN_HASH_SIZE], hash[AUTH_HASH_MAX];
	long now = (long)time(NULL);
	const char *k1 = "0123456789abcdef0123456789abcdef";

	/* base64 (RFC 4648 section 10 vectors) */
	{
		unsigned char out[16];
		char enc[16];

		ok(b64_decode("Zm9vYmFy", 8, out, sizeof out) == 6 && memcmp(out, "foobar", 6) == 0, "base64: foobar");
		ok(b64_decode("Zm9vYg==", 8, out, sizeof out) == 4 && memcmp(out, "foob", 4) == 0, "padded");
		ok(b64_decode("Zm9vYg", 6, out, sizeof out) == 4 && memcmp(out, "foob", 4) == 0, "unpadded");
		ok(b64_decode("Zm9v\nYmFy", 9, out, sizeof out) == 6, "a line break ignored");
		ok(b64_decode("-_8", 3, out, sizeof out) == 2 && out[0] == 0xfb && out[1] == 0xff, "the url-safe alphabet");
		ok(b64_decode("Zm9v=YmFy", 9, out, sizeof out) < 0 && b64_decode("Z", 1, out, sizeof out) < 0 &&
		    b64_decode("Zm9v!", 5, out, sizeof out) < 0 && b64_decode("", 0, out, sizeof out) < 0,
		    "refused: data after padding, a lone character, a foreign character, nothing");
		ok(b64_decode("Zm9vYmFy", 8, out, 5) < 0, "refused: more than fits");
		b64url_encode((const unsigned char *)"foobar", 6, enc, sizeof enc);
		is_str(enc, "Zm9vYmFy", "encoded");
		b64url_encode((const unsigned char *)"foob", 4, enc, sizeof enc);
		is_str(enc, "Zm9vYg", "encoded without padding");
		b64url_encode((const unsigned char *)"foobar", 6, enc, 8);
		is_str(enc, "Zm9v", "a group that does not fit is left out, the rest terminated");
	}

	/* key rings */
	ok(auth_keyring_parse(K1 "," K2, &ring, &err) == 0 && ring.count == 2, "two keys parse");
	ok(strcmp(ring.keys[0].kid, "k1") == 0 && ring.keys[0].len == 32 &&
	    memcmp(ring.keys[0].key, k1, 32) == 0, "kid and key bytes");
	{
		static const char *const bad[] = { "", "k1", ":MDEy", "k1:c2hvcnQ=", K1 "," K1,
			"k 1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "k1:!!!!",
			"k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,"
			"k2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k3:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,"
			"k4:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k5:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,"
			"k6:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k7:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,"
			"k8:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k9:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" };
		static const char *const what[] = { "empty", "no key", "no kid", "a key under 32 bytes",
			"a kid twice", "a kid with a space", "not base64", "more than 8 keys" };

		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			buf_reset(&err);
			ok(auth_keyring_parse(bad[i], &other, &err) < 0 && err.len > 0 &&
			    strstr(buf_cstr(&err), "MDEy") == NULL, "refused: %s (and the key is not in the message)",
			    what[i]);
		}
	}

	/* access tokens */
	strcpy(p.user_id, "11111111-1111-4111-8111-111111111111");
	strcpy(p.org_id, "22222222-2222-4222-8222-222222222222");
	strcpy(p.session_id, "33333333-3333-4333-8333-333333333333");
	ok(auth_jwt_issue(&ring, &p, now, &tok) == 0, "a token is issued");
	ok(auth_jwt_verify(&ring, tok.data, now, &got, &why) == 0 && got.role == AUTH_ROLE_PATIENT &&
	    strcmp(got.user_id, p.user_id) == 0 && strcmp(got.org_id, p.org_id) == 0 &&
	    strcmp(got.session_id, p.session_id) == 0 && got.expires_at == now + AUTH_ACCESS_TTL_SECONDS,
	    "and verifies, with every claim back");
	ok(auth_jwt_verify(&ring, tok.data, now + AUTH_ACCESS_TTL_SECONDS, &got, &why) == -2 &&
	    strcmp(why, "token expired") == 0 && got.role == AUTH_ROLE_PATIENT,
	    "at its expiry: -2 (ours, intact, expired) with the principal filled for renewal");
	auth_keyring_parse(K2 "," K1, &rotated, &err);
	ok(auth_jwt_verify(&rotated, tok.data, now, &got, &why) == 0, "after rotation (k2 signs) a k1 token still verifies");
	auth_keyring_parse(K2, &other, &err);
	ok(auth_jwt_verify(&other, tok.data, now, &got, &why) == -1 && strcmp(why, "token signed with an unknown key") == 0,
	    "once k1 is dropped it does not");

	snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"org\":\"%s\",\"sid\":\"%s\",\"role\":\"patient\","
	    "\"jti\":\"j\",\"iat\":%ld,\"exp\":%ld}", p.user_id, p.org_id, p.session_id, now, now + 900);
	sign("{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", claims, k1, 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == 0, "a token signed independently verifies (the forgeries below change one thing)");
	sign("{\"alg\":\"none\",\"kid\":\"k1\"}", claims, k1, 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1 && strcmp(why, "token algorithm not accepted") == 0, "alg none");
	*strrchr(forged, '.') = '\0';
	strcat(forged, ".");
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1, "alg none, empty signature");
	sign("{\"alg\":\"HS512\",\"kid\":\"k1\"}", claims, k1, 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1, "alg HS512");
	sign("{\"alg\":\"HS256\",\"kid\":\"k9\"}", claims, k1, 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1, "an unknown kid");
	sign("{\"alg\":\"HS256\"}", claims, k1, 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1 && strcmp(why, "token has no key id") == 0, "no kid");
	sign("{\"alg\":\"HS256\",\"kid\":\"k1\"}", claims, "another key, 32 bytes long......", 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1 && strcmp(why, "bad token signature") == 0, "a wrong key");
	sign("{\"alg\":\"HS256\",\"kid\":\"k1\"}", "{\"sub\":\"x\"}", k1, 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1 && strcmp(why, "token claims incomplete") == 0, "missing claims");
	snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"org\":\"%s\",\"sid\":\"%s\",\"role\":\"root\","
	    "\"jti\":\"j\",\"iat\":%ld,\"exp\":%ld}", p.user_id, p.org_id, p.session_id, now, now + 900);
	sign("{\"alg\":\"HS256\",\"kid\":\"k1\"}", claims, k1, 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1, "an unknown role");
	snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"org\":\"%s\",\"sid\":\"%s\",\"role\":\"admin\","
	    "\"jti\":\"j\",\"iat\":%ld,\"exp\":%ld}", p.user_id, p.org_id, p.session_id, now + 3600, now + 4500);
	sign("{\"alg\":\"HS256\",\"kid\":\"k1\"}", claims, k1, 32, forged);
	ok(auth_jwt_verify(&ring, forged, now, &got, &why) == -1 && strcmp(why, "token issued in the future") == 0, "issued in the future");
	ok(auth_jwt_verify(&ring, "a.b", now, &got, &why) == -1, "two parts");
	ok(auth_jwt_verify(&ring, "eyJhbGciOiJIUzI1NiJ9", now, &got, &why) == -1, "one part");
	{
		char *huge = malloc(AUTH_JWT_MAX_BYTES + 2);

		memset(huge, 'a', AUTH_JWT_MAX_BYTES + 1);
		huge[AUTH_JWT_MAX_BYTES + 1] = '\0';
		ok(auth_jwt_verify(&ring, huge, now, &got, &why) == -1, "an oversized token");
		free(huge);
	}

	/* CSRF tokens */
	auth_csrf_token(&ring, "session-a", csrf);
	ok(strlen(csrf) == AUTH_CSRF_SIZE - 1 && strspn(csrf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43,
	    "a CSRF token is 43 base64url characters (all of the HMAC)");
	ok(auth_csrf_ok(&ring, "session-a", csrf), "it checks out for its binding");
	ok(!auth_csrf_ok(&ring, "session-b", csrf), "not for another session");
	ok(!auth_csrf_ok(&other, "session-a", csrf), "not under another key");
	ok(!auth_csrf_ok(&ring, "", csrf) && !auth_csrf_ok(&ring, NULL, csrf), "not without a binding");
	csrf[42] = csrf[42] == 'A' ? 'B' : 'A';
	ok(!auth_csrf_ok(&ring, "session-a", csrf), "one character changed: refused");
	csrf[40] = '\0';
	ok(!auth_csrf_ok(&ring, "session-a", csrf) && !auth_csrf_ok(&ring, "session-a", NULL), "a short or missing token: refused");

	/* refresh tokens */
	ok(auth_token_new(t1) == 0 && auth_token_new(t2) == 0 && strlen(t1) == 43 && strcmp(t1, t2) != 0,
	    "refresh tokens: 43 characters (256 bits), never the same");
	auth_token_hash_hex("abc", hex);
	is_str(hex, "\\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "stored as SHA-256 (FIPS 180-2 vector for \"abc\")");

	/* a spent token's successor, sealed for the grace window; the jti derived from it */
	{
		char sealed[AUTH_SEALED_HEX_SIZE], back[AUTH_TOKEN_TEXT_SIZE], j1[AUTH_JTI_SIZE], j2[AUTH_JTI_SIZE];
		struct buf a = BUF_INIT, b = BUF_INIT;

		ok(auth_token_seal(t1, t2, sealed) == 0 && strncmp(sealed, "\\x", 2) == 0 &&
		    strlen(sealed) == 2 + 2 * strlen(t2) && strstr(sealed, t2) == NULL,
		    "a successor sealed: hex of its length, not its text");
		ok(auth_token_unseal(t1, sealed + 2, back) == 0 && strcmp(back, t2) == 0,
		    "the spent token's text opens it");
		ok(auth_token_unseal(t2, sealed + 2, back) < 0 || strcmp(back, t2) != 0,
		    "another token's does not");
		ok(auth_token_unseal(t1, "zz", back) < 0 && auth_token_unseal(t1, "abc", back) < 0,
		    "a malformed seal: refused");
		auth_token_jti(t1, j1);
		auth_token_jti(t2, j2);
		ok(strlen(j1) == AUTH_JTI_SIZE - 1 && strcmp(j1, j2) != 0, "a jti per refresh token");
		ok(auth_jwt_issue_jti(&ring, &p, now, j1, &a) == 0 && auth_jwt_issue_jti(&ring, &p, now, j1, &b) == 0 &&
		    strcmp(a.data, b.data) == 0, "the same claims, time and jti sign the same access token");
		buf_free(&a);
		buf_free(&b);
	}

	/* argon2id */
	ok(auth_hash("correct horse", 13, hash) == 0 && strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0,
	    "argon2id with the documented cost");
	ok(auth_hash_verify(hash, "correct horse", 13), "the right secret verifies");
	ok(!auth_hash_verify(hash, "correct horsf", 13), "a wrong one does not");
	{
		unsigned long before = auth_argon2_count();

		/* the first check without a real hash in this process: with a dummy made on first
		 * use it cost two runs, the making and the check */
		ok(!auth_hash_verify(NULL, "123456", 6) && auth_argon2_count() - before == 1,
		    "no hash, the first time in a process: false after one argon2id run, as a real check");
		before = auth_argon2_count();
		ok(!auth_hash_verify(hash, "123456", 6) && auth_argon2_count() - before == 1,
		    "a real hash and a wrong secret: one run");
		before = auth_argon2_count();
		ok(!auth_hash_verify("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$broken", "123456", 6) &&
		    auth_argon2_count() - before == 1, "a hash that does not decode: false after one run too");
	}
	ok(!auth_hash_verify(NULL, "correct horse", 13) && !auth_hash_verify("x", "correct horse", 13),
	    "no hash or a malformed one: false (after the same work)");
	ok(!auth_hash_verify(hash, "x", AUTH_PASSWORD_MAX + 1), "input over the limit is refused before hashing");

	/* roles */
	ok(auth_role_parse("admin") == AUTH_ROLE_ADMIN && strcmp(auth_role_name(AUTH_ROLE_RECEPTIONIST), "receptionist") == 0 &&
	    auth_role_parse("root") == 0 && auth_role_parse(NULL) == 0 && *auth_role_name(AUTH_ROLES_STAFF) == '\0',
	    "roles by name and back; unknown ones are 0");

	/* people's details */
	/* phone numbers: t/unit/test-phone.c */
	ok(valid_email("a@b.co") == NULL && valid_email("zoë@exämple.org") == NULL, "email addresses, also in UTF-8");
	ok(valid_email("") && valid_email("a@b") && valid_email("@b.co") && valid_email("a@@b.co") &&
	    valid_email("a b@c.co") && valid_email("a@b.co\r\nBcc: x") && valid_email("a@.co") &&
	    valid_email("a@b.") && valid_email("a@b.co\xff"), "not addresses (header injection and bad UTF-8 too)");
	ok(valid_birth_date("2000-02-29") == NULL && valid_birth_date("1900-01-01") == NULL, "real past dates (a leap day)");
	ok(valid_birth_date("1900-02-29") && valid_birth_date("1990-13-01") && valid_birth_date("1990-1-1") &&
	    valid_birth_date("1899-12-31") && valid_birth_date("2999-01-01") && valid_birth_date("1990-01-01x") &&
	    valid_birth_date(NULL), "not: 1900 was no leap year, month 13, short form, before 1900, future, trailing junk, missing");
	{
		char today[11], name[410];
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
		ok(valid_birth_date(today) != NULL, "today is not in the past");
		memset(name, 0, sizeof name);
		for (int i = 0; i < 200; i++)
			strcat(name, "é");
		ok(valid_text(name, VALID_NAME_MAX, "x") == NULL, "200 two-byte characters fit a 200-character name");
		strcat(name, "é");
		ok(valid_text(name, VALID_NAME_MAX, "x") != NULL, "201 do not");
	}
	ok(valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950e") && valid_uuid("0F8FAD5B-D9CB-469F-A165-70867728950E"),
	    "UUIDs, either case");
	ok(!valid_uuid(NULL) && !valid_uuid("") && !valid_uuid("0f8fad5bd9cb469fa16570867728950e") &&
	    !valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950") && !valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950g") &&
	    !valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950e'") && !valid_uuid("0f8fad5b+d9cb-469f-a165-70867728950e"),
	    "not UUIDs: missing, no dashes, short, a non-hex digit, trailing junk, a wrong separator");
	ok(valid_text("  ", 10, "empty") != NULL && strcmp(valid_text("", 10, "empty"), "empty") == 0, "blank is empty");
	ok(valid_text("a\tb", 10, "x") != NULL && valid_text("a\x7f", 10, "x") != NULL &&
	    valid_text("\xc0\xaf", 10, "x") != NULL, "controls and overlong UTF-8 refused");

	buf_free(&err);
	buf_free(&tok);
	return tap_done();
}
