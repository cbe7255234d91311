/* runner.c: the job runner's send threads and per-provider rate limits (issue 4).
 *
 * A provider takes 100-500 ms to answer, so one send at a time caps a runner at a few
 * messages a second. notify_run_due (outbox.c) claims a batch and hands it here: a fixed
 * pool of KAIROS_NOTIFY_CONCURRENCY threads calls each message's provider->send, blocking,
 * while the runner's own thread records each outcome as it arrives, on its two database
 * connections (the owner's for the queue, the application role's for the messages, under
 * row-level security): libpq connections are not shared between threads, and need not be.
 *
 * Why threads calling the blocking providers rather than libcurl's multi interface: every
 * provider (Twilio, SendGrid, SMTP, Meta, Gallabox) is a straight-line blocking function
 * with its own request and answer handling; the multi interface would split each into a
 * set-up half and a completion half. With threads they stay as they are, and each thread
 * keeps its own curl handle (net/: one per thread) and with it its kept-alive connections.
 *
 * What the send threads share, and why that is safe without further care:
 *   - struct notify_runner's batch state and token buckets: only under r->mu (runner.h).
 *   - the providers and their settings: read only, from before the threads start.
 *   - each job: one thread's until it is listed in done[], then the runner thread's.
 *   - the claim's PGresult (the jobs' strings): read only, freed after the batch.
 *   - logging (core/log.c): settings fixed before the threads start; each line is built in
 *     the caller's own buffer and written with one write(2).
 *   - libcurl: curl_global_init ran before the threads; one easy handle per thread, with
 *     CURLOPT_NOSIGNAL (net/net.c); OpenSSL >= 1.1 locks for itself.
 *   - json-c objects the providers build and parse: each thread's own.
 *   - rand_bytes / rand_hex (smtp Message-IDs): getrandom(2), no state.
 * Signals stay blocked in the threads: jobs.c blocks them before starting the runner, and
 * new threads inherit the mask, so only its signalfd sees them.
 *
 * The lease rule holds per send: a thread reserves its start (the rate limit) and checks the
 * deadline (half the lease after the claim) before it starts, and not after; a send that
 * started may finish later, within KAIROS_PROVIDER_TIMEOUT_MS. */
#include "notify/notify.h"
#include "notify/runner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Tokens a bucket may save up: one, so sends through a limited provider start evenly spaced
 * (1/rate apart) rather than in bursts a provider counting over a fraction of a second could
 * refuse. */
#define NOTIFY_RATE_BURST 1.0

/* The bucket of the provider named `name`, or NULL when it is unlimited. Under r->mu. */
static struct notify_bucket *
notify_bucket_of(struct notify_runner *r, const char *name)
{
	for (int i = 0; i < r->nbuckets; i++)
		if (strcmp(r->buckets[i].provider, name) == 0)
			return &r->buckets[i];
	return NULL;
}

/* Reserves a token: the time (monotonic µs) the send may start, now or later; -1 when that
 * would be after deadline, and then nothing is taken. Under r->mu. */
static long long
notify_bucket_take(struct notify_bucket *b, long long now, long long deadline)
{
	long long start;

	b->tokens += (double)(now - b->at_us) * b->per_us;
	if (b->tokens > NOTIFY_RATE_BURST)
		b->tokens = NOTIFY_RATE_BURST;
	b->at_us = now;
	start = b->tokens >= 1.0 ? now : now + (long long)((1.0 - b->tokens) / b->per_us) + 1;
	if (start > deadline)
		return -1;
	b->tokens -= 1.0;
	return start;
}

