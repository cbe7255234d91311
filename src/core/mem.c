#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
mem_exhausted(size_t n)
{
	fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"out of memory\",\"bytes\":%zu}\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		mem_exhausted(n);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (p == NULL)
		mem_exhausted(count * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		mem_exhausted(n);
	return q;
}

void *
xmemdup(const void *p, size_t n)
{
	void *q = xmalloc(n);
	if (n)
		memcpy(q, p, n);
	return q;
}

char *
xstrndup(const char *s, size_t n)
{
	char *q = xmalloc(n + 1);
	memcpy(q, s, n);
	q[n] = '\0';
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
