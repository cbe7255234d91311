/* queue.c: the durable job queue (jobs.h, 0014): enqueue in the caller's transaction; claim,
 * run and record in the runner; dead letters and their retry. */
#include "jobs/jobs.h"
#include "core/valid.h"

#include <stdlib.h>
#include <string.h>

/* Every time the queue decides by or stores is the wall clock (core/clock), passed as the
 * statement's DB_NOW parameter, never the database's now(): when a job is due, whether a
 * lease ran out, a lease's end, a backoff, the wait for the next job, the counts, and
 * run_at, lease_until, finished_at, updated_at. A test sets that clock (KAIROS_TEST_CLOCK,
 * POST /_debug/clock) to make a job due in an hour due now, or to end a lease or a backoff,
 * without sleeping; and a row is never stamped from two clocks. Runners on different hosts
 * each compare leases by their own clock: in production that is NTP time on every host, as
 * the database's is, and a lease is tens of seconds, far above any skew between them. */

/* The NOTIFY is delivered only if the transaction commits, like the row itself. A second job
 * with the same organisation, kind and dedupe key hits jobs_dedupe and adds nothing. */
static struct db_stmt jobs_stmt_enqueue = DB_STMT("jobs_enqueue", 6,
	"WITH ins AS ("
	" INSERT INTO jobs (org_id, kind, payload, dedupe_key, run_at, created_at, updated_at)"
	" VALUES ($1::uuid, $2, coalesce($3::jsonb, '{}'::jsonb), $4,"
	"  coalesce($5::timestamptz, " DB_NOW(6) "), " DB_NOW(6) ", " DB_NOW(6) ")"
	" ON CONFLICT DO NOTHING RETURNING id)"
	" SELECT id, pg_notify('kairos_jobs', 'job') FROM ins");

/* The earliest $4 due jobs of our kinds that no live lease holds, leased and their attempt
 * counted in the same statement: a second runner skips the locked rows, and after this
 * commits sees the lease. $2 and $3 are our kinds and their leases, in step; $5 the clock,
 * returned as the claim's time so a handler (and a test) can compare it with an earlier
 * lease on one clock. */
static struct db_stmt jobs_stmt_claim = DB_STMT("jobs_claim", 5,
	"WITH k AS (SELECT * FROM unnest($2::text[], $3::int[]) AS k(kind, lease)),"
	" c AS (SELECT j.id, k.lease FROM jobs j JOIN k ON k.kind = j.kind"
	"  WHERE j.status = 'queued' AND j.run_at <= " DB_NOW(5)
	"  AND (j.lease_until IS NULL OR j.lease_until < " DB_NOW(5) ")"
	"  ORDER BY j.run_at LIMIT $4 FOR UPDATE OF j SKIP LOCKED)"
	" UPDATE jobs j SET attempts = j.attempts + 1, leased_by = $1,"
	"  lease_until = " DB_NOW(5) " + make_interval(secs => c.lease), updated_at = " DB_NOW(5)
	" FROM c WHERE j.id = c.id"
	" RETURNING j.id, coalesce(j.org_id::text, ''), j.kind, j.payload::text,"
	"  coalesce(j.dedupe_key, ''), j.attempts, $5::bigint / 1000000.0::float8,"
	"  extract(epoch FROM j.lease_until)::float8");

/* Guarded by leased_by: a runner whose lease ran out and was taken over records nothing.
 * $1 is an array of ids: one job's, or a batched kind's many. */
static struct db_stmt jobs_stmt_done = DB_STMT("jobs_done", 3,
	"WITH d AS (UPDATE jobs SET status = 'done', lease_until = NULL, last_error = NULL,"
	"  finished_at = " DB_NOW(3) ", updated_at = " DB_NOW(3)
	"  WHERE id = ANY($1::uuid[]) AND leased_by = $2 AND status = 'queued' RETURNING id)"
	" SELECT coalesce(array_agg(id)::text, '{}') FROM d");

/* Claimed jobs that never started: back at once, the claim's attempt undone. Safe: nothing
 * of them ran. */
