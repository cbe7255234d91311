/* schedule.c: scheduled tasks of `kairos jobs` — the table of tasks, when each is next due
 * (intervals, and daily times in an IANA zone across DST changes), and claiming a due task
 * under a lease so that with several runners each due run happens once. */
#include "jobs/jobs.h"
#include "auth/auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/tz.h"

/* When `schedule_run_due` finds a task due that it could not claim (another runner is
 * claiming it this very moment), it looks again after this long rather than spinning. */
#define SCHEDULE_MIN_WAIT_MS         50
#define SCHEDULE_DAY_SECONDS         86400L

/* Housekeeping is global, not per clinic: it runs in the quiet hours of the default
 * organisation's zone (0001), where Kairos's first clinics are. */
#define SCHEDULE_HOUSEKEEPING_ZONE   "Australia/Sydney"
/* Sign-in codes pile up fastest (one per request, and abuse makes many): hourly. */
#define SCHEDULE_OTP_PURGE_SECONDS   3600
/* Done jobs (one per message sent) go hourly: each run is a few batches, at most
 * JOBS_PURGE_MAX_BATCHES, so it stays short in the loop that also sends the messages. */
#define SCHEDULE_JOBS_PURGE_SECONDS  3600
/* A purge is a few batched DELETEs, each bounded by the statement timeout: minutes of lease
 * are far more than a run needs. */
#define SCHEDULE_PURGE_LEASE_SECONDS 300

/* The test-only tasks (KAIROS_SCHEDULE_TEST_TASKS): a fast interval, a run long enough to
 * kill the runner in the middle of it (and shorter than its lease), and a failure. */
#define SCHEDULE_TEST_TICK_SECONDS       1
#define SCHEDULE_TEST_LEASE_SECONDS      10
#define SCHEDULE_TEST_SLOW_SECONDS       2
#define SCHEDULE_TEST_SLOW_LEASE_SECONDS 4

/* ---- time zones ----
 *
 * core/tz does the zone arithmetic (thread-safe, no TZ/tzset()); its TZ_RULE_FIRST is the
 * rule a daily time wants: a time in a spring-forward gap runs at the end of the gap, one
 * that happens twice runs at the first. */

int
schedule_zone_check(const char *zone)
{
	return tz_valid(zone) ? 0 : -1;
}

int
schedule_daily_next(int hour, int minute, const char *zone, time_t after, time_t *out)
{
	const struct tz_zone *z;
	struct tz_local today;
	int64_t day0;

	if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || tz_load(zone, &z) != TZ_OK ||
	    tz_utc_to_local(z, (tz_instant)after, &today) != TZ_OK)
		return -1;
	day0 = tz_days_from_civil(today.civil.year, today.civil.month, today.civil.day);
	/* from the day before: a time in a gap can move past midnight */
	for (int d = -1; d <= SCHEDULE_DAILY_SEARCH_DAYS; d++) {
		struct tz_civil w = { .hour = hour, .minute = minute };
		tz_instant t;

		tz_civil_from_days(day0 + d, &w.year, &w.month, &w.day);
		if (tz_local_to_utc(z, &w, TZ_RULE_FIRST, &t, NULL) == TZ_OK && t > (tz_instant)after) {
			*out = (time_t)t;
			return 0;
		}
	}
	return -1;
}

int
schedule_first(const struct schedule *s, time_t now, time_t *out)
{
	switch (s->kind) {
	case SCHEDULE_EVERY:
		*out = now;
		return 0;
	case SCHEDULE_DAILY:
		/* "after now - 1": a daily time falling on this very second is due now */
		return schedule_daily_next(s->hour, s->minute, s->zone, now - 1, out);
	case SCHEDULE_MANUAL:
		break;
	}
	*out = SCHEDULE_NEVER;
	return 0;
}

