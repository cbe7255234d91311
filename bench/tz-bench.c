/* tz-bench: what core/tz costs. Loads every zone under the zoneinfo directory once (cold:
 * read, parse, cache) and reports the time and bytes per zone; then converts a fixed
 * pseudo-random set of instants and wall times over 1990-2040, spread over all those zones,
 * and reports nanoseconds per UTC -> wall and per wall -> UTC conversion on one core.
 *
 *   cc -O2 -I src bench/tz-bench.c src/core/tz.c src/core/mem.c -pthread -o tz-bench
 *   taskset -c 0 ./tz-bench [conversions]
 *
 * bench/run tz runs it and appends the figures to bench/RESULTS.md. */

#include <ftw.h>	/* nftw: _XOPEN_SOURCE, which -D_GNU_SOURCE gives */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-clock.h"
#include "core/tz.h"

#define BENCH_TZ_ZONES_MAX     2048
#define BENCH_TZ_CONVERSIONS   4000000
#define BENCH_TZ_FROM          631152000LL	/* 1990-01-01T00:00:00Z */
#define BENCH_TZ_SPAN          1609459200LL	/* to 2041-01-01 */

static const struct tz_zone *zones[BENCH_TZ_ZONES_MAX];
static size_t nzones, bytes, bytes_max;
static double load_secs;
static size_t dir_len;

static int
visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const struct tz_zone *z;
	const char *name = path + dir_len + 1;
	double t0;

	(void)st;
	(void)ftw;
	if ((type != FTW_F && type != FTW_SL) || nzones == BENCH_TZ_ZONES_MAX)	/* links: aliases */
		return 0;
	t0 = bench_now();
	if (tz_load(name, &z) != TZ_OK)	/* posix/, right/, tables: refused or not TZif */
		return 0;
	load_secs += bench_now() - t0;
	zones[nzones++] = z;
	bytes += tz_zone_bytes(z);
	if (tz_zone_bytes(z) > bytes_max)
		bytes_max = tz_zone_bytes(z);
	return 0;
}

static unsigned long long
next_rand(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : BENCH_TZ_CONVERSIONS;
	unsigned long long seed = 0x20261203ULL;
	tz_instant *at = malloc((size_t)n * sizeof *at), sink = 0;
	struct tz_civil *walls = malloc((size_t)n * sizeof *walls);
	double t0, to_local, to_utc;

	if (at == NULL || walls == NULL || n < 1)
		return 1;
	dir_len = strlen(tz_dir());
	nftw(tz_dir(), visit, 16, FTW_PHYS);
	if (nzones == 0) {
		fprintf(stderr, "tz-bench: no zones under %s\n", tz_dir());
		return 1;
	}
	for (long i = 0; i < n; i++) {
		at[i] = BENCH_TZ_FROM + (tz_instant)(next_rand(&seed) % BENCH_TZ_SPAN);
		tz_seconds_to_civil(BENCH_TZ_FROM + (tz_instant)(next_rand(&seed) % BENCH_TZ_SPAN),
		    &walls[i]);
	}
	t0 = bench_now();
	for (long i = 0; i < n; i++) {
		struct tz_local l;

		tz_utc_to_local(zones[i % nzones], at[i], &l);
		sink += l.civil.minute;
	}
	to_local = bench_now() - t0;
	t0 = bench_now();
	for (long i = 0; i < n; i++) {
		tz_instant t;

		tz_local_to_utc(zones[i % nzones], &walls[i], TZ_RULE_FIRST, &t, NULL);
		sink += t;
	}
	to_utc = bench_now() - t0;
	printf("zones=%zu load_us_per_zone=%.1f bytes_per_zone=%zu bytes_max=%zu"
	    " utc_to_local_ns=%.1f local_to_utc_ns=%.1f sink=%lld\n", nzones,
	    load_secs / (double)nzones * 1e6, bytes / nzones, bytes_max, to_local / (double)n * 1e9,
	    to_utc / (double)n * 1e9, (long long)(sink & 1));
	free(at);
	free(walls);
	return 0;
}
