/* jwt.c: access tokens (AUTH-3). HS256 JWTs signed and checked by libjwt, with a key id
 * so keys can be rotated: the first key of KAIROS_JWT_KEYS signs, every listed key
 * verifies.
 *
 * The header is read and judged before libjwt sees the token: only {"alg":"HS256"} with a
 * kid we hold is accepted, so "alg":"none", another algorithm or an unknown key never
 * reaches signature checking with the wrong expectations. */
#include "auth/auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <jwt.h>
#include <openssl/evp.h>

#include "http/http.h"

#define AUTH_JWT_HEADER_MAX 256	/* bytes of decoded header we read */

unsigned
auth_role_parse(const char *name)
{
	static const struct { const char *name; unsigned role; } roles[] = {
		{ "patient", AUTH_ROLE_PATIENT }, { "practitioner", AUTH_ROLE_PRACTITIONER },
		{ "receptionist", AUTH_ROLE_RECEPTIONIST }, { "admin", AUTH_ROLE_ADMIN },
	};

	for (size_t i = 0; name != NULL && i < sizeof roles / sizeof *roles; i++)
		if (strcmp(name, roles[i].name) == 0)
			return roles[i].role;
	return 0;
}

const char *
auth_role_name(unsigned role)
{
	switch (role) {
	case AUTH_ROLE_PATIENT:		return "patient";
	case AUTH_ROLE_PRACTITIONER:	return "practitioner";
	case AUTH_ROLE_RECEPTIONIST:	return "receptionist";
	case AUTH_ROLE_ADMIN:		return "admin";
	default:			return "";
	}
}

int
auth_keyring_parse(const char *spec, struct auth_keyring *ring, struct buf *err)
{
	const char *p = spec;

	memset(ring, 0, sizeof *ring);
	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ','), *colon;
		size_t n = end ? (size_t)(end - p) : strlen(p), kidlen;
		struct auth_jwt_key *k;
		int len;

		colon = memchr(p, ':', n);
		if (ring->count == AUTH_JWT_MAX_KEYS) {
			buf_printf(err, "more than %d keys", AUTH_JWT_MAX_KEYS);
			return -1;
		}
		k = &ring->keys[ring->count];
		kidlen = colon ? (size_t)(colon - p) : 0;
		if (colon == NULL || kidlen == 0 || kidlen > AUTH_KID_MAX ||
		    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") < kidlen) {
			buf_printf(err, "key %zu: expected kid:base64key, the kid 1-%d letters, digits, - _ .",
			    ring->count + 1, AUTH_KID_MAX);
			return -1;
		}
		memcpy(k->kid, p, kidlen);
		len = b64_decode(colon + 1, n - kidlen - 1, k->key, sizeof k->key);
		if (len < AUTH_JWT_MIN_KEY_BYTES) {
			buf_printf(err, "key %s: not base64 of %d to %zu bytes", k->kid,
			    AUTH_JWT_MIN_KEY_BYTES, sizeof k->key);
			return -1;
		}
		k->len = (size_t)len;
		for (size_t i = 0; i < ring->count; i++)
			if (strcmp(ring->keys[i].kid, k->kid) == 0) {
				buf_printf(err, "key id %s appears twice", k->kid);
				return -1;
			}
		ring->count++;
		p = end ? end + 1 : NULL;
	}
	if (ring->count == 0) {
		buf_puts(err, "no key");
		return -1;
	}
	auth_csrf_derive(ring);
	return 0;
}

int
auth_jwt_issue(const struct auth_keyring *ring, const struct auth_principal *p, long now,
    struct buf *out)
{
	char jti[AUTH_JTI_SIZE];

	if (rand_hex(jti, (AUTH_JTI_SIZE - 1) / 2) < 0)
		return -1;
	return auth_jwt_issue_jti(ring, p, now, jti, out);
}