int
schedule_next(const struct schedule *s, time_t due, time_t now, time_t *out)
{
	switch (s->kind) {
	case SCHEDULE_EVERY:
		if (s->seconds < 1)
			return -1;
		*out = now < due ? due + s->seconds : due + ((now - due) / s->seconds + 1) * s->seconds;
		return 0;
	case SCHEDULE_DAILY:
		return schedule_daily_next(s->hour, s->minute, s->zone, now, out);
	case SCHEDULE_MANUAL:
		break;
	}
	*out = SCHEDULE_NEVER;
	return 0;
}

void
schedule_format(const struct schedule *s, char out[SCHEDULE_TEXT_SIZE])
{
	switch (s->kind) {
	case SCHEDULE_EVERY:
		snprintf(out, SCHEDULE_TEXT_SIZE, "every %ld s", s->seconds);
		return;
	case SCHEDULE_DAILY:
		snprintf(out, SCHEDULE_TEXT_SIZE, "daily at %02d:%02d %s", s->hour, s->minute, s->zone);
		return;
	case SCHEDULE_MANUAL:
		break;
	}
	snprintf(out, SCHEDULE_TEXT_SIZE, "manual");
}

/* ---- the tasks ---- */

static int
schedule_db_failed(struct db *db, struct buf *error)
{
	buf_printf(error, "%s", db->error[0] ? db->error : "database unavailable");
	return -1;
}

static int
task_otp_purge(struct db *db, const struct config *cfg, struct buf *done, struct buf *error)
{
	long n = 0;
	int rc = auth_purge_otp_codes(db, &n);

	(void)cfg;
	buf_printf(done, "removed %ld sign-in codes older than %d h", n, AUTH_OTP_KEEP_SECONDS / 3600);
	return rc == DB_OK ? 0 : schedule_db_failed(db, error);
}

static int
task_session_purge(struct db *db, const struct config *cfg, struct buf *done, struct buf *error)
{
	long sessions = 0, tokens = 0;
	int rc = auth_purge_sessions(db, &sessions, &tokens);

	(void)cfg;
	buf_printf(done, "removed %ld sessions revoked or expired over %d days ago and their %ld"
	    " refresh tokens", sessions, AUTH_SESSION_KEEP_SECONDS / 86400, tokens);
	return rc == DB_OK ? 0 : schedule_db_failed(db, error);
}

static int
task_invite_purge(struct db *db, const struct config *cfg, struct buf *done, struct buf *error)
{
	long n = 0;
	int rc = auth_purge_invites(db, &n);

	(void)cfg;
	buf_printf(done, "removed %ld staff invitations expired over %d days ago", n,
	    AUTH_INVITE_KEEP_SECONDS / 86400);
	return rc == DB_OK ? 0 : schedule_db_failed(db, error);
}

static int
task_jobs_purge(struct db *db, const struct config *cfg, struct buf *done, struct buf *error)
{
	long n = 0;
	int batches = 0;
	bool more = false;
	int rc = jobs_purge_done(db, cfg->jobs_keep_days, &n, &batches, &more);

	buf_printf(done, "removed %ld done jobs finished over %ld days ago in %d batch%s%s", n,
	    cfg->jobs_keep_days, batches, batches == 1 ? "" : "es",
	    more ? "; more remain: the next run goes on" : "");
	return rc == DB_OK ? 0 : schedule_db_failed(db, error);
}

static int
task_test_tick(struct db *db, const struct config *cfg, struct buf *done, struct buf *error)
{
	(void)db;
	(void)cfg;
	(void)error;
	buf_puts(done, "ticked");
	return 0;
}

static int
task_test_slow(struct db *db, const struct config *cfg, struct buf *done, struct buf *error)
{
	struct timespec left = { SCHEDULE_TEST_SLOW_SECONDS, 0 };

	(void)cfg;
	(void)db;
	(void)error;
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
	buf_printf(done, "slept %d s", SCHEDULE_TEST_SLOW_SECONDS);
	return 0;
}

