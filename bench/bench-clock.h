/* bench-clock.h: the one clock bench/'s C programs time themselves with. */
#ifndef KAIROS_BENCH_CLOCK_H
#define KAIROS_BENCH_CLOCK_H

#include <time.h>

/* Seconds on the monotonic clock: differences of two readings are elapsed time. */
static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
