/* backoff.c: exponential backoff with jitter (backoff.h). */
#include "core/backoff.h"
#include "core/rand.h"

long
backoff_seconds_with(long base, long max, int attempt, long retry_after, unsigned char r)
{
	long delay = base > 0 ? base : 1;
	long span = BACKOFF_JITTER_MAX_PCT - BACKOFF_JITTER_MIN_PCT;

	/* doubling stops at the cap, so no attempt count can overflow it */
	for (int i = 1; i < attempt && delay < max; i++)
		delay *= 2;
	if (delay > max)
		delay = max;
	delay = delay * BACKOFF_JITTER_MIN_PCT / 100 + (delay * span * r) / (100 * 255);
	if (delay < 1)
		delay = 1;
	if (retry_after > delay)
		delay = retry_after;
	return delay;
}

long
backoff_seconds(long base, long max, int attempt, long retry_after)
{
	unsigned char r = 128;	/* the middle, should the kernel fail us */

	rand_bytes(&r, 1);
	return backoff_seconds_with(base, max, attempt, retry_after, r);
}

bool
backoff_gives_up(int attempt, int max_attempts, bool permanent)
{
	return permanent || attempt >= max_attempts;
}
