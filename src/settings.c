/* settings.c: the build's list of modules: every module's settings table, doctor checks and
 * job kinds. A new module adds its table (its settings.c), its doctor if it talks to
 * something outside, and its struct jobs_module if it has job kinds (docs/jobs.md). */
#include "settings.h"

#include "auth/auth.h"
#include "http/http.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "web/web.h"

/* The order of .env.example's sections. */
const struct config_table *const config_tables[] = {
	&core_settings, &db_settings, &auth_settings, &http_settings, &web_settings, &jobs_settings,
	&notify_settings, NULL,
};

const struct kairos_doctor kairos_doctors[] = {
	{ "db", db_doctor },
	{ "auth", auth_doctor },
	{ "notify", notify_doctor },
	{ "jobs", jobs_doctor },
	{ NULL, NULL },
};

/* Every module's job kinds (jobs/jobs.h): the runner, `kairos jobs` and the tests see these. */
const struct jobs_module *const jobs_modules[] = {
	&notify_job_module, &jobs_test_module, NULL,
};