static int
task_test_fail(struct db *db, const struct config *cfg, struct buf *done, struct buf *error)
{
	(void)db;
	(void)cfg;
	(void)done;
	buf_puts(error, "failed on purpose (test task)");
	return -1;
}

static const struct schedule_task schedule_table[] = {
	{ "otp-purge", { .kind = SCHEDULE_EVERY, .seconds = SCHEDULE_OTP_PURGE_SECONDS },
	  SCHEDULE_PURGE_LEASE_SECONDS, task_otp_purge, false,
	  "delete sign-in codes older than a day" },
	{ "session-purge", { .kind = SCHEDULE_DAILY, .hour = 3, .minute = 30,
	  .zone = SCHEDULE_HOUSEKEEPING_ZONE }, SCHEDULE_PURGE_LEASE_SECONDS, task_session_purge,
	  false, "delete sessions revoked or expired over 30 days ago, with their refresh tokens" },
	{ "invite-purge", { .kind = SCHEDULE_DAILY, .hour = 3, .minute = 45,
	  .zone = SCHEDULE_HOUSEKEEPING_ZONE }, SCHEDULE_PURGE_LEASE_SECONDS, task_invite_purge,
	  false, "delete staff invitations expired over 30 days ago" },
	{ "jobs-purge", { .kind = SCHEDULE_EVERY, .seconds = SCHEDULE_JOBS_PURGE_SECONDS },
	  SCHEDULE_PURGE_LEASE_SECONDS, task_jobs_purge, false,
	  "delete done jobs finished over KAIROS_JOBS_KEEP_DAYS ago (never dead or queued ones)" },
	{ "test-tick", { .kind = SCHEDULE_EVERY, .seconds = SCHEDULE_TEST_TICK_SECONDS },
	  SCHEDULE_TEST_LEASE_SECONDS, task_test_tick, true, "test only: does nothing, every second" },
	{ "test-slow", { .kind = SCHEDULE_MANUAL }, SCHEDULE_TEST_SLOW_LEASE_SECONDS, task_test_slow,
	  true, "test only: sleeps 2 s" },
	{ "test-fail", { .kind = SCHEDULE_MANUAL }, SCHEDULE_TEST_LEASE_SECONDS, task_test_fail, true,
	  "test only: fails" },
};

size_t
schedule_tasks(bool test_tasks, const struct schedule_task **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof schedule_table / sizeof *schedule_table && n < max; i++)
		if (test_tasks || !schedule_table[i].test_only)
			out[n++] = &schedule_table[i];
	return n;
}

static const struct schedule_task *
schedule_find(bool test_tasks, const char *name)
{
	const struct schedule_task *tasks[SCHEDULE_MAX_TASKS];
	size_t n = schedule_tasks(test_tasks, tasks, SCHEDULE_MAX_TASKS);

	for (size_t i = 0; i < n; i++)
		if (strcmp(tasks[i]->name, name) == 0)
			return tasks[i];
	return NULL;
}

/* ---- state in scheduled_tasks (0008) ---- */

/* The wall clock (DB_NOW), not the database's now(): due times, claims and leases all read
 * one clock, which a test can set. */

/* A task seen for the first time gets its first due time; one whose schedule changed in
 * the code gets a new one. $3 = '' is never (a manual task). */
static struct db_stmt sched_stmt_register = DB_STMT("sched_register", 3,
	"INSERT INTO scheduled_tasks (name, schedule, next_run_at)"
	" VALUES ($1, $2, CASE WHEN $3 = '' THEN 'infinity'::timestamptz"
	"  ELSE to_timestamp($3::bigint) END)"
	" ON CONFLICT (name) DO UPDATE SET schedule = EXCLUDED.schedule,"
	"  next_run_at = EXCLUDED.next_run_at"
	" WHERE scheduled_tasks.schedule <> EXCLUDED.schedule");