static struct db_stmt jobs_stmt_release = DB_STMT("jobs_release", 3,
	"UPDATE jobs SET lease_until = NULL, attempts = greatest(attempts - 1, 0),"
	" updated_at = " DB_NOW(3)
	" WHERE id = ANY($1::uuid[]) AND leased_by = $2 AND status = 'queued'");

/* A failure: queued again $3 seconds after the clock ($6), or dead ($5) with its reason. */
static struct db_stmt jobs_stmt_failed = DB_STMT("jobs_failed", 6,
	"UPDATE jobs SET status = CASE WHEN $5::boolean THEN 'dead' ELSE 'queued' END,"
	" run_at = CASE WHEN $5::boolean THEN run_at"
	"  ELSE " DB_NOW(6) " + make_interval(secs => $3) END,"
	" last_error = $4, lease_until = NULL,"
	" finished_at = CASE WHEN $5::boolean THEN " DB_NOW(6) " END, updated_at = " DB_NOW(6)
	" WHERE id = $1 AND leased_by = $2 AND status = 'queued'");

/* Milliseconds until the first of our kinds is due or its lease ends (≤ 0: now); "" when
 * none is queued. */
static struct db_stmt jobs_stmt_wait = DB_STMT("jobs_wait", 2,
	"SELECT coalesce(ceil(extract(epoch FROM"
	"  min(greatest(run_at, lease_until)) - " DB_NOW(2) ") * 1000)::bigint::text, '')"
	" FROM jobs WHERE status = 'queued' AND kind = ANY($1::text[])");

/* the newest job first, after dead job $1 (keyset: web's ?jobsAfter=, --dead's --after);
 * $3: the kinds whose modules list their own dead letters (own_dead_letters). Paged by when
 * the job was queued, which nothing changes: when it died moves when a retried job dies
 * again, and a list paged by it would show that job twice, or skip it, or repeat a page
 * when it was the last shown (0028's index). */
static struct db_stmt jobs_stmt_dead = DB_STMT("jobs_dead", 3,
	"SELECT id, coalesce(org_id::text, ''), kind, coalesce(dedupe_key, ''),"
	" to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'), attempts,"
	" coalesce(last_error, '')"
	" FROM jobs WHERE status = 'dead' AND kind <> ALL($3::text[])"
	" AND ($1::uuid IS NULL OR (created_at, id) <"
	"  (SELECT created_at, id FROM jobs WHERE id = $1::uuid))"
	" ORDER BY created_at DESC, id DESC LIMIT $2");

/* A dead letter goes back to the queue with a fresh set of attempts; its last error stays
 * until the next outcome replaces it. $2: kinds left out, $3: the one kind wanted (or NULL). */
static struct db_stmt jobs_stmt_retry_dead = DB_STMT("jobs_retry_dead", 4,
	"UPDATE jobs SET status = 'queued', attempts = 0, run_at = " DB_NOW(4) ", lease_until = NULL,"
	" leased_by = NULL, finished_at = NULL, updated_at = " DB_NOW(4)
	" WHERE id = $1::uuid AND status = 'dead' AND kind <> ALL($2::text[])"
	" AND ($3::text IS NULL OR kind = $3)"
	" RETURNING id, pg_notify('kairos_jobs', 'job')");

/* One batch of the oldest done jobs that finished over $1 days before the wall clock ($3,
 * DB_NOW), at most $2 (jobs_done, 0022). status is asked again by the DELETE: a row is
 * removed only as the done job it was chosen as. */
static struct db_stmt jobs_stmt_purge = DB_STMT("jobs_purge", 3,
	"WITH d AS (DELETE FROM jobs WHERE status = 'done' AND id IN (SELECT id FROM jobs"
	"  WHERE status = 'done' AND finished_at < " DB_NOW(3) " - make_interval(days => $1::int)"
	"  ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1)"
	" SELECT count(*) FROM d");

/* Per kind: due (as the claim sees them), later, running (a live lease), done, dead. */
static struct db_stmt jobs_stmt_counts = DB_STMT("jobs_counts", 1,
	"SELECT kind, count(*) FILTER (WHERE status = 'queued' AND run_at <= " DB_NOW(1)
	"  AND (lease_until IS NULL OR lease_until < " DB_NOW(1) ")),"
	" count(*) FILTER (WHERE status = 'queued' AND run_at > " DB_NOW(1) "),"
	" count(*) FILTER (WHERE status = 'queued' AND lease_until > " DB_NOW(1) "),"
	" count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'dead')"
	" FROM jobs GROUP BY kind ORDER BY kind");

