/* buf, arena, utf8 and log timestamps: the byte-level building blocks. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "tap.h"

static void
test_append_and_printf(void)
{
	struct buf b = BUF_INIT;

	is_str(buf_cstr(&b), "", "an empty buffer reads as \"\"");
	buf_puts(&b, "abc");
	buf_putc(&b, '-');
	buf_printf(&b, "%d/%s", 42, "x");
	is_str(b.data, "abc-42/x", "append, putc and printf concatenate");
	is_int((long long)b.len, 8, "length counts bytes without the terminator");

	buf_reset(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%04d", i);
	is_int((long long)b.len, 4000, "printf grows the buffer past its first allocation");
	ok(memcmp(b.data + 3996, "0999", 4) == 0 && b.data[4000] == '\0',
	    "grown contents are intact and terminated");
	buf_free(&b);
}

static void
test_append_int(void)
{
	static const long long values[] = { 0, 7, -1, 10, -10, 1234567890123LL, LLONG_MAX,
	    LLONG_MIN };
	struct buf b = BUF_INIT;
	char want[32];

	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		buf_reset(&b);
		buf_putc(&b, '[');
		buf_append_int(&b, values[i]);
		buf_putc(&b, ']');
		snprintf(want, sizeof want, "[%lld]", values[i]);
		is_str(b.data, want, "buf_append_int(%lld) reads as printf's %%lld", values[i]);
	}
	buf_free(&b);
}

/* The cached second must not go stale: two stamps straddling a second boundary differ in
 * the seconds, and each matches the clock's own second. */
static void
test_log_time(void)
{
	char a[LOG_TIME_SIZE], b[LOG_TIME_SIZE], want[LOG_TIME_SIZE];
	struct timespec ts;
	struct tm tm;
	time_t first;

	log_time_now(a);
	is_int((long long)strlen(a), 27, "a log timestamp is 27 characters (%s)", a);
	ok(a[4] == '-' && a[10] == 'T' && a[19] == '.' && a[26] == 'Z' &&
	    strspn(a + 20, "0123456789") == 6, "it reads YYYY-MM-DDTHH:MM:SS.uuuuuuZ");
	/* Not time(NULL): it reads the coarse clock, which can lag gettimeofday's by a tick,
	 * and then `first` is the second before a's and the loop stops inside a's second. */
	clock_gettime(CLOCK_REALTIME, &ts);
	first = ts.tv_sec;
	do {
		clock_gettime(CLOCK_REALTIME, &ts);
		log_time_now(b);
	} while (ts.tv_sec == first);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
	/* the stamp was taken after ts, so it is ts's second or (rarely) the next one */
	ok(strncmp(b, want, 19) == 0 || ts.tv_nsec > 999000000L,
	    "after the second turns, the stamp has the new second (%s, clock %s)", b, want);
	ok(strncmp(a, b, 19) != 0, "and differs from the one before");
}

static void
test_html_escape(void)
{
	struct buf b = BUF_INIT;
	const char *in = "<a href=\"x\">Tom & Jerry's</a>";

	buf_append_html(&b, in, strlen(in));
	is_str(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;",
	    "all five HTML specials are escaped, the apostrophe too");
	buf_free(&b);

	/* Specials only, so every entity needs room the first reservation did not make. */
	buf_append_html(&b, "", 0);
	is_str(b.data, "", "escaping nothing leaves an empty, terminated string");
	buf_append_html(&b, "\"\"''<<>>&&", 10);
	buf_append_html(&b, "a\0<", 3);
	ok(b.len == 54 && memcmp(b.data,
	    "&quot;&quot;&#39;&#39;&lt;&lt;&gt;&gt;&amp;&amp;a\0&lt;", 55) == 0,
	    "adjacent specials, and a NUL byte copied as it is");
	buf_free(&b);
}

static void
test_json_string(void)
{
	struct buf b = BUF_INIT;
	const char in[] = "q\"\\\n\x01\xff\xc3\xa9";

	buf_append_json_string(&b, in, sizeof in - 1);
	is_str(b.data, "\"q\\\"\\\\\\n\\u0001\xef\xbf\xbd\xc3\xa9\"",
	    "JSON strings escape quotes, controls, and replace invalid UTF-8 with U+FFFD");
	buf_free(&b);
}

