/* jobs: the durable job queue (queue.c, kinds.c), `kairos jobs`, the background runner
 * (jobs.c), and scheduled tasks (schedule.c).
 *
 * The runner keeps a database connection, LISTENs on the "kairos_jobs" channel and wakes on
 * a notification, a timer tick, the next queued job's or scheduled task's due time; each
 * wake sends the due notifications (notify/), runs the due jobs of every registered kind,
 * and runs the due scheduled tasks.
 *
 * Layering: a domain module enqueues with jobs_enqueue (the queue's half of this header,
 * which needs only db/ and core/) and exports its kinds (a struct jobs_module in its own
 * header); the build's list of modules (src/settings.c) hands them to the runner. jobs/
 * includes no product module. A module never calls the runner. */
#ifndef KAIROS_JOBS_H
#define KAIROS_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "core/core.h"
#include "db/db.h"

/* Seconds between ticks when nothing notifies us and no task is due sooner. */
#define JOBS_TICK_SECONDS     5
#define JOBS_RECONNECT_MAX_MS 30000

/* argv[0] is "jobs"; `kairos jobs [--list | --kinds | --run-now NAME | --enqueue KIND PAYLOAD [--key KEY]
 * [--org ID] | --dead [--limit N] [--after ID] | --retry ID]`. Returns the exit status. */
int jobs_main(int argc, char **argv, const char *config_file);

/* ---- the job queue (queue.c; the registry of the modules' kinds: kinds.c) ----
 *
 * A job is a row of `jobs` (0014): a kind, a JSON payload, an optional dedupe key, the
 * organisation it is for (NULL: a system job), when it may run, and how often it has been
 * tried. A module enqueues it in its own transaction (so the job exists if and only if the
 * work that asked for it committed) and registers its kind (jobs_module): a handler and its
 * rules — attempts, lease, backoff.
 *
 * The runner claims one due job at a time (FOR UPDATE SKIP LOCKED, so runners never wait
 * for each other) and sets a lease of the kind's lease_seconds; the claim counts an attempt.
 * It then calls the handler and records the outcome, guarded by leased_by: a runner whose
 * lease ran out and was taken over records nothing. A runner killed mid-job leaves the row
 * queued and leased; another runner claims it once the lease has run out, not before. So a
 * job runs at least once and, when runners die, at most once per lease that ran out: a
 * handler must be idempotent (use the job id or dedupe key as the other side's idempotency
 * key), and a kind's lease must be well above its longest run.
 *
 * Outcomes: JOBS_DONE; JOBS_RETRY (again after backoff_seconds(backoff, backoff_max,
 * attempt, retry_after) — core/backoff.h, the one notify uses too — or a dead letter once
 * max_attempts are spent); JOBS_FAILED (retrying cannot help: a dead letter at once). A dead
 * letter keeps its reason (last_error); an admin puts it back with jobs_retry_dead (the
 * admin page of dead messages and jobs, or `kairos jobs --retry ID`). A claim that finds the
 * attempts already spent (the runner died on the last one) makes the job dead without
 * running it again. */

#define JOBS_KIND_MAX        63	/* characters of a kind: the table's CHECK */
#define JOBS_DEDUPE_MAX      200	/* characters of a dedupe key: the table's CHECK */
#define JOBS_PAYLOAD_MAX     65536	/* bytes of a payload's JSON text: the table's CHECK */
#define JOBS_ERROR_MAX       1000	/* bytes of a dead letter's reason kept */
#define JOBS_ATTEMPTS_LIMIT  100	/* a kind's max_attempts: 1..this */
#define JOBS_LEASE_MAX       3600	/* a kind's lease_seconds: 1..this */
#define JOBS_MAX_KINDS       64	/* kinds in one build */
#define JOBS_MAX_MODULES     32	/* modules in jobs_modules that run batches of their own */
#define JOBS_RUN_BATCH       50	/* jobs one wake runs before the outbox and schedules get a turn */
#define JOBS_DEAD_LIST_MAX   1000	/* dead letters `kairos jobs --dead --limit` prints at most */
#define JOBS_DEAD_LIST_DEFAULT 50	/* and without --limit: a screenful (--after pages on) */
#define JOBS_UUID_SIZE       37
#define JOBS_RUNNER_NAME_MAX 300	/* "host:pid", the table's CHECK on leased_by */

