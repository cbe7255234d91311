/* base64.c: see base64.h. OpenSSL decodes; the alphabet and the padding are ours to fix up. */
#include "core/base64.h"

#include <string.h>

#include <openssl/evp.h>

#define B64_MAX_INPUT 4096	/* longer than any key, signature or token header we decode */

int
b64_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
	char tmp[B64_MAX_INPUT + 4];
	unsigned char dec[B64_MAX_INPUT / 4 * 3 + 3];
	size_t len = 0, pad = 0;
	int got;

	if (n == 0 || n > B64_MAX_INPUT)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
			continue;	/* keys pasted from a console may be wrapped */
		if (s[i] == '=') {
			pad++;
			continue;	/* counted, then written back below: trailing only */
		}
		if (pad > 0)
			return -1;	/* data after padding */
		tmp[len++] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	}
	if (pad > 2 || len % 4 == 1)
		return -1;
	pad = (4 - len % 4) % 4;
	while (pad-- > 0)
		tmp[len++] = '=';
	tmp[len] = '\0';
	/* DecodeBlock also takes the padding as zero bytes: subtract them */
	if ((got = EVP_DecodeBlock(dec, (const unsigned char *)tmp, (int)len)) < 0)
		return -1;
	for (size_t i = len; i > 0 && tmp[i - 1] == '='; i--)
		got--;
	if (got < 0 || (size_t)got > cap)
		return -1;
	memcpy(out, dec, (size_t)got);
	return got;
}

void
b64url_encode(const unsigned char *in, size_t n, char *out, size_t size)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		size_t chars = n - i >= 3 ? 4 : n - i + 1;	/* no padding: 2 or 3 for a short tail */
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);

		if (o + chars >= size)
			break;
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = a[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = a[v & 63];
	}
	out[o] = '\0';
}