static void *
notify_send_thread(void *arg)
{
	struct notify_runner *r = arg;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct notify_bucket *b;
		struct notify_job *job;
		long long start, deadline, now;
		int i;

		while (!r->stopping && (r->next >= r->njobs || r->unrecorded >= r->concurrency))
			pthread_cond_wait(&r->work, &r->mu);
		if (r->stopping)
			break;
		i = r->next++;
		r->unrecorded++;
		job = &r->jobs[i];
		deadline = r->deadline_us;
		now = clock_mono_us();
		b = notify_bucket_of(r, job->provider->name);
		start = now > deadline ? -1 : b != NULL ? notify_bucket_take(b, now, deadline) : now;
		pthread_mutex_unlock(&r->mu);

		if (start >= 0) {
			clock_sleep_until_mono(start);
			/* checked again after the wait: no send starts past the deadline */
			if (clock_mono_us() <= deadline) {
				job->started = true;
				memset(&job->r, 0, sizeof job->r);
				if (job->provider->send(job->provider, &job->m, &job->r) < 0 &&
				    job->r.error[0] == '\0')
					snprintf(job->r.error, sizeof job->r.error, "provider %s failed",
					    job->provider->name);
			}
		}

		pthread_mutex_lock(&r->mu);
		r->done[r->ndone++] = i;
		pthread_cond_signal(&r->finished);
	}
	pthread_mutex_unlock(&r->mu);
	net_thread_end();
	return NULL;
}

void
notify_runner_batch(struct notify_runner *r, struct notify_job *jobs, int n, long long deadline_us,
    void (*done)(void *ctx, struct notify_job **finished, int k), void *ctx)
{
	struct notify_job *ready[NOTIFY_CLAIM_BATCH];
	int seen = 0;

	pthread_mutex_lock(&r->mu);
	r->jobs = jobs;
	r->njobs = n;
	r->next = 0;
	r->ndone = 0;
	r->deadline_us = deadline_us;
	pthread_cond_broadcast(&r->work);
	while (seen < n) {
		int upto, k = 0;

		while (r->ndone == seen)
			pthread_cond_wait(&r->finished, &r->mu);
		upto = r->ndone;
		for (int j = seen; j < upto; j++)
			ready[k++] = &jobs[r->done[j]];
		seen = upto;
		/* record without the lock: the send threads go on with the rest meanwhile */
		pthread_mutex_unlock(&r->mu);
		done(ctx, ready, k);
		pthread_mutex_lock(&r->mu);
		r->unrecorded -= k;
		pthread_cond_broadcast(&r->work);	/* k threads may take a job again */
	}
	r->jobs = NULL;
	r->njobs = r->next = r->ndone = 0;
	pthread_mutex_unlock(&r->mu);
}

struct notify_runner *
notify_runner_new(const struct config *cfg, const char *name,
    const struct notify_provider *const providers[NOTIFY_CHANNELS])
{
	struct notify_runner *r = xcalloc(1, sizeof *r);
	long long now = clock_mono_us();

	snprintf(r->name, sizeof r->name, "%s", name);
	memcpy(r->providers, providers, sizeof r->providers);
	jobs_kind_rules(jobs_kind_find(NOTIFY_JOB_KIND, false), cfg, &r->kind);
	r->concurrency = (int)cfg->notify_concurrency;
	for (int ch = 0; ch < NOTIFY_CHANNELS; ch++) {
		const char *p = providers[ch] != NULL ? providers[ch]->name : "outbox";
		long rate = notify_rate_limit(cfg, p);

		/* Twilio's SMS and WhatsApp providers share one bucket: one account, one limit */
		if (rate <= 0 || notify_bucket_of(r, p) != NULL)
			continue;
		r->buckets[r->nbuckets++] = (struct notify_bucket){ p, (double)rate / 1e6,
			NOTIFY_RATE_BURST, now };
		log_info("rate limit", "%s: %ld messages/s (this runner)", p, rate);
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->work, NULL);
	pthread_cond_init(&r->finished, NULL);
	r->threads = xcalloc((size_t)cfg->notify_concurrency, sizeof *r->threads);
	for (long i = 0; i < cfg->notify_concurrency; i++) {
		int rc = pthread_create(&r->threads[i], NULL, notify_send_thread, r);

		if (rc != 0) {
			log_error("send threads not started", "%ld of %ld: %s", i,
			    cfg->notify_concurrency, strerror(rc));
			notify_runner_free(r);
			return NULL;
		}
		r->nthreads++;
	}
	return r;
}

void
notify_runner_free(struct notify_runner *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = true;
	pthread_cond_broadcast(&r->work);
	pthread_mutex_unlock(&r->mu);
	for (int i = 0; i < r->nthreads; i++)
		pthread_join(r->threads[i], NULL);
	pthread_cond_destroy(&r->finished);
	pthread_cond_destroy(&r->work);
	pthread_mutex_destroy(&r->mu);
	free(r->threads);
	free(r);
}