int
auth_jwt_issue_jti(const struct auth_keyring *ring, const struct auth_principal *p, long now,
    const char *jti, struct buf *out)
{
	const struct auth_jwt_key *k = &ring->keys[0];
	jwt_t *jwt = NULL;
	char *s = NULL;
	int rc = -1;

	if (ring->count == 0 || jwt_new(&jwt) != 0)
		return -1;
	if (jwt_add_header(jwt, "kid", k->kid) == 0 &&
	    jwt_add_grant(jwt, "sub", p->user_id) == 0 &&
	    jwt_add_grant(jwt, "org", p->org_id) == 0 &&
	    jwt_add_grant(jwt, "role", auth_role_name(p->role)) == 0 &&
	    jwt_add_grant(jwt, "sid", p->session_id) == 0 &&
	    jwt_add_grant(jwt, "jti", jti) == 0 &&
	    jwt_add_grant_int(jwt, "iat", now) == 0 &&
	    jwt_add_grant_int(jwt, "exp", now + AUTH_ACCESS_TTL_SECONDS) == 0 &&
	    jwt_set_alg(jwt, JWT_ALG_HS256, k->key, (int)k->len) == 0 &&
	    (s = jwt_encode_str(jwt)) != NULL) {
		buf_reset(out);
		buf_puts(out, s);
		rc = 0;
	}
	free(s);
	jwt_free(jwt);
	return rc;
}

/* The key the header names, if the header is exactly what we issue. */
static const struct auth_jwt_key *
auth_jwt_header_key(const struct auth_keyring *ring, const char *token, const char **why)
{
	const char *dot = strchr(token, '.');
	unsigned char raw[AUTH_JWT_HEADER_MAX + 1];
	struct json_object *h, *alg = NULL, *kid = NULL;
	const struct auth_jwt_key *found = NULL;
	int n;

	*why = "malformed token";
	if (dot == NULL || (n = b64_decode(token, (size_t)(dot - token), raw,
	    AUTH_JWT_HEADER_MAX)) <= 0)
		return NULL;
	raw[n] = '\0';
	if (http_json_check((const char *)raw, (size_t)n, 2, why) < 0 ||
	    (h = json_tokener_parse((const char *)raw)) == NULL) {
		*why = "malformed token";
		return NULL;
	}
	/* http_json_text: "HS256\u0000..." or a kid with a NUL inside is no match, not a cut one */
	if (!json_object_object_get_ex(h, "alg", &alg) || http_json_text(alg) == NULL ||
	    strcmp(json_object_get_string(alg), "HS256") != 0)
		*why = "token algorithm not accepted";
	else if (!json_object_object_get_ex(h, "kid", &kid) || http_json_text(kid) == NULL)
		*why = "token has no key id";
	else {
		*why = "token signed with an unknown key";
		for (size_t i = 0; i < ring->count; i++)
			if (strcmp(ring->keys[i].kid, json_object_get_string(kid)) == 0)
				found = &ring->keys[i];
	}
	json_object_put(h);
	return found;
}

int
auth_jwt_verify(const struct auth_keyring *ring, const char *token, long now,
    struct auth_principal *p, const char **why)
{
	const struct auth_jwt_key *k;
	const char *sub, *org, *sid, *role, *jti;
	long exp, iat;
	jwt_t *jwt = NULL;
	int rc = -1;

	memset(p, 0, sizeof *p);
	if (token == NULL || strlen(token) > AUTH_JWT_MAX_BYTES) {
		*why = "malformed token";
		return -1;
	}
	if ((k = auth_jwt_header_key(ring, token, why)) == NULL)
		return -1;
	if (jwt_decode(&jwt, token, k->key, (int)k->len) != 0 || jwt_get_alg(jwt) != JWT_ALG_HS256) {
		*why = "bad token signature";
		jwt_free(jwt);
		return -1;
	}
	errno = 0;
	exp = jwt_get_grant_int(jwt, "exp");
	iat = errno == 0 ? jwt_get_grant_int(jwt, "iat") : 0;
	sub = jwt_get_grant(jwt, "sub");
	org = jwt_get_grant(jwt, "org");
	sid = jwt_get_grant(jwt, "sid");
	role = jwt_get_grant(jwt, "role");
	jti = jwt_get_grant(jwt, "jti");
	if (errno != 0 || !valid_uuid(sub) || !valid_uuid(org) || !valid_uuid(sid) ||
	    jti == NULL || auth_role_parse(role) == 0)
		*why = "token claims incomplete";
	else if (iat > now + AUTH_JWT_CLOCK_SKEW || iat > exp)
		*why = "token issued in the future";
	else {
		p->role = auth_role_parse(role);
		memcpy(p->user_id, sub, AUTH_UUID_SIZE);
		memcpy(p->org_id, org, AUTH_UUID_SIZE);
		memcpy(p->session_id, sid, AUTH_UUID_SIZE);
		p->expires_at = exp;
		*why = exp <= now ? "token expired" : NULL;
		rc = exp <= now ? -2 : 0;
	}
	jwt_free(jwt);
	return rc;
}