/* A claimed job, as its handler sees it. Strings are borrowed from the claim's result, which
 * lives until the handler returns. */
struct jobs_job {
	const char *id;
	const char *org_id;	/* "" for a system job */
	const char *kind;
	const char *payload;	/* JSON text, "{}" when none was given */
	const char *dedupe_key;	/* "" when none */
	int         attempt;	/* 1 on the first run */
	const char *runner;	/* this runner: host:pid */
	double      claimed_at;	/* the wall clock (core/clock) at the claim, epoch seconds */
	double      lease_until;	/* the same clock: the handler should be done well before */
};

enum jobs_outcome {
	JOBS_DONE,		/* finished: never run again */
	JOBS_RETRY,		/* failed for now (network, 5xx, 429, a lock): again after backoff */
	JOBS_FAILED,		/* failed for good (refused, invalid payload): a dead letter now */
};

/* What a handler tells the runner beyond its outcome. error: why it failed (kept, cut to
 * JOBS_ERROR_MAX bytes, as the dead letter's reason; never a secret or a patient's data).
 * retry_after: seconds the other side asked us to wait (429), 0 if nothing. */
struct jobs_result {
	struct buf error;
	long       retry_after;
};

/* A handler. For a job of an organisation (job->org_id set), db is a connection as the
 * application role (KAIROS_DATABASE_URL, the role requests use) inside a transaction opened
 * for that organisation (db_begin_tenant, as dispatch opens a request's): row-level security
 * shows and accepts only its rows. The runner commits it when the handler returns JOBS_DONE
 * and rolls it back otherwise, so a failed run leaves nothing half-written; the handler never
 * commits or rolls back itself. For a system job (no org_id, only kinds marked platform), db
 * is the runner's connection, the tables' owner's, which row-level security does not narrow,
 * with no transaction open; the handler must not leave one open. Either way it must be
 * idempotent. */
typedef enum jobs_outcome (*jobs_fn)(struct db *db, const struct jobs_job *job,
	struct jobs_result *r);

struct jobs_kind {
	const char *name;		/* [a-z][a-z0-9.-]*: "<module>.<what>", "pms.writeback" */
	jobs_fn     run;
	int         max_attempts;	/* runs before a retried job is dead: 1..JOBS_ATTEMPTS_LIMIT */
	int         lease_seconds;	/* well above the longest run: 1..JOBS_LEASE_MAX */
	long        backoff_seconds;	/* the first retry's delay (≥ 1) */
	long        backoff_max_seconds;	/* the longest (≥ backoff_seconds) */
	bool        test_only;	/* only with KAIROS_SCHEDULE_TEST_TASKS (never production) */
	const char *about;	/* what it does, for admins: "Send a booking to the PMS" */
	/* Its module claims its jobs many at a time and runs them itself (jobs_claim below:
	 * notify.send, a pool of send threads); run is NULL and jobs_run_one leaves it alone. */
	bool        batched;
	/* Its module lists and retries its dead letters with what they were about (notify's
	 * dead messages: channel and recipient), so jobs_dead_letters and jobs_retry_dead
	 * leave it out. */
	bool        own_dead_letters;
	/* Platform work, for no organisation (a purge): its jobs may have no org_id, and those
	 * run on the owner's connection. Every other kind is an organisation's: jobs_enqueue
	 * refuses a job of it without org_id, and the runner makes one found so (queued by SQL)
	 * a dead letter without running it. A job with an org_id runs under row-level security
	 * whatever its kind. */
	bool        platform;
};

/* ---- modules register their kinds ----
 *
 * jobs/ owns only the machinery. Each module that has kinds exports a struct jobs_module in
 * its own header (notify.h: notify_job_module), and the build's list of modules
 * (jobs_modules, src/settings.c, beside the settings tables and doctors) hands them to
 * jobs/: the runner, `kairos jobs` and the tests see every kind of the build through it. */

