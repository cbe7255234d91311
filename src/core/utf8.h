/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
#ifndef KAIROS_CORE_UTF8_H
#define KAIROS_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid sequence starting at s (1..4), or 0 if it is not valid UTF-8. */
size_t utf8_sequence_length(const char *s, size_t n);
bool   utf8_valid(const char *s, size_t n);
/* How many of the n bytes of s to keep so that at most max are kept and no UTF-8 character
 * is split: n when it fits, else max backed off to the start of the character it falls in
 * (0 for bytes that are all continuations, which are not UTF-8 anyway). */
size_t utf8_cut(const char *s, size_t n, size_t max);
/* The code point of the valid sequence at s (n bytes available), its length in *len; 0 with
 * *len 0 when s does not start with valid UTF-8. */
unsigned long utf8_decode(const char *s, size_t n, size_t *len);
/* Writes code point cp (at most U+10FFFF, not a surrogate) as UTF-8 into out; its length. */
size_t utf8_encode(unsigned long cp, char out[4]);

#endif
