/* clock: the two clocks Kairos reads.
 *
 * The monotonic clock, for durations and deadlines (never for dates).
 *
 * The wall clock, for every time-dependent decision (expiry, freshness, due times, "today"):
 * CLOCK_REALTIME, except where a test has set it — in-process by the clock_*_for_test calls
 * (unit tests), or for a running stack by KAIROS_TEST_CLOCK at start and POST /_debug/clock
 * after (both refused when KAIROS_ENV=production). The log's own timestamps are a record of
 * real time and read the real clock (core/log.c), not this one. */
#ifndef KAIROS_CORE_CLOCK_H
#define KAIROS_CORE_CLOCK_H

#include <stdbool.h>

/* Microseconds of CLOCK_MONOTONIC: only differences between two readings mean anything. */
long long clock_mono_us(void);
/* Sleeps until clock_mono_us() reaches when_us (at once when it has), through signals. */
void      clock_sleep_until_mono(long long when_us);

/* Microseconds since 1970-01-01T00:00:00Z by the wall clock. Thread-safe. */
long long clock_now_us(void);
/* Whole seconds since the epoch (floored) by the wall clock. Thread-safe. */
long long clock_now(void);

/* ---- tests only: never reached in production (config refuses what leads here) ---- */

/* Stops the wall clock at epoch_us: it reads that until set again. */
void clock_set_for_test(long long epoch_us);
/* Sets the wall clock to epoch_us and lets it run on from there at real speed. */
void clock_start_at_for_test(long long epoch_us);
/* Moves the wall clock by us (may be negative), stopped or running. */
void clock_advance_for_test(long long us);
/* Back to CLOCK_REALTIME. */
void clock_reset_for_test(void);
/* true when a test has set the wall clock. */
bool clock_is_set_for_test(void);
/* Moves the clock's state into memory shared with processes forked after this call (a
 * serve master calls it before forking workers), so that a setting made in any of them —
 * POST /_debug/clock in one worker — holds in all. 0, or -1 when mmap fails. */
int  clock_share_for_test(void);

/* "2026-10-04T01:30:00Z" (UTC, seconds optional) or whole epoch seconds, as epoch seconds:
 * the format KAIROS_TEST_CLOCK and /_debug/clock take. 0, or -1 when it is neither. */
int  clock_parse_utc(const char *s, long long *epoch_s);

#endif