#define JOBS_DEAD_NOTE_MAX 2048	/* bytes of what a module tells of one of its dead letters */

/* What a module tells of one of its own dead letters for `kairos jobs --dead`: the rest of
 * the line after the kind and organisation ("sms to +614…  event …  8 attempts  …"). */
struct jobs_dead_note {
	char id[JOBS_UUID_SIZE];
	char text[JOBS_DEAD_NOTE_MAX];
};

struct jobs_runner;

struct jobs_module {
	const char             *name;	/* "notify" */
	const struct jobs_kind *kinds;	/* its kinds, a static table */
	size_t                  nkinds;
	/* For a module with batched kinds, which runs them itself; all three NULL otherwise.
	 * start: once per runner process, after the runner has blocked the signals it handles
	 * (threads inherit the mask) and libcurl is set up; cfg outlives the runner; runner is
	 * the lease holder ("host:pid"). Returns the module's state, or NULL (logged) when it
	 * cannot start, and then the runner stops. run_due: claims and runs one batch of due
	 * jobs: the queue's claim, lease and record on db (the owner's connection), and each
	 * job's own database work as an organisation's handler's is, under row-level security
	 * in a transaction for the job's organisation on q's application connection
	 * (jobs_tenant_begin, commits it itself). 1 when the batch was full (more may be due), 0
	 * when it was not, -1 when the database failed (logged). stop: frees the state. */
	void *(*start)(const struct config *cfg, const char *runner);
	int   (*run_due)(struct db *db, struct jobs_runner *q, void *state);
	void  (*stop)(void *state);
	/* For a module with own_dead_letters kinds (may be NULL): what the dead letters among
	 * ids (an array literal of uuids, "{…}") were, into notes, at most max. How many, or a
	 * negative db_result. */
	int   (*dead_notes)(struct db *db, const char *ids, struct jobs_dead_note *notes, int max);
	/* For a module whose kinds' rules come from its settings (may be NULL): sets k's
	 * (a copy of one of its kinds) to what the runner uses under cfg. notify: notify.send's
	 * lease and first backoff are KAIROS_NOTIFY_LEASE_SECONDS, _BACKOFF_SECONDS. */
	void  (*rules)(const struct config *cfg, struct jobs_kind *k);
};

/* The modules of this build, NULL-terminated: src/settings.c. */
extern const struct jobs_module *const jobs_modules[];
/* jobs/'s own test-only kinds (test_kinds.c: test.sleep, test.hold, test.fail,
 * test.permanent, test.tenant-sleep, test.tenant, test.system), listed in jobs_modules like
 * any module's. */
extern const struct jobs_module jobs_test_module;

/* The kinds of this build (every module's in jobs_modules), test-only ones included when
 * test_kinds; static tables. Returns how many were put in out (at most max). */
size_t jobs_kinds(bool test_kinds, const struct jobs_kind **out, size_t max);
/* The kind named name (test-only ones included when test_kinds), or NULL. Static. */
const struct jobs_kind *jobs_kind_find(const char *name, bool test_kinds);
/* The module that registered kind k (one of jobs_kinds'), or NULL. Static. */
const struct jobs_module *jobs_kind_module(const struct jobs_kind *k);
/* 0 when k's name and rules are within the limits above; -1 with the reason in why. */
int  jobs_kind_check(const struct jobs_kind *k, struct buf *why);
/* k's rules as the runner uses them under cfg (its module's rules hook applied), into out. */
void jobs_kind_rules(const struct jobs_kind *k, const struct config *cfg, struct jobs_kind *out);
/* 0 when every kind of modules (test-only ones too) fits in JOBS_MAX_KINDS; -1 with the
 * reason in why when there are more: the runner then refuses to start rather than leave the
 * rest unrun. */
int  jobs_kinds_fit(const struct jobs_module *const *modules, struct buf *why);
/* `kairos jobs --kinds`: every kind of this build with its module, tenancy and the rules the
 * runner uses under cfg. 0, or -1 (said first) when the kinds do not fit (jobs_kinds_fit). */