int
jobs_enqueue(struct db *db, const char *org_id, const char *kind, const char *payload,
    const char *dedupe_key, const char *run_at, bool *created, char *id)
{
	char now[DB_NOW_SIZE];
	const char *params[6] = { org_id, kind, payload, dedupe_key, run_at, db_now(now) };
	const struct jobs_kind *k = jobs_kind_find(kind, true);
	PGresult *res = NULL;
	int rc;

	if (k != NULL && !k->platform && org_id == NULL) {
		/* only platform work runs without an organisation, as the owner */
		snprintf(db->error, sizeof db->error, "a job of kind %s is an organisation's:"
		    " it needs its org_id", kind);
		rc = DB_FAILED;
	} else
		rc = db_query(db, &jobs_stmt_enqueue, params, &res);
	if (created != NULL)
		*created = rc == DB_OK && PQntuples(res) == 1;
	if (id != NULL) {
		*id = '\0';
		if (rc == DB_OK && PQntuples(res) == 1)
			db_copy(id, JOBS_UUID_SIZE, res, 0, 0);
	}
	PQclear(res);
	return rc;
}

/* ---- the runner ---- */

/* Appends value to a PostgreSQL array literal being built in out ("{" first). Kind names
 * and numbers need no quoting (the kind check allows [a-z0-9.-] only). */
static void
jobs_array_add(struct buf *out, const char *value)
{
	buf_putc(out, out->len ? ',' : '{');
	buf_puts(out, value);
}

static void
jobs_array_end(struct buf *out)
{
	buf_puts(out, out->len ? "}" : "{}");
}

int
jobs_runner_init(struct jobs_runner *r, bool test_kinds, const char *runner, struct db *app)
{
	const struct jobs_kind *all[JOBS_MAX_KINDS];
	size_t n = jobs_kinds(test_kinds, all, JOBS_MAX_KINDS);
	struct buf why = BUF_INIT;
	int left_out = 0;

	memset(r, 0, sizeof *r);
	r->app = app;
	snprintf(r->runner, sizeof r->runner, "%s", runner);
	for (size_t i = 0; i < n; i++) {
		char lease[16];
		bool taken = false;

		for (size_t j = 0; j < r->nkinds; j++)
			taken = taken || strcmp(r->kinds[j]->name, all[i]->name) == 0;
		buf_reset(&why);
		if (taken)
			buf_puts(&why, "the name is registered twice");
		else if (all[i]->batched && jobs_kind_module(all[i])->run_due == NULL)
			buf_puts(&why, "a batched kind whose module runs no batches (run_due)");
		if (why.len > 0 || jobs_kind_check(all[i], &why) < 0) {
			log_error("job kind left out", "%s: %s", all[i]->name ? all[i]->name : "(no name)",
			    buf_cstr(&why));
			left_out++;
			continue;
		}
		r->kinds[r->nkinds++] = all[i];
		jobs_array_add(&r->all, all[i]->name);
		if (all[i]->batched)
			continue;	/* its module claims it */
		snprintf(lease, sizeof lease, "%d", all[i]->lease_seconds);
		jobs_array_add(&r->names, all[i]->name);
		jobs_array_add(&r->leases, lease);
	}
	jobs_array_end(&r->names);
	jobs_array_end(&r->leases);
	jobs_array_end(&r->all);
	buf_free(&why);
	return left_out;
}

void
jobs_runner_free(struct jobs_runner *r)
{
	buf_free(&r->names);
	buf_free(&r->leases);
	buf_free(&r->all);
}

static const struct jobs_kind *
jobs_runner_kind(const struct jobs_runner *r, const char *name)
{
	for (size_t i = 0; i < r->nkinds; i++)
		if (strcmp(r->kinds[i]->name, name) == 0)
			return r->kinds[i];
	return NULL;
}

