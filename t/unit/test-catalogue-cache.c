/* catalogue/cache.c: an answer comes back only under the version it was filed with and
 * while now is in [computed_at, valid_until); valid_until is cut to the TTL and to the next
 * quarter hour; the least recently used answer is evicted when entries or bytes run out;
 * an answer bigger than the budget or a key too long is never filed; a hit tells the end
 * of its window. */
#include "catalogue/cache.h"
#include "tap.h"

#include <string.h>

/* 2026-12-03 07:00:00 UTC: a quarter-hour boundary */
#define T0 1796281200LL

int
main(void)
{
	struct catalogue_cache c;
	const char *got;
	size_t len;
	char big[CATALOGUE_CACHE_KEY_SIZE + 8];

	ok(catalogue_cache_horizon(T0) == T0 + 900, "horizon: on a boundary, the next one");
	ok(catalogue_cache_horizon(T0 + 899) == T0 + 900, "horizon: a second before it");
	ok(catalogue_cache_horizon(-1) == 0, "horizon: before the epoch rounds down first");

	ok(catalogue_cache_init(&c, 3, 100), "init");
	ok(catalogue_cache_get(&c, "a", 1, T0, &len) == NULL && c.misses == 1, "empty: a miss");
	ok(catalogue_cache_put(&c, "a", 1, T0 + 10, T0 + 100, "alpha", 5), "filed");
	got = catalogue_cache_get(&c, "a", 1, T0 + 10, &len);
	ok(got != NULL && len == 5 && memcmp(got, "alpha", 5) == 0, "hit at computed_at");
	ok(catalogue_cache_get(&c, "a", 1, T0 + 99, &len) != NULL, "hit a second before valid_until");
	{
		tz_instant until = 0;

		ok(catalogue_cache_get_until(&c, "a", 1, T0 + 50, &len, &until) != NULL && until == T0 + 100,
		    "a hit gives the end of its window (what is built from it holds no longer)");
	}
	ok(catalogue_cache_get(&c, "a", 1, T0 + 100, &len) == NULL, "miss at valid_until");
	ok(c.count == 0 && c.bytes == 0, "and the expired answer is gone");

	catalogue_cache_put(&c, "a", 1, T0 + 10, T0 + 100, "alpha", 5);
	ok(catalogue_cache_get(&c, "a", 1, T0 + 9, &len) == NULL, "miss before computed_at (a clock moved back)");
	catalogue_cache_put(&c, "a", 1, T0 + 10, T0 + 100, "alpha", 5);
	ok(catalogue_cache_get(&c, "a", 2, T0 + 10, &len) == NULL, "miss under another version");
	ok(catalogue_cache_get(&c, "a", 1, T0 + 10, &len) == NULL, "and the old version's answer is gone");

	/* windows are cut: to the quarter hour, and to the TTL */
	catalogue_cache_put(&c, "q", 1, T0 + 800, T0 + 5000, "x", 1);
	ok(catalogue_cache_get(&c, "q", 1, T0 + 899, &len) != NULL, "cut window: hit before the quarter hour");
	ok(catalogue_cache_get(&c, "q", 1, T0 + 900, &len) == NULL, "cut window: miss at the quarter hour");
	ok(CATALOGUE_CACHE_TTL_S < CATALOGUE_CACHE_QUARTER_S ||
	    catalogue_cache_put(&c, "t", 1, T0, T0 + 5000, "x", 1), "TTL or quarter, whichever first");
	ok(!catalogue_cache_put(&c, "e", 1, T0 + 10, T0 + 10, "x", 1), "an empty window is not filed");
	ok(!catalogue_cache_put(&c, "e", 1, T0 + 10, T0 + 5, "x", 1), "nor one that ended");
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ok(!catalogue_cache_put(&c, big, 1, T0, T0 + 60, "x", 1), "a key too long is not filed");
	ok(!catalogue_cache_put(&c, "huge", 1, T0, T0 + 60, big, 101), "an answer over the budget is not filed");
	catalogue_cache_free(&c);

	/* eviction by entries: three slots, the least recently used goes */
	catalogue_cache_init(&c, 3, 100);
	catalogue_cache_put(&c, "one", 1, T0, T0 + 60, "1", 1);
	catalogue_cache_put(&c, "two", 1, T0, T0 + 60, "2", 1);
	catalogue_cache_put(&c, "three", 1, T0, T0 + 60, "3", 1);
	catalogue_cache_get(&c, "one", 1, T0, &len);	/* "two" is now the oldest */
	catalogue_cache_put(&c, "four", 1, T0, T0 + 60, "4", 1);
	ok(c.count == 3 && c.evictions == 1, "a fourth answer evicts one");
	ok(catalogue_cache_get(&c, "two", 1, T0, &len) == NULL, "the least recently used");
	ok(catalogue_cache_get(&c, "one", 1, T0, &len) != NULL && catalogue_cache_get(&c, "three", 1, T0, &len) != NULL &&
	    catalogue_cache_get(&c, "four", 1, T0, &len) != NULL, "the others stay");
	/* refiling a key replaces it without growing */
	catalogue_cache_put(&c, "one", 2, T0, T0 + 60, "11", 2);
	got = catalogue_cache_get(&c, "one", 2, T0, &len);
	ok(c.count == 3 && got != NULL && len == 2 && memcmp(got, "11", 2) == 0, "refiled in place");
	catalogue_cache_free(&c);

	/* eviction by bytes: 100 bytes, 40 each */
	catalogue_cache_init(&c, 10, 100);
	memset(big, 'b', sizeof big);
	catalogue_cache_put(&c, "x", 1, T0, T0 + 60, big, 40);
	catalogue_cache_put(&c, "y", 1, T0, T0 + 60, big, 40);
	catalogue_cache_put(&c, "z", 1, T0, T0 + 60, big, 40);
	ok(c.bytes == 80 && c.count == 2, "bytes stay within the budget");
	ok(catalogue_cache_get(&c, "x", 1, T0, &len) == NULL && catalogue_cache_get(&c, "z", 1, T0, &len) != NULL,
	    "the oldest went to make room");
	ok(catalogue_cache_put(&c, "w", 1, T0, T0 + 60, big, 100) && c.count == 1 && c.bytes == 100,
	    "an answer the size of the budget empties it");
	catalogue_cache_free(&c);
	return tap_done();
}