static void
test_detach(void)
{
	struct buf b = BUF_INIT;
	char *p = buf_detach(&b);

	is_str(p, "", "detaching an empty buffer gives an empty string, not NULL");
	free(p);
	buf_puts(&b, "kept");
	p = buf_detach(&b);
	is_str(p, "kept", "detach hands over the contents");
	ok(b.data == NULL && b.len == 0, "and leaves the buffer empty");
	free(p);
}

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		int valid;
		const char *what;
	} cases[] = {
		{ "plain ascii", 1, "ASCII" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 1, "2, 3 and 4 byte sequences" },
		{ "\xc0\xaf", 0, "overlong slash" },
		{ "\xe0\x80\xaf", 0, "overlong 3-byte" },
		{ "\xed\xa0\x80", 0, "UTF-16 surrogate" },
		{ "\xf4\x90\x80\x80", 0, "above U+10FFFF" },
		{ "\xc3", 0, "truncated sequence" },
		{ "\x80", 0, "lone continuation byte" },
		{ "\xff", 0, "byte never valid in UTF-8" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		is_int(utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid, "utf8: %s",
		    cases[i].what);
}

static void
test_arena(void)
{
	struct arena a = ARENA_INIT;
	char *big, *s;
	int *n;

	s = arena_strdup(&a, "hello");
	n = arena_alloc(&a, sizeof *n);
	*n = 7;
	ok(((uintptr_t)n % _Alignof(max_align_t)) == 0, "arena allocations are aligned");
	big = arena_alloc(&a, 100000);
	memset(big, 'x', 100000);
	is_str(s, "hello", "a large allocation does not disturb earlier ones");
	is_int(*n, 7, "nor earlier integers");
	arena_reset(&a);
	s = arena_strdup(&a, "again");
	is_str(s, "again", "the arena is reusable after reset");
	arena_free(&a);
	ok(a.head == NULL, "free releases every chunk");
}

/* A buffer in an arena: grows in place while it is the newest allocation, moves (keeping its
 * bytes) when something was allocated after it, and needs no free: the arena takes it. */
static void
test_arena_buf(void)
{
	struct arena a = ARENA_INIT;
	struct buf b = BUF_ARENA(&a), big = BUF_ARENA(&a);
	const char *first, *after;
	bool intact = true;

	buf_puts(&b, "abc");
	first = b.data;
	for (int i = 0; i < 100; i++)
		buf_printf(&b, "%04d", i);
	ok(b.data == first, "an arena buffer grows in place while it is the arena's newest");
	after = arena_strdup(&a, "after");
	for (int i = 100; i < 1000; i++)
		buf_printf(&b, "%04d", i);
	ok(b.data != first, "and moves once something was allocated after it");
	ok(strncmp(b.data, "abc0000", 7) == 0 && memcmp(b.data + 3 + 3996, "0999", 4) == 0 &&
	    b.len == 4003 && b.data[b.len] == '\0', "its bytes move with it, terminated");
	is_str(after, "after", "what was allocated after it is left alone");
	/* past a chunk: alone in a chunk of its own, which grows by realloc */
	for (int i = 0; i < 50000; i++)
		buf_putc(&big, (char)('a' + i % 26));
	for (size_t i = 0; i < big.len; i++)
		intact = intact && big.data[i] == (char)('a' + i % 26);
	ok(intact && big.len == 50000, "a buffer larger than a chunk grows intact");
	ok(b.data != NULL && strncmp(b.data, "abc0000", 7) == 0, "and the first buffer is untouched");
	buf_free(&b);
	ok(b.data == NULL && b.len == 0 && b.arena == &a, "buf_free only empties an arena buffer");
	buf_puts(&b, "again");
	is_str(buf_cstr(&b), "again", "which can be filled again, in the arena");
	is_str(buf_detach(&big) + 49998, "ab", "buf_detach hands out the arena's bytes");
	arena_free(&a);	/* ASan: no leak, no double free */
	ok(a.head == NULL, "the arena frees them all");
}

static void
test_str_index(void)
{
	static const char *const words[] = { "sms", "whatsapp", "email" };

	is_int(STR_INDEX(words, "email"), 2, "str_index finds a word's position");
	is_int(STR_INDEX(words, "SMS"), -1, "case matters");
	is_int(STR_INDEX(words, ""), -1, "an empty word is not in the table");
}

int
main(void)
{
	test_append_and_printf();
	test_append_int();
	test_log_time();
	test_html_escape();
	test_json_string();
	test_detach();
	test_utf8();
	test_arena();
	test_arena_buf();
	test_str_index();
	return tap_done();
}
