/* kinds.c: the job kinds of this build — the one table a module adds its kinds to — and the
 * test-only kinds the integration tests drive (KAIROS_SCHEDULE_TEST_TASKS, never production).
 *
 * To add a kind: write its handler in your module (declared in the module's header; it may
 * use only what a job's payload and the database give it), add a row below with its rules,
 * and queue jobs of it with jobs_enqueue in the transaction that asks for the work. */
#include "jobs/jobs.h"
#include "notify/notify.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

/* test.sleep: long enough that a SIGKILL lands mid-job; a short lease so a killed runner's
 * job comes back within the test; attempts enough for every kill of the crash test. */
#define JOBS_TEST_SLEEP_MS            50
#define JOBS_TEST_SLEEP_MAX_MS        10000
#define JOBS_TEST_SLEEP_LEASE_SECONDS 2
#define JOBS_TEST_SLEEP_ATTEMPTS      JOBS_ATTEMPTS_LIMIT
/* test.hold: test.sleep under a lease no test waits out in real time: a test moves the
 * clock past it (jobs-clock.t). */
#define JOBS_TEST_HOLD_LEASE_SECONDS  600
/* test.fail and test.permanent: retries a test can wait for. */
#define JOBS_TEST_ATTEMPTS            4
#define JOBS_TEST_LEASE_SECONDS       10
#define JOBS_TEST_BACKOFF_SECONDS     1
#define JOBS_TEST_BACKOFF_MAX_SECONDS 2

/* The integer field name of a job's payload, or def when it has none. */
static long
jobs_payload_int(const struct jobs_job *job, const char *name, long def)
{
	struct json_object *root = json_tokener_parse(job->payload), *v;
	long out = def;

	if (root != NULL && json_object_object_get_ex(root, name, &v) &&
	    json_object_is_type(v, json_type_int))
		out = (long)json_object_get_int64(v);
	json_object_put(root);
	return out;
}

/* Records its start (the crash test counts starts per job, and compares each start with the
 * lease of the one before, both on the runners' wall clock), then sleeps payload.ms — only on
 * the first payload.slow_attempts attempts when that is given, JOBS_TEST_SLEEP_MS after. */
static enum jobs_outcome
jobs_test_sleep(struct db *db, const struct jobs_job *job, struct jobs_result *r)
{
	long ms = jobs_payload_int(job, "ms", JOBS_TEST_SLEEP_MS);
	struct timespec left;

	(void)db;
	(void)r;
	if (ms < 0 || ms > JOBS_TEST_SLEEP_MAX_MS ||
	    job->attempt > jobs_payload_int(job, "slow_attempts", JOBS_ATTEMPTS_LIMIT))
		ms = JOBS_TEST_SLEEP_MS;
	left = (struct timespec){ ms / 1000, (ms % 1000) * 1000000L };
	log_info("test job started", "%s attempt %d by %s claimed %.6f lease until %.6f", job->id,
	    job->attempt, job->runner, job->claimed_at, job->lease_until);
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
	return JOBS_DONE;
}

/* Fails its first payload.fail attempts (for later retry), then succeeds; asks for
 * payload.retry_after seconds before the retry when given (as a 429 would). */
static enum jobs_outcome
jobs_test_fail(struct db *db, const struct jobs_job *job, struct jobs_result *r)
{
	long fail = jobs_payload_int(job, "fail", 1);

	(void)db;
	if (job->attempt > fail)
		return JOBS_DONE;
	r->retry_after = jobs_payload_int(job, "retry_after", 0);
	buf_printf(&r->error, "failed on purpose: attempt %d of the first %ld (test kind)",
	    job->attempt, fail);
	return JOBS_RETRY;
}

static enum jobs_outcome
jobs_test_permanent(struct db *db, const struct jobs_job *job, struct jobs_result *r)
{
	(void)db;
	(void)job;
	buf_puts(&r->error, "refused on purpose: retrying cannot help (test kind)");
	return JOBS_FAILED;
}