/* The earliest due task among ours that no live lease holds, leased in the same statement:
 * a second runner skips the locked row, and after this commits sees the lease. $1 and $2
 * are our names and their leases, in step. */
static struct db_stmt sched_stmt_claim = DB_STMT("sched_claim", 4,
	"UPDATE scheduled_tasks t SET lease_until = " DB_NOW(4) " + make_interval(secs => k.lease),"
	" leased_by = $3, last_started_at = " DB_NOW(4)
	" FROM unnest($1::text[], $2::int[]) AS k(name, lease)"
	" WHERE t.name = k.name AND t.name = (SELECT name FROM scheduled_tasks"
	"  WHERE name = ANY($1::text[]) AND next_run_at <= " DB_NOW(4)
	"  AND (lease_until IS NULL OR lease_until < " DB_NOW(4) ")"
	"  ORDER BY next_run_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" RETURNING t.name, floor(extract(epoch FROM t.next_run_at))::bigint,"
	"  floor($4::bigint / 1000000.0)::bigint,"
	"  to_char(t.next_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");

/* Guarded by leased_by: a runner whose lease ran out (and was taken over) records nothing.
 * An operator's --run-now during the run (next_run_at moved past the start) is kept. */
static struct db_stmt sched_stmt_record = DB_STMT("sched_record", 5,
	"UPDATE scheduled_tasks SET next_run_at = CASE"
	"  WHEN next_run_at > last_started_at THEN least(next_run_at, n.at) ELSE n.at END,"
	" last_finished_at = " DB_NOW(5) ", last_error = nullif(left($4, 1000), ''), runs = runs + 1,"
	" lease_until = NULL, leased_by = NULL"
	" FROM (SELECT CASE WHEN $3 = '' THEN 'infinity'::timestamptz"
	"  ELSE to_timestamp($3::bigint) END AS at) n"
	" WHERE name = $1 AND leased_by = $2 RETURNING 1");

/* Milliseconds until the first of ours is due or its lease ends (negative: overdue); ""
 * when none of ours has a due time. */
static struct db_stmt sched_stmt_wait = DB_STMT("sched_wait", 2,
	"SELECT coalesce(ceil(extract(epoch FROM"
	"  min(greatest(next_run_at, lease_until)) - " DB_NOW(2) ") * 1000)::bigint::text, '')"
	" FROM scheduled_tasks WHERE name = ANY($1::text[]) AND isfinite(next_run_at)");

static struct db_stmt sched_stmt_run_now = DB_STMT("sched_run_now", 2,
	"WITH u AS (UPDATE scheduled_tasks SET next_run_at = " DB_NOW(2) " WHERE name = $1"
	" RETURNING coalesce(leased_by, '') AS by, coalesce(lease_until > " DB_NOW(2)
	", false) AS busy)"
	" SELECT by, busy, pg_notify('kairos_jobs', 'schedule') FROM u");

#define SCHED_TIME(col) \
	"coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-')"

static struct db_stmt sched_stmt_list = DB_STMT("sched_list", 1,
	"SELECT name, schedule,"
	" CASE WHEN isfinite(next_run_at) THEN " SCHED_TIME("next_run_at") " ELSE 'never' END,"
	" " SCHED_TIME("last_started_at") ", " SCHED_TIME("last_finished_at") ", runs,"
	" coalesce(leased_by, ''), coalesce(lease_until > " DB_NOW(1) ", false), "
	SCHED_TIME("lease_until") ", coalesce(last_error, '')"
	" FROM scheduled_tasks ORDER BY name");

/* "" for never, else the epoch seconds. */
static void
schedule_time_param(time_t t, char out[32])
{
	if (t == SCHEDULE_NEVER)
		out[0] = '\0';
	else
		snprintf(out, 32, "%lld", (long long)t);
}

