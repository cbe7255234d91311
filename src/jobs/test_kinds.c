/* test_kinds.c: jobs/'s own test-only kinds, which the machinery's integration tests drive
 * (KAIROS_SCHEDULE_TEST_TASKS, refused in production; each kind is test_only as well). They
 * live in jobs/ because only the machinery's tests need them; jobs_modules lists them like any
 * module's kinds. */
#include "jobs/jobs.h"

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

/* Field name of a job's payload when it is of type (json_type_int into *num, json_type_string
 * into text, size bytes, cut); false when the payload has no such field. */
static bool
jobs_payload_field(const struct jobs_job *job, const char *name, json_type type, long *num,
    char *text, size_t size)
{
	struct json_object *root = json_tokener_parse(job->payload), *v;
	bool found = root != NULL && json_object_object_get_ex(root, name, &v) &&
	    json_object_is_type(v, type);

	if (found && type == json_type_int)
		*num = (long)json_object_get_int64(v);
	else if (found)
		snprintf(text, size, "%s", json_object_get_string(v));
	json_object_put(root);
	return found;
}

/* The integer field name of a job's payload, or def when it has none. */
static long
jobs_payload_int(const struct jobs_job *job, const char *name, long def)
{
	long out = def;

	jobs_payload_field(job, name, json_type_int, &out, NULL, 0);
	return out;
}

/* Logs its start (the crash test counts starts per job, and compares each start with the
 * lease of the one before, both on the runners' wall clock; role: as whom, when known), then
 * sleeps payload.ms — only on the first payload.slow_attempts attempts when that is given,
 * JOBS_TEST_SLEEP_MS after. */
static void
jobs_test_nap(const struct jobs_job *job, const char *role)
{
	long ms = jobs_payload_int(job, "ms", JOBS_TEST_SLEEP_MS);
	struct timespec left;

	if (ms < 0 || ms > JOBS_TEST_SLEEP_MAX_MS ||
	    job->attempt > jobs_payload_int(job, "slow_attempts", JOBS_ATTEMPTS_LIMIT))
		ms = JOBS_TEST_SLEEP_MS;
	left = (struct timespec){ ms / 1000, (ms % 1000) * 1000000L };
	log_info("test job started", "%s attempt %d by %s claimed %.6f lease until %.6f%s%s",
	    job->id, job->attempt, job->runner, job->claimed_at, job->lease_until,
	    *role ? " as " : "", role);
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}

static enum jobs_outcome
jobs_test_sleep(struct db *db, const struct jobs_job *job, struct jobs_result *r)
{
	(void)db;
	(void)r;
	jobs_test_nap(job, "");
	return JOBS_DONE;
}

static struct db_stmt jobs_test_stmt_role = DB_STMT("jobs_test_role", 0, "SELECT current_user::text");

/* test.tenant-sleep: test.sleep as an organisation's kind, the crash test's share of the
 * tenant path. In its organisation's transaction it queues a marker (a test.hold job under
 * the key "mark:<its id>", due in 2100: never run), then logs its start with its role and
 * sleeps. The marker commits only with a run that is done, and its key keeps it one however
 * often the job runs: the test counts one per job, of the job's organisation. */
