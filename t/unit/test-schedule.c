/* schedule: when a scheduled task is next due (jobs/schedule.c) — intervals that keep their
 * phase and skip what a stopped runner missed, and daily wall-clock times across both DST
 * changes of 2026 in Australia/Sydney, Australia/Lord_Howe (30 minutes), Europe/London and
 * America/New_York (west of UTC): a
 * time in the spring-forward gap runs once at the end of the gap; a time that happens twice
 * on the fall-back day runs once, at the first. Claiming, leases and several runners:
 * t/integration/schedule.t. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jobs/jobs.h"
#include "tap.h"

/* An instant from a UTC date and time. */
static time_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
		.tm_min = mi };

	return timegm(&tm);
}

static const char *
iso(time_t t, char out[32])
{
	struct tm tm;

	if (t == SCHEDULE_NEVER)
		return "never";
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%MZ", &tm);
	return out;
}

#define RUNS_MAX 8

/* The runs a runner makes from `start`: the first due time, then after each run (claimed
 * `late` seconds after it was due) the next; at most `max` of them. */
static int
simulate(const struct schedule *s, time_t start, long late, time_t runs[], int max)
{
	time_t due, next;
	int n = 0;

	if (schedule_first(s, start, &due) < 0)
		return -1;
	while (n < max && due != SCHEDULE_NEVER) {
		runs[n++] = due;
		if (schedule_next(s, due, due + late, &next) < 0)
			return -1;
		due = next;
	}
	return n;
}

/* Checks a simulated sequence against the expected UTC instants. */
static void
check_runs(const char *what, const struct schedule *s, time_t start, long late,
    const time_t *want, int nwant)
{
	time_t got[RUNS_MAX];
	char a[32], b[32];
	int n = simulate(s, start, late, got, nwant);

	if (!is_int(n, nwant, "%s: %d runs computed", what, nwant))
		return;
	for (int i = 0; i < nwant; i++)
		is_str(iso(got[i], a), iso(want[i], b), "%s: run %d", what, i + 1);
}

static void
test_interval(void)
{
	struct schedule hourly = { .kind = SCHEDULE_EVERY, .seconds = 3600 };
	time_t due = utc(2026, 11, 20, 9, 0), out = 0;

	ok(schedule_first(&hourly, due, &out) == 0 && out == due, "an interval task is due at once");
	ok(schedule_next(&hourly, due, due + 2, &out) == 0 && out == due + 3600,
	    "next: one interval after the due time, not after the run (no drift)");
	ok(schedule_next(&hourly, due, due + 3599, &out) == 0 && out == due + 3600,
	    "a run that took almost an interval still keeps the phase");
	ok(schedule_next(&hourly, due, due + 3600, &out) == 0 && out == due + 7200,
	    "a run claimed exactly one interval late: the next is strictly later");
	ok(schedule_next(&hourly, due, due + 86400 + 5, &out) == 0 && out == due + 25 * 3600,
	    "a runner down for a day: the missed task runs once, then on its old phase");
	ok(schedule_next(&hourly, due, due - 10, &out) == 0 && out == due + 3600,
	    "a clock behind the due time still moves on");
}