static int
schedule_register(struct db *db, const struct schedule_task *const *tasks, size_t n)
{
	time_t now = (time_t)clock_now(), first;
	int rc;

	for (size_t i = 0; i < n; i++) {
		char text[SCHEDULE_TEXT_SIZE], at[32];
		const char *p[] = { tasks[i]->name, text, at };
		PGresult *res = NULL;

		schedule_format(&tasks[i]->when, text);
		if (schedule_first(&tasks[i]->when, now, &first) < 0) {
			snprintf(db->error, sizeof db->error, "%s: unknown time zone", tasks[i]->name);
			return DB_FAILED;
		}
		schedule_time_param(first, at);
		if ((rc = db_query(db, &sched_stmt_register, p, &res)) != DB_OK)
			return rc;
		PQclear(res);
	}
	return DB_OK;
}

/* A declared task that cannot run here: a bad name or lease (a programming error the unit
 * test catches), or a zone this host's tzdata lacks. */
static bool
schedule_task_valid(const struct schedule_task *t)
{
	const struct schedule *s = &t->when;
	size_t len = strlen(t->name);

	if (len < 1 || len > SCHEDULE_NAME_MAX || !islower((unsigned char)t->name[0]) ||
	    t->lease_seconds < 1)
		return false;
	for (size_t j = 0; j < len; j++)
		if (!islower((unsigned char)t->name[j]) && !isdigit((unsigned char)t->name[j]) &&
		    t->name[j] != '-')
			return false;
	if (s->kind == SCHEDULE_EVERY)
		return s->seconds >= 1;
	if (s->kind == SCHEDULE_DAILY)
		return s->hour >= 0 && s->hour <= 23 && s->minute >= 0 && s->minute <= 59 &&
		    schedule_zone_check(s->zone) == 0;
	return true;
}

int
schedule_runner_init(struct schedule_runner *r, const struct config *cfg, const char *runner)
{
	const struct schedule_task *all[SCHEDULE_MAX_TASKS];
	struct buf names = BUF_INIT, leases = BUF_INIT;
	size_t n = schedule_tasks(cfg->schedule_test_tasks, all, SCHEDULE_MAX_TASKS);
	int left_out = 0;

	memset(r, 0, sizeof *r);
	r->cfg = cfg;
	snprintf(r->runner, sizeof r->runner, "%s", runner);
	buf_putc(&names, '{');
	buf_putc(&leases, '{');
	for (size_t i = 0; i < n; i++) {
		const struct schedule_task *t = all[i];

		/* one task that cannot run must not stop the others, nor the notifications */
		if (!schedule_task_valid(t)) {
			log_error("scheduled task left out", "%s: bad name, lease or schedule, or its"
			    " time zone is not installed (in %s)", t->name, tz_dir());
			left_out++;
			continue;
		}
		/* names are [a-z0-9-]: nothing in them needs quoting in an array literal */
		buf_printf(&names, "%s%s", r->ntasks ? "," : "", t->name);
		buf_printf(&leases, "%s%d", r->ntasks ? "," : "", t->lease_seconds);
		r->tasks[r->ntasks++] = t;
	}
	buf_putc(&names, '}');
	buf_putc(&leases, '}');
	snprintf(r->names, sizeof r->names, "%s", buf_cstr(&names));
	snprintf(r->leases, sizeof r->leases, "%s", buf_cstr(&leases));
	buf_free(&names);
	buf_free(&leases);
	return left_out;
}

static const struct schedule_task *
schedule_runner_task(const struct schedule_runner *r, const char *name)
{
	for (size_t i = 0; i < r->ntasks; i++)
		if (strcmp(r->tasks[i]->name, name) == 0)
			return r->tasks[i];
	return NULL;
}

