/* settings.c: jobs' keys — how long done jobs are kept, and the test suite's scheduled tasks. */
#include "jobs/jobs.h"

#include <stddef.h>

static const struct config_key jobs_keys[] = {
	{ "KAIROS_JOBS_KEEP_DAYS", CONFIG_INT, offsetof(struct config, jobs_keep_days),
	  STR_OF(JOBS_KEEP_DAYS_DEFAULT), JOBS_KEEP_DAYS_MIN, JOBS_KEEP_DAYS_MAX, NULL, false, NULL,
	  "Days a finished (done) job is kept before the hourly jobs-purge task deletes it; dead jobs wait for an admin and are never purged. A job's dedupe key refuses a second job only while its job is kept, so this is also how long after it finished the same key is still refused (at least " STR_OF(JOBS_KEEP_DAYS_MIN) " days: a provider's redelivery of a webhook comes within days). A sent message's record (notifications) is kept either way." },
	{ "KAIROS_SCHEDULE_TEST_TASKS", CONFIG_BOOL, offsetof(struct config, schedule_test_tasks), "false",
	  0, 0, NULL, false, config_check_not_production,
	  "Adds the test suite's scheduled tasks to `kairos jobs` (test-tick every second; test-slow and test-fail on demand). Never in production." },
};

const struct config_table jobs_settings = {
	"jobs", "Background jobs", CONFIG_KEYS(jobs_keys), 0, NULL,
};
