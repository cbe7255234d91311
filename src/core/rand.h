/* rand: bytes from the kernel's CSPRNG (getrandom), for ids, tokens and codes. */
#ifndef KAIROS_CORE_RAND_H
#define KAIROS_CORE_RAND_H

#include <stddef.h>

/* Fills out with n random bytes; 0, or -1 if the kernel could not supply them. */
int rand_bytes(void *out, size_t n);
/* Writes 2*n lowercase hex digits of n random bytes and a NUL into out (2*n+1 bytes). */
int rand_hex(char *out, size_t n);

#endif