/* Cuts error to JOBS_ERROR_MAX bytes without splitting a UTF-8 character (the column's
 * CHECK counts characters; bytes are the stricter bound). */
static void
jobs_error_cut(struct buf *error)
{
	buf_truncate(error, utf8_cut(error->data, error->len, JOBS_ERROR_MAX));
}

int
jobs_claim(struct db *db, const struct jobs_kind *k, const char *runner, int max, PGresult **res)
{
	char lease[16], limit[16], now[DB_NOW_SIZE];
	struct buf names = BUF_INIT, leases = BUF_INIT;
	const char *params[5] = { runner, NULL, NULL, limit, db_now(now) };
	int rc;

	snprintf(lease, sizeof lease, "%d", k->lease_seconds);
	snprintf(limit, sizeof limit, "%d", max);
	jobs_array_add(&names, k->name);
	jobs_array_add(&leases, lease);
	jobs_array_end(&names);
	jobs_array_end(&leases);
	params[1] = buf_cstr(&names);
	params[2] = buf_cstr(&leases);
	rc = db_query(db, &jobs_stmt_claim, params, res);
	buf_free(&names);
	buf_free(&leases);
	return rc;
}

void
jobs_job_from(const PGresult *res, int row, const char *runner, struct jobs_job *job)
{
	*job = (struct jobs_job){ PQgetvalue(res, row, 0), PQgetvalue(res, row, 1),
		PQgetvalue(res, row, 2), PQgetvalue(res, row, 3), PQgetvalue(res, row, 4),
		atoi(PQgetvalue(res, row, 5)), runner, strtod(PQgetvalue(res, row, 6), NULL),
		strtod(PQgetvalue(res, row, 7), NULL) };
}

bool
jobs_attempts_spent(const struct jobs_kind *k, const struct jobs_job *job, struct jobs_result *r)
{
	if (job->attempt <= k->max_attempts)
		return false;
	/* the runner of the last attempt died (or overran its lease) before recording it:
	 * running it once more would exceed max_attempts */
	buf_reset(&r->error);
	buf_printf(&r->error, "attempt %d of %d did not finish within its %d s lease"
	    " (its runner stopped or overran)", job->attempt - 1, k->max_attempts, k->lease_seconds);
	return true;
}

bool
jobs_org_missing(const struct jobs_kind *k, const char *org_id, struct buf *why)
{
	if (*org_id != '\0' || k->platform)
		return false;
	buf_reset(why);
	buf_printf(why, "not run: %s is an organisation's kind and this job has no org_id",
	    k->name);
	return true;
}

int
jobs_done_many(struct db *db, const char *runner, const char *ids, struct buf *recorded)
{
	char now[DB_NOW_SIZE];
	const char *params[3] = { ids, runner, db_now(now) };
	PGresult *res = NULL;
	int rc = db_query(db, &jobs_stmt_done, params, &res);

	buf_reset(recorded);
	buf_puts(recorded, rc == DB_OK && PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "{}");
	PQclear(res);
	return rc;
}

int
jobs_release(struct db *db, const char *runner, const char *ids)
{
	char now[DB_NOW_SIZE];
	const char *params[3] = { ids, runner, db_now(now) };

	return db_exec(db, &jobs_stmt_release, params, NULL);
}

int
jobs_record(struct db *db, const struct jobs_kind *k, const struct jobs_job *job,
    enum jobs_outcome outcome, struct jobs_result *res, long ms, enum jobs_recorded *what)
{
	char secs[32] = "0";
	long changed = 0, delay = 0;
	bool dead = outcome != JOBS_DONE &&
	    backoff_gives_up(job->attempt, k->max_attempts, outcome == JOBS_FAILED);
	int rc;

