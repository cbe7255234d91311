/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
#ifndef KAIROS_CORE_UTF8_H
#define KAIROS_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid sequence starting at s (1..4), or 0 if it is not valid UTF-8. */
size_t utf8_sequence_length(const char *s, size_t n);
bool   utf8_valid(const char *s, size_t n);

#endif