/* Lord Howe moves its clocks by 30 minutes: the gap and the overlap are half an hour. */
static void
test_lord_howe(void)
{
	struct schedule at0215 = { .kind = SCHEDULE_DAILY, .hour = 2, .minute = 15,
		.zone = "Australia/Lord_Howe" };
	struct schedule at0145 = { .kind = SCHEDULE_DAILY, .hour = 1, .minute = 45,
		.zone = "Australia/Lord_Howe" };
	/* 4 October 2026: 02:00 +1030 jumps to 02:30 +11; 02:15 does not exist */
	const time_t spring[] = {
		utc(2026, 10, 2, 15, 45),	/* 3 October 02:15 +1030 */
		utc(2026, 10, 3, 15, 30),	/* 4 October: at 02:30 +11, where the gap ends */
		utc(2026, 10, 4, 15, 15),	/* 5 October 02:15 +11 */
	};
	/* 5 April 2026: 02:00 +11 falls back to 01:30 +1030; 01:45 happens twice */
	const time_t fall[] = {
		utc(2026, 4, 3, 14, 45),	/* 4 April 01:45 +11 */
		utc(2026, 4, 4, 14, 45),	/* 5 April, the first 01:45 (+11) */
		utc(2026, 4, 5, 15, 15),	/* 6 April 01:45 +1030; never 4 April 15:15 UTC */
	};

	check_runs("Lord Howe 02:15 over the spring-forward day", &at0215, utc(2026, 10, 2, 0, 0), 0,
	    spring, 3);
	check_runs("Lord Howe 01:45 over the fall-back day", &at0145, utc(2026, 4, 3, 0, 0), 0,
	    fall, 3);
	check_runs("Lord Howe 01:45 fall-back, a run claimed 31 minutes late", &at0145,
	    utc(2026, 4, 3, 0, 0), 31 * 60, fall, 3);
}

static void
test_sydney(void)
{
	struct schedule at0230 = { .kind = SCHEDULE_DAILY, .hour = 2, .minute = 30,
		.zone = "Australia/Sydney" };
	struct schedule at0330 = { .kind = SCHEDULE_DAILY, .hour = 3, .minute = 30,
		.zone = "Australia/Sydney" };
	/* 5 April 2026: 03:00 AEDT (+11) falls back to 02:00 AEST (+10); 02:30 happens twice */
	const time_t fall[] = {
		utc(2026, 4, 3, 15, 30),	/* 4 April 02:30 AEDT */
		utc(2026, 4, 4, 15, 30),	/* 5 April, the first 02:30 (AEDT) */
		utc(2026, 4, 5, 16, 30),	/* 6 April 02:30 AEST; never 4 April 16:30 UTC */
	};
	/* 4 October 2026: 02:00 AEST jumps to 03:00 AEDT; 02:30 does not exist */
	const time_t spring[] = {
		utc(2026, 10, 2, 16, 30),	/* 3 October 02:30 AEST */
		utc(2026, 10, 3, 16, 0),	/* 4 October: at 03:00 AEDT, where the gap ends */
		utc(2026, 10, 4, 15, 30),	/* 5 October 02:30 AEDT */
	};
	time_t out = 0;

	check_runs("Sydney 02:30 over the fall-back day", &at0230, utc(2026, 4, 3, 0, 0), 0, fall, 3);
	check_runs("Sydney 02:30 fall-back, each run taking 10 minutes", &at0230,
	    utc(2026, 4, 3, 0, 0), 600, fall, 3);
	/* the runner was busy through the whole repeated hour: still one run that day */
	check_runs("Sydney 02:30 fall-back, a run claimed 61 minutes late", &at0230,
	    utc(2026, 4, 3, 0, 0), 3660, fall, 3);
	check_runs("Sydney 02:30 over the spring-forward day", &at0230, utc(2026, 10, 2, 0, 0), 0,
	    spring, 3);
	ok(schedule_daily_next(2, 30, "Australia/Sydney", utc(2026, 10, 3, 15, 59), &out) == 0 &&
	    out == utc(2026, 10, 3, 16, 0), "a second before the gap: due at its end, 03:00 AEDT");
	ok(schedule_daily_next(2, 30, "Australia/Sydney", utc(2026, 10, 3, 16, 0), &out) == 0 &&
	    out == utc(2026, 10, 4, 15, 30), "run at the gap's end: next is the next day");
	/* a missed day: last due 1 October 03:30 AEST, the runner back on 5 October 10:00 AEDT */
	ok(schedule_next(&at0330, utc(2026, 9, 30, 17, 30), utc(2026, 10, 4, 23, 0), &out) == 0 &&
	    out == utc(2026, 10, 5, 16, 30),
	    "missed days (one over the DST change) run once, then 6 October 03:30 AEDT");
	ok(schedule_first(&at0330, utc(2026, 11, 20, 16, 30), &out) == 0 &&
	    out == utc(2026, 11, 20, 16, 30), "first sight on the very second: due now");
	ok(schedule_first(&at0330, utc(2026, 11, 20, 16, 31), &out) == 0 &&
	    out == utc(2026, 11, 21, 16, 30), "a minute later: tomorrow");
}

