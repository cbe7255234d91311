/* backoff: the one retry policy of the code base — when a failed attempt is the last, and the
 * delay before the next: exponential, capped, with jitter. The job queue (jobs/queue.c) and
 * notify's outbox (notify/outbox.c) both use it, so a job and a message that fail the same way
 * come back on the same schedule and die by the same rule. */
#ifndef KAIROS_CORE_BACKOFF_H
#define KAIROS_CORE_BACKOFF_H

#include <stdbool.h>

/* Jitter spreads a retry over BACKOFF_JITTER_MIN_PCT..BACKOFF_JITTER_MAX_PCT of its delay, so
 * runners that failed together (a provider was down) do not all retry in the same second. */
#define BACKOFF_JITTER_MIN_PCT 50
#define BACKOFF_JITTER_MAX_PCT 150

/* Seconds to wait before attempt `attempt` + 1 after attempt `attempt` (≥ 1) failed:
 * base × 2^(attempt-1), capped at max, then jittered to 50 %..150 % of that; at least 1 s,
 * and at least retry_after (what the other side asked for, 0 if nothing) when that is
 * longer. */
long backoff_seconds(long base, long max, int attempt, long retry_after);
/* Whether a failed attempt is the end (a dead letter): it failed for good (retrying cannot
 * help), or it was attempt max_attempts. The one rule of the job queue and notify's outbox. */
bool backoff_gives_up(int attempt, int max_attempts, bool permanent);
/* The same with the random byte chosen by the caller (0: the shortest, 255: the longest):
 * for tests, and the whole of the arithmetic. */
long backoff_seconds_with(long base, long max, int attempt, long retry_after, unsigned char r);

#endif
