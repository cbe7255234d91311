/* cache.c: a worker's computed catalogue answers (cache.h). A few hundred entries at most:
 * lookups and eviction scan the array, comparing a hash before the key. */
#include "catalogue/cache.h"

#include <stdlib.h>
#include <string.h>

static uint64_t
catalogue_cache_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

bool
catalogue_cache_init(struct catalogue_cache *c, size_t max_entries, size_t max_bytes)
{
	memset(c, 0, sizeof *c);
	c->entries = calloc(max_entries, sizeof *c->entries);
	if (c->entries == NULL)
		return false;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	return true;
}

static void
catalogue_cache_drop(struct catalogue_cache *c, struct catalogue_cache_entry *e)
{
	c->bytes -= e->len;
	c->count--;
	free(e->blob);
	memset(e, 0, sizeof *e);
}

void
catalogue_cache_free(struct catalogue_cache *c)
{
	for (size_t i = 0; i < c->max_entries; i++)
		if (c->entries[i].blob != NULL)
			catalogue_cache_drop(c, &c->entries[i]);
	free(c->entries);
	memset(c, 0, sizeof *c);
}

static struct catalogue_cache_entry *
catalogue_cache_find(struct catalogue_cache *c, const char *key, uint64_t hash)
{
	for (size_t i = 0; i < c->max_entries; i++) {
		struct catalogue_cache_entry *e = &c->entries[i];

		if (e->blob != NULL && e->hash == hash && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

const void *
catalogue_cache_get(struct catalogue_cache *c, const char *key, long long version, tz_instant now,
    size_t *len)
{
	tz_instant until;

	return catalogue_cache_get_until(c, key, version, now, len, &until);
}

const void *
catalogue_cache_get_until(struct catalogue_cache *c, const char *key, long long version,
    tz_instant now, size_t *len, tz_instant *valid_until)
{
	struct catalogue_cache_entry *e;

	*len = 0;
	if (c->entries == NULL || (e = catalogue_cache_find(c, key, catalogue_cache_hash(key))) == NULL) {
		c->misses++;
		return NULL;
	}
	if (e->version != version || now < e->computed_at || now >= e->valid_until) {
		catalogue_cache_drop(c, e);
		c->misses++;
		return NULL;
	}
	e->used = ++c->tick;
	c->hits++;
	*len = e->len;
	*valid_until = e->valid_until;
	return e->blob;
}

tz_instant
catalogue_cache_horizon(tz_instant now)
{
	tz_instant q = now / CATALOGUE_CACHE_QUARTER_S - (now % CATALOGUE_CACHE_QUARTER_S < 0);

	return (q + 1) * CATALOGUE_CACHE_QUARTER_S;
}

/* Drops the least recently used answer (the cache holds at least one). */
static void
catalogue_cache_evict(struct catalogue_cache *c)
{
	struct catalogue_cache_entry *oldest = NULL;

	for (size_t i = 0; i < c->max_entries; i++)
		if (c->entries[i].blob != NULL && (oldest == NULL || c->entries[i].used < oldest->used))
			oldest = &c->entries[i];
	catalogue_cache_drop(c, oldest);
	c->evictions++;
}

bool
catalogue_cache_put(struct catalogue_cache *c, const char *key, long long version, tz_instant now,
    tz_instant valid_until, const void *blob, size_t len)
{
	uint64_t hash = catalogue_cache_hash(key);
	struct catalogue_cache_entry *e;
	void *copy;

	if (valid_until > now + CATALOGUE_CACHE_TTL_S)
		valid_until = now + CATALOGUE_CACHE_TTL_S;
	if (valid_until > catalogue_cache_horizon(now))
		valid_until = catalogue_cache_horizon(now);
	if (c->entries == NULL || valid_until <= now || strlen(key) >= CATALOGUE_CACHE_KEY_SIZE ||
	    len > c->max_bytes)
		return false;
	if ((e = catalogue_cache_find(c, key, hash)) != NULL)
		catalogue_cache_drop(c, e);
	/* room: a slot, and bytes (an empty cache has both: len <= max_bytes) */
	while (c->count == c->max_entries || c->bytes + len > c->max_bytes)
		catalogue_cache_evict(c);
	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return false;
	memcpy(copy, blob, len);
	for (e = c->entries; e->blob != NULL; e++)
		;	/* a free slot: count < max_entries */
	memcpy(e->key, key, strlen(key) + 1);
	e->hash = hash;
	e->version = version;
	e->computed_at = now;
	e->valid_until = valid_until;
	e->used = ++c->tick;
	e->blob = copy;
	e->len = len;
	c->bytes += len;
	c->count++;
	return true;
}