/* Runs a claimed task and records how it went. */
static void
schedule_run_one(struct schedule_runner *r, struct db *db, const struct schedule_task *t,
    time_t due, time_t now, const char *due_text)
{
	struct buf done = BUF_INIT, error = BUF_INIT;
	char at[32], clock[DB_NOW_SIZE];
	long long t0 = clock_mono_us();
	double secs;
	time_t next;
	int ok;

	ok = t->run(db, r->cfg, &done, &error) == 0;
	secs = (double)(clock_mono_us() - t0) / 1e6;
	if (ok)
		log_info("task finished", "%s due %s by %s: %s (%.3f s)", t->name, due_text, r->runner,
		    buf_cstr(&done), secs);
	else
		log_warn("task failed", "%s due %s by %s: %s (%.3f s)", t->name, due_text, r->runner,
		    buf_cstr(&error), secs);
	if (schedule_next(&t->when, due, now, &next) < 0)	/* checked at start: not expected */
		next = now + SCHEDULE_DAY_SECONDS;
	schedule_time_param(next, at);
	db_now(clock);
	{
		const char *p[] = { t->name, r->runner, at, ok ? "" : buf_cstr(&error), clock };
		PGresult *res = NULL;

		if (db_query(db, &sched_stmt_record, p, &res) != DB_OK)
			log_error("task outcome not recorded", "%s: %s", t->name, db->error);
		else if (PQntuples(res) == 0)
			log_warn("task lease lost", "%s ran longer than its %d s lease; another runner"
			    " may have run it too", t->name, t->lease_seconds);
		PQclear(res);
	}
	buf_free(&done);
	buf_free(&error);
}

long
schedule_run_due(struct schedule_runner *r, struct db *db)
{
	char wait[32], clock[DB_NOW_SIZE];
	const char *claim[] = { r->names, r->leases, r->runner, clock };
	const char *names[] = { r->names, clock };
	bool capped = true;
	long ms;

	if (r->ntasks == 0)
		return -1;
	if (r->synced_on != db->generation) {
		if (schedule_register(db, r->tasks, r->ntasks) != DB_OK) {
			log_warn("scheduled tasks not registered", "%s", db->error);
			return -1;
		}
		r->synced_on = db->generation;
	}
	/* each of ours at most once per call on average, so the notifications get their turn */
	for (size_t i = 0; i < r->ntasks; i++) {
		const struct schedule_task *t;
		PGresult *res = NULL;

		db_now(clock);
		if (db_query(db, &sched_stmt_claim, claim, &res) != DB_OK) {
			log_warn("scheduled tasks not claimed", "%s", db->error);
			return -1;
		}
		if (PQntuples(res) == 0) {
			PQclear(res);
			capped = false;
			break;
		}
		t = schedule_runner_task(r, PQgetvalue(res, 0, 0));
		if (t != NULL)	/* the claim only matches our names */
			schedule_run_one(r, db, t, (time_t)strtoll(PQgetvalue(res, 0, 1), NULL, 10),
			    (time_t)strtoll(PQgetvalue(res, 0, 2), NULL, 10), PQgetvalue(res, 0, 3));
		PQclear(res);
	}
	if (capped)
		return 0;
	db_now(clock);
	if (db_query_value(db, &sched_stmt_wait, names, wait, sizeof wait) != DB_OK) {
		log_warn("scheduled tasks not read", "%s", db->error);
		return -1;
	}
	if (wait[0] == '\0')
		return -1;
	ms = strtol(wait, NULL, 10);
	return ms < SCHEDULE_MIN_WAIT_MS ? SCHEDULE_MIN_WAIT_MS : ms;
}

/* ---- operators ---- */