int  jobs_kinds_print(bool test_kinds, const struct config *cfg, FILE *out);
/* `kairos doctor`'s check of jobs/: whether the build's kinds fit (jobs_kinds_fit). */
bool jobs_doctor(const struct config *cfg, struct db *db, FILE *out);

/* Queues a job, in the caller's transaction when one is open (then it exists only if that
 * commits, and the runners are woken only then). org_id: the organisation it is for, or NULL
 * for a system job (only the tables' owner may queue those: a request's role sees only its
 * organisation's jobs); a kind of this build that is not platform is an organisation's, and
 * its job without org_id is refused (DB_FAILED, db->error says why). payload: JSON text, or
 * NULL for {}. dedupe_key: NULL, or a key that
 * makes a second job of the same organisation, kind and key a no-op while the first is kept
 * (queued or dead; done: for KAIROS_JOBS_KEEP_DAYS after it finished, jobs_purge_done).
 * run_at: NULL for now, or a timestamptz text ("2026-12-03T10:00:00Z"). The kind is not
 * checked against this build (a newer runner may know it). *created (may be NULL) tells
 * whether a row was added; id (may be NULL, JOBS_UUID_SIZE bytes) gets its id when it was.
 * DB_OK or an error (a bad kind, key or payload is refused by the table: DB_FAILED). */
int  jobs_enqueue(struct db *db, const char *org_id, const char *kind, const char *payload,
	const char *dedupe_key, const char *run_at, bool *created, char *id);

/* One runner's view of the queue: the kinds it runs, its identity, and the connection its
 * organisations' jobs run on. */
struct jobs_runner {
	const struct jobs_kind *kinds[JOBS_MAX_KINDS];
	size_t                  nkinds;
	/* array literals: the kinds jobs_run_one claims and their leases, "{a,b}", "{60,300}";
	 * every kind of this build (batched ones too) for the next due time */
	struct buf              names, leases, all;
	char                    runner[JOBS_RUNNER_NAME_MAX];	/* host:pid, recorded as leased_by */
	/* The application role's connection (KAIROS_DATABASE_URL), borrowed: an organisation's
	 * job runs on it, in a transaction for that organisation. Whether its role would make
	 * row-level security moot is asked once per connection (app_checked_on, its
	 * generation): then those jobs are not run but retried, with the reason. */
	struct db              *app;
	unsigned long           app_checked_on;
	bool                    app_unsafe;
};

/* Takes this build's kinds; app (borrowed, must outlive r) is the application role's
 * connection, for the organisations' jobs. Returns how many kinds were left out (each logged
 * as an error: a bad name or rule, or a name taken twice); the rest still run.
 * jobs_runner_free frees it. */
int  jobs_runner_init(struct jobs_runner *r, bool test_kinds, const char *runner, struct db *app);
void jobs_runner_free(struct jobs_runner *r);
/* Opens a transaction for org_id on r's application connection (db_begin_tenant, as
 * jobs_run_one does for an organisation's job), once its role is known to leave row-level
 * security in force (asked once per connection; a role that bypasses it is logged as
 * "organisations' jobs not run"). DB_OK, the caller then commits or rolls back r->app; or
 * DB_FAILED with the reason appended to why, and no transaction open. */
int  jobs_tenant_begin(struct jobs_runner *r, const char *org_id, struct buf *why);
/* Claims one due job of r's kinds on db (the owner's connection, which also records the
 * outcome) and runs it to its outcome: a system job on db, an organisation's on r->app in
 * its transaction (jobs_fn). 1 when a job was claimed
 * (call again: more may be due), 0 when none is due, -1 when the database failed (logged). */
int  jobs_run_one(struct jobs_runner *r, struct db *db);
/* Milliseconds until the next job of r's kinds may be due (0: now), or -1 when none is queued
 * or the database failed. */
long jobs_next_due_ms(struct jobs_runner *r, struct db *db);

