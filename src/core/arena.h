/* arena: a bump allocator whose memory is released all at once.
 *
 * Each request owns one arena (ARCHITECTURE.md: per-request allocations are freed in one
 * place), so parsed params, cookies and decoded strings need no individual free(). */
#ifndef KAIROS_CORE_ARENA_H
#define KAIROS_CORE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;	/* newest chunk first */
};

#define ARENA_INIT { NULL }

/* Memory owned by the arena, aligned for any type, valid until arena_reset/arena_free. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t count, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* A formatted string in the arena (messages and URLs a request answers with). */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Memory for n bytes that starts with the first old bytes at p (old < n), which arena_alloc or
 * arena_grow gave for old bytes: for a buffer that grows in the arena (buf.h's BUF_ARENA).
 * p's own memory is extended when nothing was allocated after it and its chunk has room (or
 * p fills its chunk alone: the chunk is reallocated), else copied and left to the arena. */
void *arena_grow(struct arena *a, void *p, size_t old, size_t n);
/* Frees all but the first chunk, so a worker reuses it for the next request. */
void  arena_reset(struct arena *a);
void  arena_free(struct arena *a);

#endif