	if (what != NULL)
		*what = JOBS_NOT_RECORDED;
	if (outcome == JOBS_DONE) {
		struct buf id = BUF_INIT, recorded = BUF_INIT;

		jobs_array_add(&id, job->id);
		jobs_array_end(&id);
		rc = jobs_done_many(db, job->runner, buf_cstr(&id), &recorded);
		changed = strcmp(buf_cstr(&recorded), "{}") != 0;
		buf_free(&id);
		buf_free(&recorded);
	} else {
		char now[DB_NOW_SIZE];
		const char *params[6] = { job->id, job->runner, secs, NULL, dead ? "true" : "false",
			db_now(now) };

		if (res->error.len == 0)
			buf_puts(&res->error, "failed, giving no reason");
		jobs_error_cut(&res->error);
		params[3] = buf_cstr(&res->error);
		if (!dead) {
			delay = backoff_seconds(k->backoff_seconds, k->backoff_max_seconds, job->attempt,
			    res->retry_after);
			snprintf(secs, sizeof secs, "%ld", delay);
		}
		rc = db_exec(db, &jobs_stmt_failed, params, &changed);
	}
	if (rc != DB_OK) {
		log_error("job outcome not recorded", "%s %s: it runs again when the lease ends: %s",
		    job->kind, job->id, db->error);
		return -1;
	}
	if (changed == 0) {
		/* our lease ran out and another runner took the job: its outcome counts */
		log_warn("job outcome not recorded", "%s %s attempt %d by %s: the lease ran out and"
		    " another runner has it", job->kind, job->id, job->attempt, job->runner);
		return 0;
	}
	if (what != NULL)
		*what = outcome == JOBS_DONE ? JOBS_RECORDED_DONE : dead ? JOBS_RECORDED_DEAD :
		    JOBS_RECORDED_RETRY;
	if (outcome == JOBS_DONE)
		log_info("job done", "%s %s attempt %d by %s in %ld ms", job->kind, job->id,
		    job->attempt, job->runner, ms);
	else if (dead)
		log_warn("job dead", "%s %s attempt %d by %s: %s", job->kind, job->id, job->attempt,
		    job->runner, buf_cstr(&res->error));
	else
		log_warn("job retry", "%s %s attempt %d by %s: again in %ld s: %s", job->kind, job->id,
		    job->attempt, job->runner, delay, buf_cstr(&res->error));
	return 0;
}

/* Whether r's application connection may run an organisation's work: its role must leave
 * row-level security in force (db_role_unsafe: no superuser, no BYPASSRLS, neither the tables'
 * owner nor a member of any of these), asked once per connection. A role that does not would
 * let a handler see and write every organisation's rows: its jobs then wait (retried, with
 * the reason) rather than run so. */
static bool
jobs_app_safe(struct jobs_runner *r, struct buf *why)
{
	bool unsafe = false;

	if (r->app == NULL) {
		buf_puts(why, "not run: this runner has no application role's connection");
		return false;
	}
	if (r->app->conn == NULL || r->app_checked_on != r->app->generation) {
		if (db_role_unsafe(r->app, &unsafe) != DB_OK) {
			buf_printf(why, "the application role's connection failed: %s", r->app->error);
			return false;
		}
		r->app_checked_on = r->app->generation;
		r->app_unsafe = unsafe;
		if (unsafe)
			log_error("organisations' jobs not run", "KAIROS_DATABASE_URL's role bypasses"
			    " row-level security (a superuser, BYPASSRLS, the tables' owner or a member of one;"
			    " docs/auth.md)");
	}
	if (r->app_unsafe)
		buf_puts(why, "not run: KAIROS_DATABASE_URL's role bypasses row-level security");
	return !r->app_unsafe;
}

int
jobs_tenant_begin(struct jobs_runner *r, const char *org_id, struct buf *why)
{
	if (!jobs_app_safe(r, why))
		return DB_FAILED;
	if (db_begin_tenant(r->app, org_id) != DB_OK) {
		buf_printf(why, "no transaction for its organisation: %s", r->app->error);
		return DB_FAILED;
	}
	return DB_OK;
}

/* Runs an organisation's job as a request runs: on the application role's connection, in a
 * transaction for job->org_id (db_begin_tenant, dispatch's), committed only when the handler
 * says done; any other outcome, or a commit that fails, rolls back all it wrote. */
static enum jobs_outcome
jobs_run_tenant(struct jobs_runner *r, const struct jobs_kind *k, const struct jobs_job *job,
    struct jobs_result *res)
{
	struct db *app = r->app;
	enum jobs_outcome outcome;