static const struct jobs_kind jobs_table[] = {
	/* a message in the outbox (the job's id is the message's): notify's send threads claim
	 * these in batches; its lease and backoff are KAIROS_NOTIFY_LEASE_SECONDS and
	 * KAIROS_NOTIFY_BACKOFF_SECONDS (notify_runner_new), and its dead letters are the dead
	 * messages of /admin/messages and `kairos outbox` */
	{ "notify.send", NULL, NOTIFY_MAX_ATTEMPTS, 60, 5, NOTIFY_BACKOFF_MAX_SECONDS, false,
	  "Send a message (SMS, WhatsApp or email)", true, true },
	{ "test.sleep", jobs_test_sleep, JOBS_TEST_SLEEP_ATTEMPTS, JOBS_TEST_SLEEP_LEASE_SECONDS,
	  JOBS_TEST_BACKOFF_SECONDS, JOBS_TEST_BACKOFF_MAX_SECONDS, true,
	  "Test only: sleeps payload.ms milliseconds", false, false },
	{ "test.hold", jobs_test_sleep, JOBS_TEST_SLEEP_ATTEMPTS, JOBS_TEST_HOLD_LEASE_SECONDS,
	  JOBS_TEST_BACKOFF_SECONDS, JOBS_TEST_BACKOFF_MAX_SECONDS, true,
	  "Test only: test.sleep under a 600 s lease", false, false },
	{ "test.fail", jobs_test_fail, JOBS_TEST_ATTEMPTS, JOBS_TEST_LEASE_SECONDS,
	  JOBS_TEST_BACKOFF_SECONDS, JOBS_TEST_BACKOFF_MAX_SECONDS, true,
	  "Test only: fails payload.fail times, then succeeds", false, false },
	{ "test.permanent", jobs_test_permanent, JOBS_TEST_ATTEMPTS, JOBS_TEST_LEASE_SECONDS,
	  JOBS_TEST_BACKOFF_SECONDS, JOBS_TEST_BACKOFF_MAX_SECONDS, true,
	  "Test only: fails for good", false, false },
};

size_t
jobs_kinds(bool test_kinds, const struct jobs_kind **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof jobs_table / sizeof *jobs_table && n < max; i++)
		if (test_kinds || !jobs_table[i].test_only)
			out[n++] = &jobs_table[i];
	return n;
}

const struct jobs_kind *
jobs_kind_find(const char *name, bool test_kinds)
{
	for (size_t i = 0; i < sizeof jobs_table / sizeof *jobs_table; i++)
		if ((test_kinds || !jobs_table[i].test_only) && strcmp(jobs_table[i].name, name) == 0)
			return &jobs_table[i];
	return NULL;
}

int
jobs_kind_check(const struct jobs_kind *k, struct buf *why)
{
	size_t len = k->name != NULL ? strlen(k->name) : 0;

	if (len == 0 || len > JOBS_KIND_MAX || k->name[0] < 'a' || k->name[0] > 'z' ||
	    strspn(k->name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != len)
		buf_printf(why, "a kind is 1..%d of [a-z0-9.-], starting with a letter", JOBS_KIND_MAX);
	else if ((k->run == NULL) != k->batched)
		buf_puts(why, k->batched ? "a batched kind's module runs it: no handler" : "no handler");
	else if (k->max_attempts < 1 || k->max_attempts > JOBS_ATTEMPTS_LIMIT)
		buf_printf(why, "max_attempts %d is not 1..%d", k->max_attempts, JOBS_ATTEMPTS_LIMIT);
	else if (k->lease_seconds < 1 || k->lease_seconds > JOBS_LEASE_MAX)
		buf_printf(why, "lease_seconds %d is not 1..%d", k->lease_seconds, JOBS_LEASE_MAX);
	else if (k->backoff_seconds < 1 || k->backoff_max_seconds < k->backoff_seconds)
		buf_printf(why, "backoff %ld..%ld s: want 1 ≤ first ≤ longest", k->backoff_seconds,
		    k->backoff_max_seconds);
	else
		return 0;
	return -1;
}