int
schedule_run_now(struct db *db, bool test_tasks, const char *name, FILE *out, FILE *err)
{
	const struct schedule_task *t = schedule_find(test_tasks, name);
	char clock[DB_NOW_SIZE];
	const char *p[] = { name, clock };
	PGresult *res = NULL;

	db_now(clock);
	if (t == NULL) {
		fprintf(err, "kairos jobs: no task named \"%s\" (kairos jobs --list shows them)\n", name);
		return 2;
	}
	if (schedule_register(db, &t, 1) != DB_OK || db_query(db, &sched_stmt_run_now, p, &res) != DB_OK) {
		fprintf(err, "kairos jobs: %s\n", db->error);
		return 1;
	}
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 1), "t") == 0)
		fprintf(out, "%s is running on %s; it runs again when that run ends\n", name,
		    PQgetvalue(res, 0, 0));
	else
		fprintf(out, "%s is due now; a running `kairos jobs` starts it at once\n", name);
	PQclear(res);
	return 0;
}

#define SCHEDULE_LIST_FORMAT "%-16s %-34s %-21s %-21s %-21s %6s  %s\n"

static void
schedule_list_status(PGresult *res, int row, char *out, size_t size)
{
	const char *by = PQgetvalue(res, row, 6), *error = PQgetvalue(res, row, 9);

	if (strcmp(PQgetvalue(res, row, 7), "t") == 0)
		snprintf(out, size, "running on %s (lease until %s)", by, PQgetvalue(res, row, 8));
	else if (*by)
		snprintf(out, size, "lease ended on %s: runs again", by);
	else if (*error)
		snprintf(out, size, "failed: %s", error);
	else if (strcmp(PQgetvalue(res, row, 5), "0") == 0)
		snprintf(out, size, "not run yet");
	else
		snprintf(out, size, "ok");
}

int
schedule_list(struct db *db, bool test_tasks, FILE *out)
{
	const struct schedule_task *tasks[SCHEDULE_MAX_TASKS];
	size_t n = schedule_tasks(test_tasks, tasks, SCHEDULE_MAX_TASKS);
	PGresult *res = NULL;
	char status[1200], clock[DB_NOW_SIZE];
	const char *p[] = { clock };
	int rows;

	db_now(clock);
	if (db_query(db, &sched_stmt_list, p, &res) != DB_OK) {
		fprintf(stderr, "kairos jobs: %s\n", db->error);
		return 1;
	}
	rows = PQntuples(res);
	fprintf(out, SCHEDULE_LIST_FORMAT, "TASK", "SCHEDULE", "NEXT RUN (UTC)", "LAST START (UTC)",
	    "LAST END (UTC)", "RUNS", "STATUS");
	for (size_t i = 0; i < n; i++) {
		char text[SCHEDULE_TEXT_SIZE];
		int row = -1;

		schedule_format(&tasks[i]->when, text);
		for (int j = 0; j < rows && row < 0; j++)
			if (strcmp(PQgetvalue(res, j, 0), tasks[i]->name) == 0)
				row = j;
		if (row < 0) {
			fprintf(out, SCHEDULE_LIST_FORMAT, tasks[i]->name, text, "-", "-", "-", "0",
			    "not registered yet: a runner registers it when it starts");
			continue;
		}
		schedule_list_status(res, row, status, sizeof status);
		fprintf(out, SCHEDULE_LIST_FORMAT, tasks[i]->name, text, PQgetvalue(res, row, 2),
		    PQgetvalue(res, row, 3), PQgetvalue(res, row, 4), PQgetvalue(res, row, 5), status);
	}
	/* rows of tasks this build does not have: another version's, or test tasks */
	for (int j = 0; j < rows; j++) {
		if (schedule_find(test_tasks, PQgetvalue(res, j, 0)) != NULL)
			continue;
		fprintf(out, SCHEDULE_LIST_FORMAT, PQgetvalue(res, j, 0), PQgetvalue(res, j, 1),
		    PQgetvalue(res, j, 2), PQgetvalue(res, j, 3), PQgetvalue(res, j, 4),
		    PQgetvalue(res, j, 5), "not in this build: no runner of this version runs it");
	}
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%-16s %s\n", i ? "" : "\n", tasks[i]->name, tasks[i]->about);
	PQclear(res);
	return 0;
}