static void
test_london(void)
{
	struct schedule at0130 = { .kind = SCHEDULE_DAILY, .hour = 1, .minute = 30,
		.zone = "Europe/London" };
	struct schedule at0900 = { .kind = SCHEDULE_DAILY, .hour = 9, .minute = 0,
		.zone = "Europe/London" };
	/* 29 March 2026: 01:00 GMT jumps to 02:00 BST */
	const time_t spring[] = {
		utc(2026, 3, 28, 1, 30),	/* 28 March 01:30 GMT */
		utc(2026, 3, 29, 1, 0),		/* 29 March: 02:00 BST, the gap's end */
		utc(2026, 3, 30, 0, 30),	/* 30 March 01:30 BST */
	};
	/* 25 October 2026: 02:00 BST falls back to 01:00 GMT; 01:30 happens twice */
	const time_t fall[] = {
		utc(2026, 10, 24, 0, 30),	/* 24 October 01:30 BST */
		utc(2026, 10, 25, 0, 30),	/* 25 October, the first 01:30 (BST) */
		utc(2026, 10, 26, 1, 30),	/* 26 October 01:30 GMT; never 25 October 01:30 UTC */
	};
	const time_t nine[] = {
		utc(2026, 3, 28, 9, 0), utc(2026, 3, 29, 8, 0), utc(2026, 3, 30, 8, 0),
	};

	check_runs("London 01:30 over the spring-forward day", &at0130, utc(2026, 3, 27, 12, 0), 0,
	    spring, 3);
	check_runs("London 01:30 over the fall-back day", &at0130, utc(2026, 10, 23, 12, 0), 0, fall, 3);
	check_runs("London 01:30 fall-back, claimed 90 minutes late", &at0130,
	    utc(2026, 10, 23, 12, 0), 5400, fall, 3);
	check_runs("London 09:00 moves an hour in UTC with the clocks", &at0900,
	    utc(2026, 3, 27, 12, 0), 0, nine, 3);
}

/* West of UTC the offsets are negative; the same rules hold. */
static void
test_new_york(void)
{
	struct schedule at0230 = { .kind = SCHEDULE_DAILY, .hour = 2, .minute = 30,
		.zone = "America/New_York" };
	/* 8 March 2026: 02:00 EST (-5) jumps to 03:00 EDT (-4); 1 November: 02:00 EDT back to 01:00 EST */
	const time_t spring[] = {
		utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30),
	};
	struct schedule at0130 = { .kind = SCHEDULE_DAILY, .hour = 1, .minute = 30,
		.zone = "America/New_York" };
	const time_t fall[] = {
		utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30),
	};

	check_runs("New York 02:30 over the spring-forward day", &at0230, utc(2026, 3, 7, 0, 0), 0,
	    spring, 3);
	check_runs("New York 01:30 over the fall-back day", &at0130, utc(2026, 10, 31, 0, 0), 0,
	    fall, 3);
}

static void
test_zones_and_tz(void)
{
	struct schedule bad = { .kind = SCHEDULE_DAILY, .hour = 3, .minute = 0, .zone = "Mars/Olympus" };
	time_t out = 0, t = utc(2026, 6, 1, 0, 0);
	struct tm tm;

	ok(schedule_zone_check("Australia/Sydney") == 0 && schedule_zone_check("UTC") == 0,
	    "installed zones are accepted");
	ok(schedule_zone_check("Mars/Olympus") < 0, "an unknown zone is refused (not read as UTC)");
	ok(schedule_zone_check("../../etc/passwd") < 0 && schedule_zone_check("/etc/localtime") < 0,
	    "a path is not a zone");
	ok(schedule_zone_check("") < 0 && schedule_zone_check(NULL) < 0, "nor is nothing");
	ok(schedule_first(&bad, t, &out) < 0, "a task with an unknown zone has no due time");
	ok(schedule_daily_next(24, 0, "UTC", t, &out) < 0 && schedule_daily_next(3, 60, "UTC", t,
	    &out) < 0, "hours and minutes out of range are refused");

	/* core/tz never reads or sets TZ: the C library's own zone is left alone */
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	ok(schedule_daily_next(3, 0, "Europe/London", t, &out) == 0 && out == utc(2026, 6, 1, 2, 0),
	    "03:00 in London, while the process's TZ is Tokyo's, is 02:00Z");
	localtime_r(&t, &tm);
	ok(getenv("TZ") && strcmp(getenv("TZ"), "Asia/Tokyo") == 0 && tm.tm_gmtoff == 9 * 3600,
	    "and TZ is untouched");
	unsetenv("TZ");
	tzset();
}

