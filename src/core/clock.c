/* clock: the monotonic clock, for durations and deadlines (never for dates). */
#include <time.h>

#include "core/clock.h"

long long
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
