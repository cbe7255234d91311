/* clock: the monotonic clock, for durations and deadlines (never for dates). */
#ifndef KAIROS_CORE_CLOCK_H
#define KAIROS_CORE_CLOCK_H

/* Microseconds of CLOCK_MONOTONIC: only differences between two readings mean anything. */
long long clock_mono_us(void);

#endif
