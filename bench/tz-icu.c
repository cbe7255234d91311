/* tz-icu: the measurement behind "TZif by hand, not ICU" (docs/time.md). Reads the rows
 * t/lib/tz-samples.sql makes (PostgreSQL's answers for 1,000,000+ (zone, instant) pairs),
 * converts each both ways with ICU's ucal API (its default rules for gaps and overlaps are
 * PostgreSQL's), and reports ICU's mismatches with PostgreSQL and its cost: microseconds to
 * open a zone's calendar, nanoseconds per conversion. Not part of the build: ICU is not a
 * dependency of Kairos.
 *
 *   cc -O2 bench/tz-icu.c $(pkg-config --cflags --libs icu-i18n) -o tz-icu
 *   psql ... -v per_zone=1673 -f t/lib/tz-samples.sql | taskset -c 0 ./tz-icu */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "bench-clock.h"

#define ICU_LINE_MAX   512
#define ICU_SHOW_MAX   5
#define ICU_ZONE_MAX   128

int
main(void)
{
	char line[ICU_LINE_MAX], last[ICU_ZONE_MAX] = "";
	UCalendar *cal = NULL;
	long rows = 0, bad_local = 0, bad_utc = 0, opens = 0, shown = 0, bad_zones = 0;
	long bad_before = 0;	/* mismatches when the current zone started */
	double open_secs = 0, local_secs = 0, utc_secs = 0;

	while (fgets(line, sizeof line, stdin)) {
		char *f[6], *p = line, got[32];
		UErrorCode err = U_ZERO_ERROR;
		int n, y, mo, d, h, mi, s;
		long long t, w, want;
		double t0;
		UDate ms;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		for (n = 0; n < 6 && p; n++) {
			f[n] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		if (n != 6)
			continue;
		rows++;
		if (strcmp(f[1], last) != 0) {
			UChar zone[ICU_ZONE_MAX];

			if (bad_local + bad_utc > bad_before) {	/* zones come in runs */
				bad_zones++;
				fprintf(stderr, "tz-icu: %s disagrees with PostgreSQL\n", last);
			}
			bad_before = bad_local + bad_utc;
			snprintf(last, sizeof last, "%s", f[1]);
			u_uastrcpy(zone, last);
			if (cal)
				ucal_close(cal);
			t0 = bench_now();
			cal = ucal_open(zone, -1, "en_US", UCAL_GREGORIAN, &err);
			open_secs += bench_now() - t0;
			opens++;
			if (U_FAILURE(err)) {
				fprintf(stderr, "tz-icu: %s: %s\n", last, u_errorName(err));
				return 1;
			}
		}
		t = strtoll(f[2], NULL, 10);
		w = strtoll(f[4], NULL, 10);
		want = strtoll(f[5], NULL, 10);
		/* UTC -> wall */
		t0 = bench_now();
		ucal_setMillis(cal, (UDate)t * 1000.0, &err);
		y = ucal_get(cal, UCAL_EXTENDED_YEAR, &err);
		mo = ucal_get(cal, UCAL_MONTH, &err) + 1;
		d = ucal_get(cal, UCAL_DATE, &err);
		h = ucal_get(cal, UCAL_HOUR_OF_DAY, &err);
		mi = ucal_get(cal, UCAL_MINUTE, &err);
		s = ucal_get(cal, UCAL_SECOND, &err);
		local_secs += bench_now() - t0;
		snprintf(got, sizeof got, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
		if (strcmp(got, f[3]) != 0 && bad_local++ < ICU_SHOW_MAX && shown++ < ICU_SHOW_MAX)
			printf("MISMATCH %s utc->local %lld: PostgreSQL %s, ICU %s\n", f[1], t, f[3], got);
		/* wall -> UTC (w is the wall time written as UTC epoch seconds) */
		{
			long long days = w / 86400, rem = w % 86400;
			int yy, mm, dd;
			long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
			long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
			long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

			dd = (int)(doy - (153 * mp + 2) / 5 + 1);
			mm = (int)(mp < 10 ? mp + 3 : mp - 9);
			yy = (int)(yoe + era * 400 + (mm <= 2));
			t0 = bench_now();
			ucal_clear(cal);
			ucal_setDateTime(cal, yy, mm - 1, dd, (int)(rem / 3600), (int)(rem / 60 % 60),
			    (int)(rem % 60), &err);
			ms = ucal_getMillis(cal, &err);
			utc_secs += bench_now() - t0;
		}
		if ((long long)(ms / 1000) != want && bad_utc++ < ICU_SHOW_MAX &&
		    shown++ < ICU_SHOW_MAX)
			printf("MISMATCH %s local->utc %lld: PostgreSQL %lld, ICU %lld\n", f[1], w, want,
			    (long long)(ms / 1000));
	}
	if (cal)
		ucal_close(cal);
	bad_zones += bad_local + bad_utc > bad_before;
	printf("icu_tzdata=%s rows=%ld mismatches utc_to_local=%ld local_to_utc=%ld zone_runs=%ld"
	    " open_us=%.1f utc_to_local_ns=%.1f local_to_utc_ns=%.1f\n",
	    ucal_getTZDataVersion(&(UErrorCode){ U_ZERO_ERROR }), rows, bad_local, bad_utc, bad_zones, open_secs / (double)(opens ? opens : 1) * 1e6,
	    local_secs / (double)(rows ? rows : 1) * 1e9, utc_secs / (double)(rows ? rows : 1) * 1e9);
	return 0;
}
