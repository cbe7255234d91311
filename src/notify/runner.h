/* runner.h: private to notify/ — the job runner's send threads and rate limits (runner.c),
 * as outbox.c's notify_run_due uses them. */
#ifndef KAIROS_NOTIFY_RUNNER_H
#define KAIROS_NOTIFY_RUNNER_H

#include <pthread.h>
#include <stdbool.h>

#include "jobs/jobs.h"
#include "notify/notify.h"

#define NOTIFY_RUNNER_NAME_MAX 300	/* "host:pid" */

/* One claimed message on its way through a send thread. m's and job's strings are borrowed
 * from the claim's results, which outlive the batch. */
struct notify_job {
	struct notify_outgoing         m;
	struct jobs_job                job;	/* its job: the claim, attempt and lease */
	const struct notify_provider  *provider;
	bool                           started;	/* handed to provider->send: r holds its answer */
	struct notify_result           r;
};

/* A token bucket: at most `rate` sends a second start through one provider. tokens may go
 * below zero: each is a send that has reserved its start time and is sleeping until then. */
struct notify_bucket {
	const char *provider;	/* the provider's name, borrowed from it */
	double      per_us;	/* tokens added per microsecond */
	double      tokens;
	long long   at_us;	/* monotonic time tokens was last brought up to date */
};

/* Shared by the runner's thread (which claims and records: the only user of the database
 * connections) and its send threads. Everything below `mu` is guarded by it; the settings
 * above it are written before the threads start and only read after. A job's fields belong
 * to the one send thread that took it until its index appears in done[], and to the
 * runner's thread after that: the mutex hand-over orders the two. */
struct notify_runner {
	char                          name[NOTIFY_RUNNER_NAME_MAX];
	const struct notify_provider *providers[NOTIFY_CHANNELS];
	struct jobs_kind              kind;	/* notify.send, with this runner's lease and backoff */
	int                           concurrency;	/* KAIROS_NOTIFY_CONCURRENCY */
	int                           nthreads;	/* started: the runner thread's alone */
	pthread_t                    *threads;

	pthread_mutex_t               mu;
	pthread_cond_t                work;	/* jobs to take, or stopping */
	pthread_cond_t                finished;	/* an index was added to done[] */
	struct notify_job            *jobs;	/* the batch in flight (the caller's array) */
	int                           njobs, next;	/* next: the first job no thread has taken */
	int                           done[NOTIFY_CLAIM_BATCH], ndone;	/* finished, in order */
	/* Jobs taken and not yet recorded: sending, or sent and waiting for the runner thread.
	 * Threads take no new job while it is `concurrency`, so at any moment at most
	 * KAIROS_NOTIFY_CONCURRENCY messages may have reached a provider without their outcome
	 * being recorded: what a SIGKILL can turn into duplicates. */
	int                           unrecorded;
	long long                     deadline_us;	/* no send starts after this (monotonic) */
	bool                          stopping;
	struct notify_bucket          buckets[NOTIFY_CHANNELS];
	int                           nbuckets;
};

/* Hands jobs[0..n) (n <= NOTIFY_CLAIM_BATCH) to the send threads and calls
 * done(ctx, finished, k) on the calling thread with the jobs finished since the last call
 * (k >= 1, in the order they finished; the array is borrowed for the call); a job whose send
 * would have started after deadline_us (monotonic, clock_mono_us) finishes with
 * started false. Returns when every job has been through done. */
void notify_runner_batch(struct notify_runner *r, struct notify_job *jobs, int n,
	long long deadline_us, void (*done)(void *ctx, struct notify_job **finished, int k),
	void *ctx);

#endif
