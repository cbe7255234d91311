/* jobs: the one backoff with jitter (core/backoff, used by the job queue and notify's
 * outbox) and the rules a job kind must keep (jobs_kind_check, and the kinds of this build).
 * Claiming, leases, retries, dead letters and runners killed mid-job: t/integration/jobs.t
 * and jobs-crash.t. */
#include <string.h>

#include "core/core.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "tap.h"

static enum jobs_outcome
noop(struct db *db, const struct jobs_job *job, struct jobs_result *r)
{
	(void)db;
	(void)job;
	(void)r;
	return JOBS_DONE;
}

/* jobs_kind_check's verdict on k, with why's text for the test's name. */
static int
check(const struct jobs_kind *k, char why[200])
{
	struct buf b = BUF_INIT;
	int rc = jobs_kind_check(k, &b);

	snprintf(why, 200, "%s", buf_cstr(&b));
	buf_free(&b);
	return rc;
}

int
main(void)
{
	char why[200];

	/* base × 2^(attempt-1), capped, then 50 %..150 % of it by the random byte */
	is_int(backoff_seconds_with(5, 3600, 1, 0, 0), 2, "attempt 1, shortest: half of 5 s (2 s)");
	is_int(backoff_seconds_with(5, 3600, 1, 0, 255), 7, "attempt 1, longest: 150 %% of 5 s (7 s)");
	is_int(backoff_seconds_with(5, 3600, 4, 0, 0), 20, "attempt 4, shortest: half of 40 s");
	is_int(backoff_seconds_with(5, 3600, 4, 0, 255), 60, "attempt 4, longest: 150 %% of 40 s");
	is_int(backoff_seconds_with(5, 3600, 30, 0, 0), 1800, "attempt 30: capped at 3600 s, then jittered (shortest)");
	is_int(backoff_seconds_with(5, 3600, 30, 0, 255), 5400, "... and longest");
	is_int(backoff_seconds_with(5, 3600, 1000000, 0, 255), 5400, "a huge attempt count does not overflow");
	is_int(backoff_seconds_with(1, 2, 1, 0, 0), 1, "never less than 1 s");
	is_int(backoff_seconds_with(5, 3600, 1, 120, 255), 120, "a longer Retry-After wins");
	is_int(backoff_seconds_with(5, 3600, 4, 30, 255), 60, "a shorter one does not");
	{
		bool low = false, high = false, inside = true;

		for (int i = 0; i < 2000; i++) {
			long d = backoff_seconds(100, 3600, 1, 0);

			inside = inside && d >= 50 && d <= 150;
			low = low || d < 75;
			high = high || d > 125;
		}
		ok(inside, "backoff_seconds stays within 50 %%..150 %% of the delay over 2000 draws");
		ok(low && high, "and is jittered: both ends of the range turn up");
	}

	ok(!backoff_gives_up(1, 4, false), "attempt 1 of 4 that may be retried: retried");
	ok(backoff_gives_up(4, 4, false), "attempt 4 of 4: a dead letter");
	ok(backoff_gives_up(1, 4, true), "a permanent failure: a dead letter at once");

	/* a kind's rules */
	{
		struct jobs_kind k = { .name = "pms.writeback", .run = noop, .max_attempts = 8,
			.lease_seconds = 60, .backoff_seconds = 5, .backoff_max_seconds = 3600,
			.about = "x" };

		is_int(check(&k, why), 0, "a good kind passes");
		k.name = "PMS.writeback";
		ok(check(&k, why) < 0 && strstr(why, "[a-z0-9.-]") != NULL, "an upper-case name does not: %s", why);
		k.name = "pms writeback";
		ok(check(&k, why) < 0, "nor one with a space");
		k.name = "pms.writeback";
		k.max_attempts = 0;
		ok(check(&k, why) < 0 && strstr(why, "max_attempts") != NULL, "nor 0 attempts: %s", why);
		k.max_attempts = JOBS_ATTEMPTS_LIMIT + 1;
		ok(check(&k, why) < 0, "nor more than JOBS_ATTEMPTS_LIMIT");
		k.max_attempts = 8;
		k.lease_seconds = 0;
		ok(check(&k, why) < 0 && strstr(why, "lease") != NULL, "nor no lease: %s", why);
		k.lease_seconds = 60;
		k.backoff_max_seconds = 1;
		ok(check(&k, why) < 0 && strstr(why, "backoff") != NULL, "nor a cap below the first delay: %s", why);
		k.backoff_max_seconds = 3600;
		k.batched = true;
		ok(check(&k, why) < 0 && strstr(why, "batched") != NULL,
		    "nor a handler for a kind its module runs in batches: %s", why);
		k.run = NULL;
		is_int(check(&k, why), 0, "a batched kind has none");
		k.batched = false;
		ok(check(&k, why) < 0, "nor no handler");
	}

	/* this build's kinds: every one within the rules; the test kinds only when asked for */
	{
		const struct jobs_kind *kinds[JOBS_MAX_KINDS];
		size_t all = jobs_kinds(true, kinds, JOBS_MAX_KINDS), prod;
		bool good = true;

		for (size_t i = 0; i < all; i++)
			good = good && check(kinds[i], why) == 0;
		ok(good, "every kind of this build keeps the rules");
		prod = jobs_kinds(false, kinds, JOBS_MAX_KINDS);
		for (size_t i = 0; i < prod; i++)
			good = good && strncmp(kinds[i]->name, "test.", 5) != 0;
		ok(good, "no test kind without the test flag (%zu of %zu kinds)", prod, all);
		ok(jobs_kind_find("test.sleep", true) != NULL, "test.sleep with the flag");
		ok(jobs_kind_find("test.sleep", false) == NULL, "and not without it");
		ok(jobs_kind_find(NOTIFY_JOB_KIND, false) != NULL &&
		    jobs_kind_find(NOTIFY_JOB_KIND, false)->batched,
		    "notify's sends are a kind of every build, run in batches by notify");
	}

	/* modules register their kinds: jobs_modules (src/settings.c) hands them to jobs/ */
	{
		const struct jobs_kind *kinds[JOBS_MAX_KINDS];
		size_t all = jobs_kinds(true, kinds, JOBS_MAX_KINDS), listed = 0;
		bool each_once = true;

		for (const struct jobs_module *const *m = jobs_modules; *m != NULL; m++)
			listed += (*m)->nkinds;
		is_int((long)all, (long)listed, "every module's kinds are the build's (%zu)", all);
		for (size_t i = 0; i < all; i++)
			each_once = each_once && jobs_kind_module(kinds[i]) != NULL &&
			    jobs_kind_find(kinds[i]->name, true) == kinds[i];
		ok(each_once, "each kind has its module, and its name is found as itself");
		ok(jobs_kind_module(jobs_kind_find(NOTIFY_JOB_KIND, false)) == &notify_job_module,
		    "notify.send is notify's (notify_job_module), not jobs/'s");
		ok(notify_job_module.run_due != NULL && notify_job_module.dead_notes != NULL,
		    "notify runs its batches and tells of its dead letters");
		ok(jobs_kind_module(jobs_kind_find("test.sleep", true)) == &jobs_test_module,
		    "the test kinds are jobs/'s own");
		is_int(jobs_kinds(true, kinds, 2), 2, "jobs_kinds stops at max");
	}

	/* more kinds than JOBS_MAX_KINDS: refused (the runner would not start), not cut short */
	{
		static struct jobs_kind many[JOBS_MAX_KINDS + 1];
		struct jobs_module mod = { .name = "many", .kinds = many, .nkinds = JOBS_MAX_KINDS };
		const struct jobs_module *const mods[] = { &mod, NULL };
		struct buf b = BUF_INIT;

		for (size_t i = 0; i <= JOBS_MAX_KINDS; i++)
			many[i] = (struct jobs_kind){ .name = "many.kind", .run = noop };
		is_int(jobs_kinds_fit(mods, &b), 0, "%d kinds fit", JOBS_MAX_KINDS);
		mod.nkinds = JOBS_MAX_KINDS + 1;
		ok(jobs_kinds_fit(mods, &b) < 0 && strstr(buf_cstr(&b), "65 job kinds") != NULL,
		    "a %dth does not: %s", JOBS_MAX_KINDS + 1, buf_cstr(&b));
		many[JOBS_MAX_KINDS].test_only = true;
		ok(jobs_kinds_fit(mods, &b) < 0, "a test-only one counts too: it is compiled in");
		buf_reset(&b);
		is_int(jobs_kinds_fit(jobs_modules, &b), 0, "this build's kinds fit");
		buf_free(&b);
	}

	/* notify.send's lease and backoff as the runner uses them: its settings, not the row's */
	{
		struct config cfg = { .notify_lease_seconds = 90, .notify_backoff_seconds = 7 };
		const struct jobs_kind *send = jobs_kind_find(NOTIFY_JOB_KIND, false);
		struct jobs_kind k;

		jobs_kind_rules(send, &cfg, &k);
		ok(k.lease_seconds == 90 && k.backoff_seconds == 7 && k.max_attempts == send->max_attempts,
		    "notify.send's rules come from KAIROS_NOTIFY_LEASE_SECONDS and _BACKOFF_SECONDS");
		jobs_kind_rules(jobs_kind_find("test.sleep", true), &cfg, &k);
		is_int(k.lease_seconds, jobs_kind_find("test.sleep", true)->lease_seconds,
		    "a kind without settings keeps its row's");
	}

	/* tenancy: an organisation's kind unless it says it is platform work */
	{
		struct db db;

		ok(!jobs_kind_find(NOTIFY_JOB_KIND, false)->platform, "notify.send is an organisation's");
		ok(!jobs_kind_find("test.tenant", true)->platform, "test.tenant is an organisation's");
		ok(jobs_kind_find("test.system", true)->platform && jobs_kind_find("test.sleep", true)->platform,
		    "test.system and the machinery's test kinds are platform work");
		/* no server: the refusal comes before any statement */
		db_init(&db, "host=/nonexistent dbname=none", 1, 0);
		is_int(jobs_enqueue(&db, NULL, "test.tenant", "{}", NULL, NULL, NULL, NULL), DB_FAILED,
		    "jobs_enqueue refuses an organisation's kind without org_id");
		ok(strstr(db.error, "test.tenant is an organisation's") != NULL, "saying why: %s", db.error);
		is_int(jobs_enqueue(&db, NULL, "test.system", "{}", NULL, NULL, NULL, NULL), DB_UNAVAILABLE,
		    "a platform kind's system job goes on to the database (none here)");
		is_int(jobs_enqueue(&db, NULL, "pms.unknown", "{}", NULL, NULL, NULL, NULL), DB_UNAVAILABLE,
		    "so does a kind this build does not know (a newer runner's)");
		db_close(&db);
	}
	return tap_done();
}