/* ---- batched kinds: claimed and recorded by their module ----
 *
 * The same claim, lease guard, backoff and dead letters as jobs_run_one's, for a module that
 * runs many jobs of its kind at once. k's rules may be the module's copy of the registered
 * kind with settings applied (notify: KAIROS_NOTIFY_LEASE_SECONDS, _BACKOFF_SECONDS). */

/* What jobs_record did. NOT_RECORDED: the lease ran out and another runner has the job. */
enum jobs_recorded { JOBS_NOT_RECORDED, JOBS_RECORDED_DONE, JOBS_RECORDED_RETRY,
	JOBS_RECORDED_DEAD };

/* Claims up to max due jobs of kind k under k's lease for runner (attempts counted), oldest
 * due first. *res (the caller PQclears it) has a row each; jobs_job_from reads row i. */
int  jobs_claim(struct db *db, const struct jobs_kind *k, const char *runner, int max,
	PGresult **res);
/* Job row of a claim; its strings are borrowed from res. */
void jobs_job_from(const PGresult *res, int row, const char *runner, struct jobs_job *job);
/* Whether job's attempt is past k's max_attempts: its runner died on the last attempt (or
 * overran the lease), so it must not run again: r->error says so, and the caller records
 * JOBS_FAILED. */
bool jobs_attempts_spent(const struct jobs_kind *k, const struct jobs_job *job,
	struct jobs_result *r);
/* Whether a job of k with org_id is one that must not run: an organisation's kind queued
 * with no organisation (by SQL; jobs_enqueue refuses it), which would otherwise run as the
 * owner, past row-level security. Then why (reset) says so, and the caller records it dead. */
bool jobs_org_missing(const struct jobs_kind *k, const char *org_id, struct buf *why);
/* Records job's outcome, guarded by its lease (res->error cut to JOBS_ERROR_MAX; a retry's
 * delay from k's backoff), and logs it ("job done", "job retry", "job dead"; ms: how long it
 * ran). *what (may be NULL) says what was recorded. 0, or -1 when the database failed
 * (logged; the job runs again when its lease ends). Inside the caller's transaction when
 * one is open, so the module's own record of the job can change with it. */
int  jobs_record(struct db *db, const struct jobs_kind *k, const struct jobs_job *job,
	enum jobs_outcome outcome, struct jobs_result *res, long ms, enum jobs_recorded *what);
/* Records jobs ids (an array literal of uuids, "{…}") done for runner, guarded by its lease,
 * in one statement; recorded gets the array literal of those it recorded (the others' lease
 * ran out and another runner has them). DB_OK or an error. */
int  jobs_done_many(struct db *db, const char *runner, const char *ids, struct buf *recorded);
/* Hands claimed jobs ids (an array literal) that never started back to the queue, due at
 * once, their claim's attempt not counted. DB_OK or an error. */
int  jobs_release(struct db *db, const char *runner, const char *ids);

/* A dead letter as admins see it (never the payload: it may hold a patient's data). */
struct jobs_dead {
	char id[JOBS_UUID_SIZE];
	char org_id[JOBS_UUID_SIZE];	/* "" for a system job */
	char kind[JOBS_KIND_MAX + 1];
	char dedupe_key[JOBS_DEDUPE_MAX * 4 + 1];	/* "" when none; UTF-8 */
	char when[32];	/* "2026-12-03 04:10 UTC": when it died */
	int  attempts;
	char error[JOBS_ERROR_MAX + 1];
};

/* The dead letters the connection may see (a request: its organisation's, by row-level
 * security; the owner: all), the newest job first (by when it was queued, which a retry does
 * not move), at most max, after dead job `after` in that order (a UUID; NULL: from the
 * newest), except those of kinds with own_dead_letters. Returns how many, or a negative DB_
 * error. */
int  jobs_dead_letters(struct db *db, const char *after, struct jobs_dead *rows, int max);
/* Puts dead letter id back in the queue, due now with fresh attempts, and wakes the runners
 * (on commit). DB_OK with *found false when there is no such dead job (or another clinic's,
 * or one of a kind with own_dead_letters). */
