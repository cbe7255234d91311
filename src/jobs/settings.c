/* settings.c: jobs' keys — the test suite's scheduled tasks. */
#include "jobs/jobs.h"

#include <stddef.h>

static const struct config_key jobs_keys[] = {
	{ "KAIROS_SCHEDULE_TEST_TASKS", CONFIG_BOOL, offsetof(struct config, schedule_test_tasks), "false",
	  0, 0, NULL, false, config_check_not_production,
	  "Adds the test suite's scheduled tasks to `kairos jobs` (test-tick every second; test-slow and test-fail on demand). Never in production." },
};

const struct config_table jobs_settings = {
	"jobs", "Background jobs", CONFIG_KEYS(jobs_keys), 0, NULL,
};