static enum jobs_outcome
jobs_test_tenant_sleep(struct db *db, const struct jobs_job *job, struct jobs_result *r)
{
	char key[JOBS_DEDUPE_MAX + 1], role[64] = "";

	snprintf(key, sizeof key, "mark:%s", job->id);
	if (db_query_value(db, &jobs_test_stmt_role, NULL, role, sizeof role) != DB_OK ||
	    jobs_enqueue(db, *job->org_id ? job->org_id : NULL, "test.hold", "{}", key,
	    "2100-01-01T00:00:00Z", NULL, NULL) != DB_OK) {
		buf_printf(&r->error, "could not mark its run: %s", db->error);
		return JOBS_RETRY;
	}
	jobs_test_nap(job, role);
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

/* What a job's handler sees of the jobs table (a tenant table): every row the connection
 * may read, how many organisations they belong to, how many are system jobs, and as whom. */
static struct db_stmt jobs_test_stmt_look = DB_STMT("jobs_test_look", 0,
	"SELECT count(*), count(DISTINCT org_id), count(*) FILTER (WHERE org_id IS NULL),"
	" current_user::text FROM jobs");

/* test.tenant and test.system: logs what the handler sees of the jobs table ("test job saw"),
 * then, with payload.key, queues a test.sleep job under that dedupe key for payload.org (the
 * job's own organisation when not given): a write the tests look for afterwards. Then, by
 * payload.then: "done" (or none) succeeds; "fail" fails for good after writing (the write
 * must be rolled back); "ignore" succeeds even when the write was refused (the commit must
 * then fail). A refused write otherwise fails the job for good with the database's reason. */
static enum jobs_outcome
jobs_test_look(struct db *db, const struct jobs_job *job, struct jobs_result *r)
{
	char key[JOBS_DEDUPE_MAX + 1] = "", org[JOBS_UUID_SIZE] = "", then[16] = "done";
	PGresult *res = NULL;

	if (db_query(db, &jobs_test_stmt_look, NULL, &res) != DB_OK) {
		buf_printf(&r->error, "could not read jobs: %s", db->error);
		return JOBS_RETRY;
	}
	log_info("test job saw", "%s of %s saw %s jobs of %s organisations and %s system jobs as %s",
	    job->id, *job->org_id ? job->org_id : "no organisation", PQgetvalue(res, 0, 0),
	    PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
	PQclear(res);
	jobs_payload_field(job, "then", json_type_string, NULL, then, sizeof then);
	if (jobs_payload_field(job, "key", json_type_string, NULL, key, sizeof key)) {
		const char *for_org = jobs_payload_field(job, "org", json_type_string, NULL, org,
		    sizeof org) ? org : *job->org_id ? job->org_id : NULL;

		if (jobs_enqueue(db, for_org, "test.sleep", "{\"ms\": 1}", key, NULL, NULL, NULL) !=
		    DB_OK && strcmp(then, "ignore") != 0) {
			buf_printf(&r->error, "could not queue a job for %s: %s",
			    for_org ? for_org : "no organisation", db->error);
			return JOBS_FAILED;
		}
	}
	if (strcmp(then, "fail") == 0) {
		buf_puts(&r->error, "failed on purpose after writing (test kind)");
		return JOBS_FAILED;
	}
	return JOBS_DONE;
}

/* The system jobs the machinery's tests queue (no organisation) are platform work; test.tenant
 * is an organisation's kind, and test.system the same handler as platform work. */
/* A test kind: test-only, retried as fast as a test can wait for. */
#define JOBS_TEST_KIND(kind, fn, attempts, lease, is_platform, text) \
	{ .name = (kind), .run = (fn), .max_attempts = (attempts), .lease_seconds = (lease), \
	  .backoff_seconds = JOBS_TEST_BACKOFF_SECONDS, \
	  .backoff_max_seconds = JOBS_TEST_BACKOFF_MAX_SECONDS, .test_only = true, \
	  .platform = (is_platform), .about = (text) }

static const struct jobs_kind jobs_test_kinds[] = {
	JOBS_TEST_KIND("test.sleep", jobs_test_sleep, JOBS_TEST_SLEEP_ATTEMPTS,
	    JOBS_TEST_SLEEP_LEASE_SECONDS, true, "Test only: sleeps payload.ms milliseconds"),
	JOBS_TEST_KIND("test.hold", jobs_test_sleep, JOBS_TEST_SLEEP_ATTEMPTS,
	    JOBS_TEST_HOLD_LEASE_SECONDS, true, "Test only: test.sleep under a 600 s lease"),
	JOBS_TEST_KIND("test.fail", jobs_test_fail, JOBS_TEST_ATTEMPTS, JOBS_TEST_LEASE_SECONDS,
	    true, "Test only: fails payload.fail times, then succeeds"),
	JOBS_TEST_KIND("test.permanent", jobs_test_permanent, JOBS_TEST_ATTEMPTS,
	    JOBS_TEST_LEASE_SECONDS, true, "Test only: fails for good"),
	JOBS_TEST_KIND("test.tenant-sleep", jobs_test_tenant_sleep, JOBS_TEST_SLEEP_ATTEMPTS,
	    JOBS_TEST_SLEEP_LEASE_SECONDS, false,
	    "Test only: an organisation's test.sleep that marks each done run"),
	JOBS_TEST_KIND("test.tenant", jobs_test_look, JOBS_TEST_ATTEMPTS, JOBS_TEST_LEASE_SECONDS,
	    false, "Test only: an organisation's job that reads and writes jobs"),
	JOBS_TEST_KIND("test.system", jobs_test_look, JOBS_TEST_ATTEMPTS, JOBS_TEST_LEASE_SECONDS,
	    true, "Test only: test.tenant as platform work"),
};

const struct jobs_module jobs_test_module = {
	.name = "jobs",
	.kinds = jobs_test_kinds,
	.nkinds = sizeof jobs_test_kinds / sizeof *jobs_test_kinds,
};
