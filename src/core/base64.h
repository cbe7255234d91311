/* base64: the one decoder and encoder Kairos uses — JWT segments and access-token keys
 * (base64url, unpadded), SendGrid's verification key and signatures (standard, padded). */
#ifndef KAIROS_CORE_BASE64_H
#define KAIROS_CORE_BASE64_H

#include <stddef.h>

/* Decodes s[0..n) — standard or url-safe alphabet, padded or not, whitespace ignored — into
 * out (at most cap bytes). Returns the length, or -1 when it is not base64 or does not fit. */
int  b64_decode(const char *s, size_t n, unsigned char *out, size_t cap);
/* Writes in[0..n) as unpadded base64url and a NUL into out (size bytes); a group that does not
 * fit is left out, so out is always terminated. */
void b64url_encode(const unsigned char *in, size_t n, char *out, size_t size);

#endif
