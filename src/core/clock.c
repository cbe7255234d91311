/* clock: the monotonic clock, and the wall clock tests can set (see clock.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "core/clock.h"
#include "core/tz.h"

/* frozen_us when the clock runs (not stopped). */
#define CLOCK_RUNNING LLONG_MIN
#define CLOCK_US      1000000LL

/* A test's setting: stopped at frozen_us, or running offset_us ahead of CLOCK_REALTIME.
 * Fields are read and written with atomics: workers and threads read while a test writes. */
struct clock_state {
	long long frozen_us;
	long long offset_us;
	int       set;		/* any setting in force: the fast path skips the rest */
};

static struct clock_state clock_own = { CLOCK_RUNNING, 0, 0 };
/* Our own until clock_share_for_test moves it into a shared page; set before any thread
 * or worker starts, read-only after. */
static struct clock_state *clock_state = &clock_own;

long long
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * CLOCK_US + ts.tv_nsec / 1000;
}

void
clock_sleep_until_mono(long long when_us)
{
	long long now;

	while ((now = clock_mono_us()) < when_us) {
		struct timespec ts = { (time_t)((when_us - now) / CLOCK_US),
			(long)((when_us - now) % CLOCK_US) * 1000 };

		if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
			break;
	}
}

static long long
clock_real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * CLOCK_US + ts.tv_nsec / 1000;
}

long long
clock_now_us(void)
{
	long long frozen;

	if (!__atomic_load_n(&clock_state->set, __ATOMIC_ACQUIRE))
		return clock_real_us();
	frozen = __atomic_load_n(&clock_state->frozen_us, __ATOMIC_ACQUIRE);
	if (frozen != CLOCK_RUNNING)
		return frozen;
	return clock_real_us() + __atomic_load_n(&clock_state->offset_us, __ATOMIC_ACQUIRE);
}

long long
clock_now(void)
{
	long long us = clock_now_us();

	return us / CLOCK_US - (us % CLOCK_US < 0);
}

void
clock_set_for_test(long long epoch_us)
{
	__atomic_store_n(&clock_state->frozen_us, epoch_us, __ATOMIC_RELEASE);
	__atomic_store_n(&clock_state->set, 1, __ATOMIC_RELEASE);
}

void
clock_start_at_for_test(long long epoch_us)
{
	__atomic_store_n(&clock_state->offset_us, epoch_us - clock_real_us(), __ATOMIC_RELEASE);
	__atomic_store_n(&clock_state->frozen_us, CLOCK_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&clock_state->set, 1, __ATOMIC_RELEASE);
}

void
clock_advance_for_test(long long us)
{
	long long frozen = __atomic_load_n(&clock_state->frozen_us, __ATOMIC_ACQUIRE);

	if (frozen != CLOCK_RUNNING)
		__atomic_store_n(&clock_state->frozen_us, frozen + us, __ATOMIC_RELEASE);
	else
		__atomic_add_fetch(&clock_state->offset_us, us, __ATOMIC_ACQ_REL);
	__atomic_store_n(&clock_state->set, 1, __ATOMIC_RELEASE);
}

void
clock_reset_for_test(void)
{
	__atomic_store_n(&clock_state->set, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&clock_state->frozen_us, CLOCK_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&clock_state->offset_us, 0, __ATOMIC_RELEASE);
}

bool
clock_is_set_for_test(void)
{
	return __atomic_load_n(&clock_state->set, __ATOMIC_ACQUIRE) != 0;
}

int
clock_share_for_test(void)
{
	struct clock_state *shared;

	if (clock_state != &clock_own)
		return 0;
	shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (shared == MAP_FAILED)
		return -1;
	*shared = clock_own;
	clock_state = shared;	/* never unmapped: it lives as long as the process */
	return 0;
}

int
clock_parse_utc(const char *s, long long *epoch_s)
{
	struct tz_civil c = { 0 };
	int used = 0;
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	if (strspn(s, "0123456789") == strlen(s)) {
		v = strtoll(s, &end, 10);
		*epoch_s = v;
		return *end == '\0' ? 0 : -1;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &c.year, &c.month, &c.day, &c.hour, &c.minute,
	    &used) != 5)
		return -1;
	s += used;
	if (*s == ':') {
		if (sscanf(s, ":%2d%n", &c.second, &used) != 1)
			return -1;
		s += used;
	}
	if (strcmp(s, "Z") != 0 || c.year < 1970 || c.month < 1 || c.month > 12 || c.day < 1 ||
	    c.day > tz_days_in_month(c.year, c.month) || c.hour > 23 || c.minute > 59 ||
	    c.second > 59 || c.hour < 0 || c.minute < 0 || c.second < 0)
		return -1;
	*epoch_s = tz_civil_to_seconds(&c);
	return 0;
}
