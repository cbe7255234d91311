/* settings.c: the one list of every module's settings table and doctor checks. A new
 * module adds its table (its settings.c) and, if it talks to something outside, its
 * doctor here. */
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
	{ NULL, NULL },
};
