/* clock: the wall clock tests set (core/clock.c) — stopped, started at an instant and
 * running on, moved, shared with a forked child, back to real; and the UTC format
 * KAIROS_TEST_CLOCK and /_debug/clock take. */
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "tap.h"

#define US 1000000LL

int
main(void)
{
	long long s, real;
	pid_t pid;
	int status;

	real = (long long)time(NULL);
	ok(!clock_is_set_for_test() && llabs(clock_now() - real) <= 1,
	    "unset, the wall clock is the real one");

	clock_set_for_test(1791000000LL * US + 250000);
	is_int(clock_now_us(), 1791000000LL * US + 250000, "set: it reads what it was set to");
	is_int(clock_now(), 1791000000LL, "in whole seconds");
	clock_advance_for_test(36 * 3600 * US);
	is_int(clock_now(), 1791000000LL + 36 * 3600, "moved on 36 hours");
	clock_set_for_test(-1);
	is_int(clock_now(), -1, "seconds floor before the epoch");

	clock_start_at_for_test(1791000000LL * US);
	s = clock_now();
	ok(s >= 1791000000LL && s <= 1791000000LL + 5, "started at an instant, it runs on from there");
	clock_advance_for_test(-3600 * US);
	s = clock_now();
	ok(s >= 1791000000LL - 3600 && s <= 1791000000LL - 3600 + 5, "and moves while it runs");

	/* a setting made in a forked child holds in the parent once shared */
	clock_reset_for_test();
	is_int(clock_share_for_test(), 0, "the clock moves into shared memory");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		clock_set_for_test(1800000000LL * US);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	is_int(clock_now(), 1800000000LL, "a child sets it; the parent reads it");
	clock_reset_for_test();
	ok(!clock_is_set_for_test() && llabs(clock_now() - (long long)time(NULL)) <= 1,
	    "reset: real again");

	ok(clock_parse_utc("2026-10-04T01:30:00Z", &s) == 0 && s == 1791077400LL,
	    "2026-10-04T01:30:00Z");
	ok(clock_parse_utc("2026-10-04T01:30Z", &s) == 0 && s == 1791077400LL, "seconds optional");
	ok(clock_parse_utc("1791077400", &s) == 0 && s == 1791077400LL, "epoch seconds");
	ok(clock_parse_utc("2026-10-04T01:30:00", &s) < 0, "no Z: refused (the zone is not UTC)");
	ok(clock_parse_utc("2026-02-30T01:30:00Z", &s) < 0, "30 February refused");
	ok(clock_parse_utc("", &s) < 0 && clock_parse_utc("soon", &s) < 0, "nonsense refused");
	return tap_done();
}
