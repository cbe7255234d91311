/* jobs: `kairos jobs`, the background runner (outbox sends, scheduled tasks; reminders,
 * syncs and hold expiry later).
 *
 * It keeps a database connection, LISTENs on the "kairos_jobs" channel and wakes on a
 * notification, a timer tick or the next scheduled task's due time; each wake sends the due
 * notifications (notify/) and runs the due scheduled tasks (schedule.c). */
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

/* argv[0] is "jobs"; `kairos jobs [--list | --run-now NAME]`. Returns the exit status. */
int jobs_main(int argc, char **argv, const char *config_file);

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
 * it failed to `error`. 0 or -1. The runner's connection is the tables' owner's. */
typedef int (*schedule_fn)(struct db *db, struct buf *done, struct buf *error);

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
};

/* Takes this build's tasks. Returns how many were left out (each logged as an error): a
 * bad name, lease or schedule, or a zone this host's tzdata lacks; the rest still run. */
int  schedule_runner_init(struct schedule_runner *r, bool test_tasks, const char *runner);
/* Registers missing tasks (once per connection), then claims and runs due tasks, each at
 * most once per call. Returns milliseconds until the next task may be due (0: call again
 * now), or -1 when none is scheduled or the database failed (logged). */
long schedule_run_due(struct schedule_runner *r, struct db *db);

/* `kairos jobs --list`: every task with its schedule, next and last run, and last error. */
int  schedule_list(struct db *db, bool test_tasks, FILE *out);
/* `kairos jobs --run-now NAME`: makes the task due now and wakes the runners. 0, 1 for a
 * database failure, 2 for an unknown task (message on err). */
int  schedule_run_now(struct db *db, bool test_tasks, const char *name, FILE *out, FILE *err);

#endif