int  jobs_retry_dead(struct db *db, const char *id, bool *found);
/* jobs_retry_dead for a dead letter of kind only, own_dead_letters or not: for a module
 * retrying its own dead letters (notify_retry_dead). */
int  jobs_retry_dead_of(struct db *db, const char *kind, const char *id, bool *found);
/* Every dead letter, those of kinds with own_dead_letters too (the operator's `kairos jobs
 * --dead`, which asks their modules what they were); otherwise as jobs_dead_letters. */
int  jobs_dead_letters_all(struct db *db, const char *after, struct jobs_dead *rows, int max);
/* `kairos jobs --list`'s queue part: jobs per kind and status, and what is due. */
int  jobs_queue_list(struct db *db, bool test_kinds, FILE *out);

/* ---- retention: the jobs-purge task (schedule.c) ----
 *
 * A done job is worth nothing once it is done, except as its dedupe key (a second job with
 * the key is refused only while the first is kept) and its attempts in `kairos outbox
 * list`; notify.send makes one per message sent, so done jobs are deleted once they
 * finished KAIROS_JOBS_KEEP_DAYS ago. Dead jobs wait for an admin and queued ones (running
 * or not) for a runner: never purged. */

#define JOBS_KEEP_DAYS_DEFAULT 30
/* The shortest a dedupe key may be promised for: providers redeliver webhooks for days. */
#define JOBS_KEEP_DAYS_MIN     7
#define JOBS_KEEP_DAYS_MAX     3650
/* Rows one statement deletes: one batch never holds many locks or meets the statement
 * timeout, however large the backlog. */
#define JOBS_PURGE_BATCH       5000
/* Batches one run deletes at most, so the task stays short in the runner's loop (messages
 * wait while it runs); the rest goes an hour later. 100,000 a run is more than a clinic
 * sends in an hour (a campaign is at most 10,000), so a backlog (the first run after an
 * upgrade) shrinks every run. */
#define JOBS_PURGE_MAX_BATCHES 20

/* Deletes done jobs that finished over keep_days ago by the wall clock (core/clock), oldest
 * first, in statements of JOBS_PURGE_BATCH rows, at most JOBS_PURGE_MAX_BATCHES of them;
 * adds what went to *removed and the statements run to *batches; *more tells whether the
 * last batch was full and the cap stopped the run. DB_OK or the db_result. */
int  jobs_purge_done(struct db *db, long keep_days, long *removed, int *batches, bool *more);

/* ---- scheduled tasks (schedule.c) ----
 *
 * Tasks are declared in code (one table in schedule.c); their state is a row each in
 * scheduled_tasks (0008). A runner claims a due task with one UPDATE that sets a lease, runs
 * it, then records the outcome and the next due time, computed from the schedule and the
 * due time (so an interval keeps its phase, and a runner that was down for a day runs a
 * missed task once). A runner killed mid-run leaves the task due; another takes it when the
 * lease ends. Times are the wall clock (core/clock), in whole seconds since the epoch. */

enum schedule_kind {
	SCHEDULE_EVERY,		/* every `seconds`, first at once */
	SCHEDULE_DAILY,		/* daily at hour:minute, wall-clock time in `zone` */
	SCHEDULE_MANUAL,	/* only when an operator asks (kairos jobs --run-now) */
};

struct schedule {
	enum schedule_kind kind;
	long               seconds;	/* SCHEDULE_EVERY: ≥ 1 */
	int                hour, minute;	/* SCHEDULE_DAILY */
	const char        *zone;	/* SCHEDULE_DAILY: an IANA name, "Australia/Sydney" */
};

/* SCHEDULE_MANUAL's next run: never (the row holds 'infinity'). */
#define SCHEDULE_NEVER          ((time_t)-1)
#define SCHEDULE_TEXT_SIZE      128
#define SCHEDULE_NAME_MAX       63	/* the table's CHECK */
#define SCHEDULE_MAX_TASKS      32
/* Longest span searched for a daily time's next valid instant; a zone never skips more. */
#define SCHEDULE_DAILY_SEARCH_DAYS 3

