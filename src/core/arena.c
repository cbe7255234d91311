#include "core/arena.h"
#include "core/mem.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Big enough that a typical request (a few dozen params and cookies) fits in one chunk. */
#define ARENA_CHUNK_SIZE 16384

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

static size_t
arena_align(size_t n)
{
	size_t a = alignof(max_align_t);

	if (n > SIZE_MAX - a)
		abort();
	return (n + a - 1) & ~(a - 1);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	void *p;

	n = arena_align(n ? n : 1);
	if (c == NULL || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK_SIZE ? n : ARENA_CHUNK_SIZE;

		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

void *
arena_grow(struct arena *a, void *p, size_t old, size_t n)
{
	struct arena_chunk *c = a->head, *moved;
	uintptr_t at = (uintptr_t)p, data;
	void *q;

	if (p == NULL)
		return arena_alloc(a, n);
	old = arena_align(old ? old : 1);
	n = arena_align(n);
	if (c != NULL && at >= (data = (uintptr_t)c->data) && at + old == data + c->used) {
		size_t start = at - data;

		if (c->size - start >= n) {	/* the newest allocation, with room after it */
			c->used = start + n;
			return p;
		}
		if (start == 0) {	/* alone in its chunk: realloc may keep it in place */
			moved = xrealloc(c, sizeof *c + n);
			moved->size = moved->used = n;
			a->head = moved;
			return moved->data;
		}
	}
	q = arena_alloc(a, n);
	memcpy(q, p, old);
	return q;
}

void *
arena_calloc(struct arena *a, size_t count, size_t size)
{
	void *p;

	if (size && count > SIZE_MAX / size)
		abort();
	p = arena_alloc(a, count * size);
	memset(p, 0, count * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *out;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	out = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(out, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	return out;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	if (c == NULL)
		return;
	/* keep the oldest (first allocated, usually the standard-size) chunk */
	while (c->next != NULL) {
		next = c->next;
		free(c);
		c = next;
	}
	c->used = 0;
	a->head = c;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}
