/* Allocation that never returns NULL.
 *
 * Kairos treats running out of memory as fatal: a worker that cannot allocate a few
 * bytes cannot answer its request usefully, and the master restarts it. Centralising
 * the check keeps every caller free of unreachable error paths. */
#ifndef KAIROS_CORE_MEM_H
#define KAIROS_CORE_MEM_H

#include <stddef.h>

/* Each returns memory the caller owns and frees with free(); abort() on exhaustion. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);

#endif
