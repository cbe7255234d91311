/* tz-compare: checks core/tz against PostgreSQL's AT TIME ZONE, row by row, on the rows
 * t/lib/tz-samples.sql writes (tab-separated, from psql's COPY ... TO STDOUT):
 *
 *   kind  zone  t  wall-of-t  w  utc-of-w
 *
 * UTC -> wall: tz_utc_to_local(zone, t) must show wall-of-t. Wall -> UTC:
 * tz_local_to_utc(zone, w, TZ_RULE_POSTGRES) must give utc-of-w, gaps and overlaps included;
 * and Kairos's own rule (TZ_RULE_FIRST) is checked there against its definition: in an
 * overlap the earlier instant showing w, in a gap the transition (the first instant showing
 * a wall time past w). Prints the counts and the first few mismatches; exits 1 on any.
 * Run by t/integration/tz-postgres.t. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/tz.h"

#define COMPARE_LINE_MAX 512
#define COMPARE_SHOW_MAX 10	/* mismatches printed in full */
#define COMPARE_ZONES_MAX 4096

static long mismatches;

static void __attribute__((format(printf, 1, 2)))
mismatch(const char *fmt, ...)
{
	va_list ap;

	if (mismatches++ >= COMPARE_SHOW_MAX)
		return;
	va_start(ap, fmt);
	fputs("MISMATCH ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

/* "YYYY-MM-DD HH:MM:SS" (PostgreSQL's ISO output; no fractions here: whole seconds in). */
static int
parse_wall(const char *s, struct tz_civil *c)
{
	return sscanf(s, "%d-%d-%d %d:%d:%d", &c->year, &c->month, &c->day, &c->hour, &c->minute,
	    &c->second) == 6 ? 0 : -1;
}

static int
civil_cmp(const struct tz_civil *a, const struct tz_civil *b)
{
	tz_instant x = tz_civil_to_seconds(a), y = tz_civil_to_seconds(b);

	return x < y ? -1 : x > y;
}

int
main(void)
{
	static char seen[COMPARE_ZONES_MAX][TZ_NAME_MAX + 1];
	char line[COMPARE_LINE_MAX], last[TZ_NAME_MAX + 1] = "";
	const struct tz_zone *z = NULL;
	long rows = 0, dense = 0, gaps = 0, overlaps = 0;
	int zones = 0;
	long long t0 = clock_mono_us();

	while (fgets(line, sizeof line, stdin)) {
		char *f[6], *p = line;
		struct tz_civil want, wall;
		struct tz_local l;
		tz_instant t, w, want_utc, got, first;
		enum tz_wall kind;
		enum tz_error e;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		for (n = 0; n < 6 && p; n++) {
			f[n] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		if (n != 6 || p != NULL || parse_wall(f[3], &want) < 0) {
			fprintf(stderr, "tz-compare: bad row %ld: %s\n", rows + 1, line);
			return 2;
		}
		rows++;
		dense += f[0][0] == 'd';
		if (strcmp(f[1], last) != 0) {
			if ((e = tz_load(f[1], &z)) != TZ_OK) {
				mismatch("%s: %s", f[1], tz_strerror(e));
				z = NULL;
			}
			snprintf(last, sizeof last, "%s", f[1]);
			/* rows come grouped by zone (the dense ones again for theirs): distinct ones */
			for (n = 0; n < zones && strcmp(seen[n], last) != 0; n++)
				;
			if (n == zones && zones < COMPARE_ZONES_MAX)
				snprintf(seen[zones++], sizeof seen[0], "%s", last);
		}
		if (z == NULL)
			continue;
		t = strtoll(f[2], NULL, 10);
		w = strtoll(f[4], NULL, 10);
		want_utc = strtoll(f[5], NULL, 10);
		if (tz_utc_to_local(z, t, &l) != TZ_OK || civil_cmp(&l.civil, &want) != 0)
			mismatch("%s utc->local t=%lld: PostgreSQL %s, tz %04d-%02d-%02d %02d:%02d:%02d",
			    f[1], (long long)t, f[3], l.civil.year, l.civil.month, l.civil.day,
			    l.civil.hour, l.civil.minute, l.civil.second);
		tz_seconds_to_civil(w, &wall);
		if (tz_local_to_utc(z, &wall, TZ_RULE_POSTGRES, &got, &kind) != TZ_OK ||
		    got != want_utc)
			mismatch("%s local->utc %s: PostgreSQL %lld, tz %lld (%s)", f[1], f[4],
			    (long long)want_utc, (long long)got,
			    kind == TZ_WALL_GAP ? "gap" : kind == TZ_WALL_OVERLAP ? "overlap" : "normal");
		/* Kairos's rule, by its definition */
		if (tz_local_to_utc(z, &wall, TZ_RULE_FIRST, &first, &kind) != TZ_OK) {
			mismatch("%s first rule %lld: error", f[1], (long long)w);
			continue;
		}
		if (kind == TZ_WALL_NORMAL) {
			if (first != got)
				mismatch("%s first rule %lld: %lld, not %lld", f[1], (long long)w,
				    (long long)first, (long long)got);
		} else if (kind == TZ_WALL_OVERLAP) {
			struct tz_local a;

			overlaps++;
			if (tz_utc_to_local(z, first, &a) != TZ_OK || civil_cmp(&a.civil, &wall) != 0 ||
			    first >= got)
				mismatch("%s overlap %lld: first rule %lld is not the earlier", f[1],
				    (long long)w, (long long)first);
		} else {
			struct tz_local a, b;

			gaps++;
			if (tz_utc_to_local(z, first, &a) != TZ_OK ||
			    tz_utc_to_local(z, first - 1, &b) != TZ_OK || civil_cmp(&a.civil, &wall) <= 0 ||
			    civil_cmp(&b.civil, &wall) >= 0)
				mismatch("%s gap %lld: first rule %lld is not the transition", f[1],
				    (long long)w, (long long)first);
		}
	}
	printf("rows %ld (sampled %ld, dense %ld) zones %d gaps %ld overlaps %ld mismatches %ld"
	    " in %.2f s\n", rows, rows - dense, dense, zones, gaps, overlaps, mismatches,
	    (double)(clock_mono_us() - t0) / 1e6);
	return mismatches ? 1 : 0;
}
