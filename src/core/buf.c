#include "core/buf.h"
#include "core/arena.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation; small enough for a log line, large enough to avoid early regrowth. */
#define BUF_MIN_CAP 256

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > SIZE_MAX - b->len - 1)
		abort();	/* a length that cannot exist: a caller bug, not input */
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : BUF_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = b->arena ? arena_grow(b->arena, b->data, b->cap, cap) : xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* Two digits a step: ids and amounts have a few digits, and each step is one division
 * that the compiler turns into a multiply and a shift. */
char *
buf_format_uint(char *end, unsigned long long u)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	char *e = end;

	while (u >= 10) {
		end -= 2;
		memcpy(end, pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u > 0 || end == e)	/* a last odd digit, or the only one */
		*--end = (char)('0' + u);
	return end;
}

void
buf_append_int(struct buf *b, long long v)
{
	char digits[BUF_UINT_DIGITS + 1], *end = digits + sizeof digits, *p;

	p = buf_format_uint(end, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(end - p));
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	buf_reserve(b, 64);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	}
	va_end(ap2);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* What buf_append_html() writes for each byte it escapes (buf_html_special: its length). */
static const char *const html_entity[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};
const unsigned char buf_html_special[256] = {
	['&'] = 5, ['<'] = 4, ['>'] = 4, ['"'] = 6, ['\''] = 5,
};

/* The longest entity buf_append_html() writes (&quot;), and the longest text it
 * escapes with one reservation for the worst case: values are short and their
 * entities few, and a reservation per entity costs more than the entity. */
#define HTML_ENTITY_MAX	6
#define HTML_SHORT	256

void
buf_append_html(struct buf *b, const char *s, size_t n)
{
	size_t i = 0, run, k;
	char *d;

	if (n <= HTML_SHORT) {
		buf_reserve(b, n * HTML_ENTITY_MAX);
		d = b->data + b->len;
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];

			if ((k = buf_html_special[c]) == 0)
				*d++ = (char)c;
			else {
				memcpy(d, html_entity[c], k);
				d += k;
			}
		}
		b->len = (size_t)(d - b->data);
		b->data[b->len] = '\0';
		return;
	}
	buf_reserve(b, n);
	while (i < n) {
		/* Most text has little or nothing to escape: one copy per clean run. */
		for (run = i; i < n && buf_html_special[(unsigned char)s[i]] == 0; i++)
			;
		memcpy(b->data + b->len, s + run, i - run);
		b->len += i - run;
		if (i == n)
			break;
		k = buf_html_special[(unsigned char)s[i]];
		/* room for the entity and the rest of s, so a clean run needs no check */
		buf_reserve(b, k + (n - i - 1));
		memcpy(b->data + b->len, html_entity[(unsigned char)s[i]], k);
		b->len += k;
		i++;
	}
	b->data[b->len] = '\0';
}

void
buf_append_json_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	buf_reserve(b, n + 2);
	buf_putc(b, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t seq;

		if (c >= 0x80) {
			seq = utf8_sequence_length(s + i, n - i);
			if (seq == 0) {
				buf_puts(b, "\xef\xbf\xbd");	/* U+FFFD */
				i++;
			} else {
				buf_append(b, s + i, seq);
				i += seq;
			}
			continue;
		}
		switch (c) {
		case '"':  buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				buf_append(b, esc, sizeof esc);
			} else
				buf_putc(b, (char)c);
		}
		i++;
	}
	buf_putc(b, '"');
}

const char *
buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

void
buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

void
buf_free(struct buf *b)
{
	if (b->arena == NULL)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data ? b->data : b->arena ? arena_strdup(b->arena, "") : xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