	if (jobs_tenant_begin(r, job->org_id, &res->error) != DB_OK)
		return JOBS_RETRY;
	outcome = k->run(app, job, res);
	if (outcome != JOBS_DONE) {
		db_rollback(app);
		return outcome;
	}
	if (db_commit(app) != DB_OK) {
		buf_reset(&res->error);
		buf_printf(&res->error, "its work did not commit (rolled back): %s", app->error);
		return JOBS_RETRY;
	}
	return JOBS_DONE;
}

/* Runs a system job (platform work) on the owner's connection, which must be left with no
 * transaction open. */
static enum jobs_outcome
jobs_run_system(struct db *db, const struct jobs_kind *k, const struct jobs_job *job,
    struct jobs_result *res)
{
	enum jobs_outcome outcome = k->run(db, job, res);

	if (db_in_transaction(db)) {
		db_rollback(db);
		buf_reset(&res->error);
		buf_puts(&res->error, "the handler left a transaction open; it was rolled back");
		outcome = JOBS_RETRY;
	}
	return outcome;
}

int
jobs_run_one(struct jobs_runner *r, struct db *db)
{
	char now[DB_NOW_SIZE];
	const char *params[5] = { r->runner, buf_cstr(&r->names), buf_cstr(&r->leases), "1",
		db_now(now) };
	struct jobs_result result = { BUF_INIT, 0 };
	enum jobs_outcome outcome;
	const struct jobs_kind *k;
	struct jobs_job job;
	PGresult *res = NULL;
	long long t0;
	int rc;

	if (strcmp(buf_cstr(&r->names), "{}") == 0)
		return 0;
	if (db_query(db, &jobs_stmt_claim, params, &res) != DB_OK) {
		log_warn("jobs not run", "%s", db->error);
		return -1;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	jobs_job_from(res, 0, r->runner, &job);
	k = jobs_runner_kind(r, job.kind);	/* the claim takes only our kinds */
	t0 = clock_mono_us();
	if (jobs_attempts_spent(k, &job, &result)) {
		outcome = JOBS_FAILED;
	} else if (jobs_org_missing(k, job.org_id, &result.error)) {
		outcome = JOBS_FAILED;
	} else {
		log_debug("job started", "%s %s attempt %d by %s", job.kind, job.id, job.attempt,
		    r->runner);
		outcome = *job.org_id ? jobs_run_tenant(r, k, &job, &result) :
		    jobs_run_system(db, k, &job, &result);
	}
	rc = jobs_record(db, k, &job, outcome, &result, (long)((clock_mono_us() - t0) / 1000),
	    NULL);
	buf_free(&result.error);
	PQclear(res);
	return rc < 0 ? -1 : 1;
}

long
jobs_next_due_ms(struct jobs_runner *r, struct db *db)
{
	char v[32], now[DB_NOW_SIZE];
	const char *params[2] = { buf_cstr(&r->all), db_now(now) };

	if (r->nkinds == 0 || db_query_value(db, &jobs_stmt_wait, params, v, sizeof v) != DB_OK ||
	    *v == '\0')
		return -1;
	return atol(v) > 0 ? atol(v) : 0;
}

/* ---- dead letters and the operator's view ---- */

/* The array literal of the kinds whose modules keep their own dead letters, into out. */
static void
jobs_own_dead_kinds(struct buf *out)
{
	const struct jobs_kind *all[JOBS_MAX_KINDS];
	size_t n = jobs_kinds(true, all, JOBS_MAX_KINDS);

	for (size_t i = 0; i < n; i++)
		if (all[i]->own_dead_letters)
			jobs_array_add(out, all[i]->name);
	jobs_array_end(out);
}

/* A row of jobs_stmt_dead. */
static const struct db_row_map jobs_dead_map = DB_ROW_MAP(struct jobs_dead,
	DB_COL_TEXT(struct jobs_dead, id),
	DB_COL_TEXT(struct jobs_dead, org_id),
	DB_COL_TEXT(struct jobs_dead, kind),
	DB_COL_TEXT(struct jobs_dead, dedupe_key),
	DB_COL_TEXT(struct jobs_dead, when),
	DB_COL_INT(struct jobs_dead, attempts),
	DB_COL_TEXT(struct jobs_dead, error));

/* The dead letters after `after`, leaving out own_dead_letters kinds unless all. */
static int
jobs_dead_query(struct db *db, bool all, const char *after, struct jobs_dead *rows, int max)
{
	char limit[16];
	struct buf skip = BUF_INIT;
	const char *params[3] = { after, limit, NULL };
	int n;

	snprintf(limit, sizeof limit, "%d", max);
	if (all)
		jobs_array_end(&skip);
	else
		jobs_own_dead_kinds(&skip);
	params[2] = buf_cstr(&skip);
	n = db_query_rows(db, &jobs_stmt_dead, params, &jobs_dead_map, rows, max);
	buf_free(&skip);
	return n;
}

int
jobs_dead_letters(struct db *db, const char *after, struct jobs_dead *rows, int max)
{
	return jobs_dead_query(db, false, after, rows, max);
}

int
jobs_dead_letters_all(struct db *db, const char *after, struct jobs_dead *rows, int max)
{
	return jobs_dead_query(db, true, after, rows, max);
}

/* jobs_retry_dead's statement: kind NULL leaves out the kinds with own_dead_letters. */
static int
jobs_retry(struct db *db, const char *kind, const char *id, bool *found)
{
	char now[DB_NOW_SIZE];
	struct buf skip = BUF_INIT;
	const char *params[4] = { id, NULL, kind, db_now(now) };
	PGresult *res = NULL;
	int rc = DB_OK;

	*found = false;
	if (id == NULL || !valid_uuid(id))
		return DB_OK;	/* no such job */
	if (kind == NULL)
		jobs_own_dead_kinds(&skip);
	else
		jobs_array_end(&skip);
	params[1] = buf_cstr(&skip);
	rc = db_query(db, &jobs_stmt_retry_dead, params, &res);
	*found = rc == DB_OK && PQntuples(res) == 1;
	buf_free(&skip);
	PQclear(res);
	return rc;
}

int
jobs_retry_dead(struct db *db, const char *id, bool *found)
{
	return jobs_retry(db, NULL, id, found);
}

int
jobs_retry_dead_of(struct db *db, const char *kind, const char *id, bool *found)
{
	return jobs_retry(db, kind, id, found);
}

int
jobs_queue_list(struct db *db, bool test_kinds, FILE *out)
{
	char now[DB_NOW_SIZE];
	const char *params[1] = { db_now(now) };
	PGresult *res = NULL;
	int n;

	if (db_query(db, &jobs_stmt_counts, params, &res) != DB_OK) {
		fprintf(stderr, "kairos jobs: %s\n", db->error);
		return 1;
	}
	n = PQntuples(res);
	fprintf(out, "%-32s %8s %8s %8s %8s %8s\n", "KIND", "DUE", "LATER", "RUNNING", "DONE", "DEAD");
	for (int i = 0; i < n; i++) {
		const char *kind = PQgetvalue(res, i, 0);

		fprintf(out, "%-32s %8s %8s %8s %8s %8s%s\n", kind, PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
		    PQgetvalue(res, i, 5),
		    jobs_kind_find(kind, test_kinds) ? "" : "  (not a kind of this build)");
	}
	if (n == 0)
		fprintf(out, "(no jobs)\n");
	PQclear(res);
	return 0;
}

/* ---- retention ---- */

int
jobs_purge_done(struct db *db, long keep_days, long *removed, int *batches, bool *more)
{
	char keep[24], batch[24], now[DB_NOW_SIZE];
	const char *p[] = { keep, batch, db_now(now) };
	long got = 0;

	snprintf(keep, sizeof keep, "%ld", keep_days);
	snprintf(batch, sizeof batch, "%d", JOBS_PURGE_BATCH);
	*more = false;
	for (int i = 0; i < JOBS_PURGE_MAX_BATCHES; i++) {
		char v[24];
		int rc = db_query_value(db, &jobs_stmt_purge, p, v, sizeof v);

		if (rc != DB_OK)
			return rc;
		got = atol(v);
		*removed += got;
		++*batches;
		if (got < JOBS_PURGE_BATCH)
			return DB_OK;
	}
	*more = true;	/* the last batch was full: the next run goes on */
	return DB_OK;
}