/* What a task did goes to `done` (one phrase for the log, "removed 3 sign-in codes"); why
 * it failed to `error`. 0 or -1. The runner's connection is the tables' owner's; cfg is the
 * runner's configuration (the task's settings). */
typedef int (*schedule_fn)(struct db *db, const struct config *cfg, struct buf *done,
	struct buf *error);

struct schedule_task {
	const char     *name;		/* [a-z][a-z0-9-]*, the row's key */
	struct schedule when;
	int             lease_seconds;	/* well above the longest run: a run outliving its lease
					 * may be started again by another runner */
	schedule_fn     run;
	bool            test_only;	/* only with KAIROS_SCHEDULE_TEST_TASKS (never production) */
	const char     *about;		/* for `kairos jobs --list` */
};

/* The first due time (≥ now) of a task seen for the first time: an interval task runs at
 * once, a daily one at its next time, a manual one never (SCHEDULE_NEVER). 0, or -1 when
 * the zone is unknown. */
int    schedule_first(const struct schedule *s, time_t now, time_t *out);
/* The due time after a run that was due at `due` and claimed at `now` (≥ due): the first
 * occurrence strictly after now — due + k × seconds for intervals (phase kept, missed
 * occurrences skipped, so a runner down for a day runs once), the next daily time after now
 * in the zone (DST: a time that does not exist that day runs once, at the first valid
 * instant after it — 02:30 on a spring-forward day runs at 03:00; a time that happens twice
 * runs at the first). 0, or -1 when the zone is unknown. */
int    schedule_next(const struct schedule *s, time_t due, time_t now, time_t *out);
/* The first instant strictly after `after` whose wall-clock time in zone is hour:minute on
 * some day (or the first instant after that time's gap). 0, or -1 for an unknown zone.
 * Thread-safe (core/tz). */
int    schedule_daily_next(int hour, int minute, const char *zone, time_t after, time_t *out);
/* "every 3600 s", "daily at 03:30 Australia/Sydney", "manual". */
void   schedule_format(const struct schedule *s, char out[SCHEDULE_TEXT_SIZE]);
/* 0 when the zone names an installed IANA zone (tz_valid). */
int    schedule_zone_check(const char *zone);

/* The tasks of this build (test-only ones included when test_tasks); a static table. */
size_t schedule_tasks(bool test_tasks, const struct schedule_task **out, size_t max);

/* One runner's view: its tasks and identity. */
struct schedule_runner {
	const struct schedule_task *tasks[SCHEDULE_MAX_TASKS];
	size_t                      ntasks;
	char                        names[SCHEDULE_MAX_TASKS * (SCHEDULE_NAME_MAX + 1) + 3];
	char                        leases[SCHEDULE_MAX_TASKS * 12 + 3];	/* "{60,300}" */
	char                        runner[300];	/* host:pid, recorded as leased_by */
	unsigned long               synced_on;	/* connection generation the rows were written on */
	const struct config        *cfg;	/* borrowed: the tasks' settings */
};

/* Takes this build's tasks (the test tasks with cfg->schedule_test_tasks; cfg is borrowed
 * and must outlive r). Returns how many were left out (each logged as an error): a bad
 * name, lease or schedule, or a zone this host's tzdata lacks; the rest still run. */
int  schedule_runner_init(struct schedule_runner *r, const struct config *cfg, const char *runner);
/* Registers missing tasks (once per connection), then claims and runs due tasks, each at
 * most once per call. Returns milliseconds until the next task may be due (0: call again
 * now), or -1 when none is scheduled or the database failed (logged). */
long schedule_run_due(struct schedule_runner *r, struct db *db);

/* `kairos jobs --list`: every task with its schedule, next and last run, and last error. */
int  schedule_list(struct db *db, bool test_tasks, FILE *out);
/* `kairos jobs --run-now NAME`: makes the task due now and wakes the runners. 0, 1 for a
 * database failure, 2 for an unknown task (message on err). */
int  schedule_run_now(struct db *db, bool test_tasks, const char *name, FILE *out, FILE *err);

/* jobs' keys (src/jobs/settings.c). */
extern const struct config_table jobs_settings;

#endif
