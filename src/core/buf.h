/* buf: a growable byte string, always NUL-terminated after its last byte.
 *
 * Used for response bodies, rendered templates, SQL parameters and log lines.
 * A zeroed struct (BUF_INIT) is an empty buffer; nothing is allocated until the
 * first append. The buffer owns `data`; buf_free() releases it, buf_detach()
 * hands it to the caller.
 *
 * A buffer made with BUF_ARENA(a) grows in arena a instead (arena_grow): its data is the
 * arena's and goes with it, so a handler that builds text in its request's arena returns
 * from anywhere without a buf_free (which, for such a buffer, only empties it). */
#ifndef KAIROS_CORE_BUF_H
#define KAIROS_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct buf {
	char   *data;	/* NULL until the first append; then NUL-terminated */
	size_t  len;	/* bytes in use, not counting the terminator */
	size_t  cap;	/* bytes allocated */
	struct arena *arena;	/* NULL: data is malloc'd and owned; else a's (BUF_ARENA) */
};

#define BUF_INIT { NULL, 0, 0, NULL }
#define BUF_ARENA(a) { NULL, 0, 0, (a) }

void  buf_reserve(struct buf *b, size_t extra);
void  buf_append(struct buf *b, const void *p, size_t n);
void  buf_puts(struct buf *b, const char *s);
void  buf_putc(struct buf *b, char c);
void  buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void  buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Appends v in decimal (a minus sign first when negative): for hot paths, where printf's
 * parsing of its format costs more than the digits. */
void  buf_append_int(struct buf *b, long long v);
/* Writes u's decimal digits so that they end just before end, and returns where they
 * start (at most BUF_UINT_DIGITS bytes before end). Nothing is terminated. */
#define BUF_UINT_DIGITS 20
char *buf_format_uint(char *end, unsigned long long u);

/* HTML-escapes & < > " ' (the apostrophe too, so single-quoted attributes are safe). */
void  buf_append_html(struct buf *b, const char *s, size_t n);
/* For each byte, the length of the entity buf_append_html() replaces it with, 0 for the
 * bytes it copies: for callers that copy the clean text before the first one themselves. */
extern const unsigned char buf_html_special[256];
/* Appends s as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. */
void  buf_append_json_string(struct buf *b, const char *s, size_t n);

/* The contents as a C string: "" for an empty buffer (never NULL). Owned by b. */
const char *buf_cstr(const struct buf *b);
void  buf_truncate(struct buf *b, size_t len);
void  buf_reset(struct buf *b);	/* empties, keeps the allocation */
void  buf_free(struct buf *b);
/* Hands the data to the caller (free() it; an arena buffer's stays the arena's) and leaves b
 * empty; never NULL. */
char *buf_detach(struct buf *b);

#endif