/* A host without tzdata: the daily tasks are left out, the others still run. Zones load
 * once per process from the directory read at the first load, so this runs in a child
 * before any zone is loaded. */
static void
test_no_tzdata(void)
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct config cfg = { .schedule_test_tasks = false };
		struct schedule_runner r;
		int left_out;

		setenv("TZDIR", "/nonexistent", 1);
		left_out = schedule_runner_init(&r, &cfg, "host:1");
		_exit(left_out == 2 && strcmp(r.names, "{otp-purge,jobs-purge}") == 0 &&
		    r.ntasks == 2 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "without the zone files, two daily tasks are left out and the interval tasks still run");
}

static void
test_table(void)
{
	const struct schedule_task *tasks[SCHEDULE_MAX_TASKS];
	struct schedule every = { .kind = SCHEDULE_EVERY, .seconds = 3600 };
	struct schedule daily = { .kind = SCHEDULE_DAILY, .hour = 3, .minute = 5, .zone = "Australia/Sydney" };
	struct schedule manual = { .kind = SCHEDULE_MANUAL };
	struct config test_cfg = { .schedule_test_tasks = true };
	struct schedule_runner r;
	char text[SCHEDULE_TEXT_SIZE];
	time_t out = 0;
	size_t n;
	bool test_only = false, purge = false, jobs_purge = false;

	schedule_format(&every, text);
	is_str(text, "every 3600 s", "an interval reads as such");
	schedule_format(&daily, text);
	is_str(text, "daily at 03:05 Australia/Sydney", "a daily time names its zone");
	schedule_format(&manual, text);
	is_str(text, "manual", "a manual task");
	ok(schedule_first(&manual, 1000, &out) == 0 && out == SCHEDULE_NEVER &&
	    schedule_next(&manual, 1000, 1000, &out) == 0 && out == SCHEDULE_NEVER,
	    "a manual task is never due by itself");

	n = schedule_tasks(false, tasks, SCHEDULE_MAX_TASKS);
	for (size_t i = 0; i < n; i++) {
		test_only |= tasks[i]->test_only;
		purge |= strcmp(tasks[i]->name, "otp-purge") == 0;
		jobs_purge |= strcmp(tasks[i]->name, "jobs-purge") == 0 &&
		    tasks[i]->when.kind == SCHEDULE_EVERY;
	}
	ok(n >= 4 && purge && !test_only, "production runs the housekeeping tasks and no test task");
	ok(jobs_purge, "done jobs are purged on an interval (hourly), not once a day");
	ok(schedule_tasks(true, tasks, SCHEDULE_MAX_TASKS) > n, "the test switch adds the test tasks");
	ok(schedule_runner_init(&r, &test_cfg, "host:1") == 0,
	    "every declared task is valid (name, lease, zone)");
	ok(strncmp(r.names, "{otp-purge,", 11) == 0 && r.leases[0] == '{',
	    "the runner's names and leases as array literals: %s %s", r.names, r.leases);

}

int
main(void)
{
	test_no_tzdata();
	test_interval();
	test_lord_howe();
	test_sydney();
	test_london();
	test_new_york();
	test_zones_and_tz();
	test_table();
	return tap_done();
}
