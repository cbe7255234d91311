/* catalogue/cache: a worker's computed catalogue answers (the psychologist list's
 * nextAvailable, availability's slots), so a patient polling the slot grid, or a hundred
 * patients looking at the same fortnight, cost one computation (issue 13, item 11).
 *
 * An answer is a flat block of bytes under a key (organisation, what was asked, normalised
 * by the caller). It is given back only while both hold:
 *  - the organisation's catalogue version (migration 0021: bumped in the same transaction as
 *    any write to a table an answer reads) is the one it was computed under; the caller
 *    reads the version first in its transaction, before any data, so an answer is never
 *    filed under a version newer than its data;
 *  - the settable clock's now is in [computed_at, valid_until): valid_until is the earliest
 *    instant time alone could change the answer, as the caller computed it, and never more
 *    than CATALOGUE_CACHE_TTL_S after computed_at nor past catalogue_cache_horizon().
 * Memory is bounded (entries and bytes); the least recently used answer goes first.
 * Each worker is one process with one thread: no locking. Pure: unit-tested. */
#ifndef KAIROS_CATALOGUE_CACHE_H
#define KAIROS_CATALOGUE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tz.h"

/* An answer older than this is computed again whatever else holds: a bound on the harm
 * of a change the versions miss (a table written outside the triggers' reach). */
#define CATALOGUE_CACHE_TTL_S      300
/* A worker's budget: answers (bytes of their blocks) and entries. Availability for 14
 * days of a busy clinic is a few kilobytes, so this holds a few thousand queries. */
#define CATALOGUE_CACHE_BYTES      (8u * 1024u * 1024u)
#define CATALOGUE_CACHE_ENTRIES    1024
/* The longest key: organisation, kind, ids, dates and filters of one query. */
#define CATALOGUE_CACHE_KEY_SIZE   256
/* Every zone's offset is a whole number of quarter hours, so every local midnight (when
 * the look-ahead, "available within N days" and maximum advance move) falls on one. */
#define CATALOGUE_CACHE_QUARTER_S  900

struct catalogue_cache_entry {
	char       key[CATALOGUE_CACHE_KEY_SIZE];
	uint64_t   hash;
	long long  version;
	tz_instant computed_at, valid_until;
	uint64_t   used;		/* the cache's tick at the last get or put */
	void      *blob;		/* owned; NULL: the slot is free */
	size_t     len;
};

struct catalogue_cache {
	struct catalogue_cache_entry *entries;	/* owned, max_entries of them */
	size_t   max_entries, max_bytes, bytes, count;
	uint64_t tick;
	uint64_t hits, misses, evictions;	/* for logs and tests */
};

/* An empty cache of at most max_entries answers and max_bytes of them. false: out of
 * memory (the cache then stores nothing, which is correct, only slower). */
bool catalogue_cache_init(struct catalogue_cache *c, size_t max_entries, size_t max_bytes);
void catalogue_cache_free(struct catalogue_cache *c);

/* The answer under key computed under version, if now is in its window: the block (owned
 * by the cache, valid until the next put or free) and *len, else NULL. An entry whose
 * version or window no longer holds is dropped. */
const void *catalogue_cache_get(struct catalogue_cache *c, const char *key, long long version,
	tz_instant now, size_t *len);
/* The same, and *valid_until (on a hit) the end of the answer's window: an answer built from
 * this one holds no longer. */
const void *catalogue_cache_get_until(struct catalogue_cache *c, const char *key,
	long long version, tz_instant now, size_t *len, tz_instant *valid_until);

/* Files a copy of blob[0..len) under key for [now, valid_until), valid_until cut to
 * now + CATALOGUE_CACHE_TTL_S and to catalogue_cache_horizon(now); evicts the least
 * recently used answers to make room. false: not filed (an empty window, a key too long,
 * an answer bigger than the budget, out of memory). */
bool catalogue_cache_put(struct catalogue_cache *c, const char *key, long long version,
	tz_instant now, tz_instant valid_until, const void *blob, size_t len);

/* The first quarter hour after now: no local midnight falls before it. */
tz_instant catalogue_cache_horizon(tz_instant now);

#endif
