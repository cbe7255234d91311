/* settings.c: core's keys — the deployment kind, where the shared files are, logging, the
 * clinic's country (core/phone) and the test clock (core/clock). */
#include "core/config.h"
#include "core/clock.h"
#include "core/phone.h"

#include <stddef.h>

#ifndef KAIROS_PKGDATADIR
#define KAIROS_PKGDATADIR "/usr/local/share/kairos"
#endif

#define F(field) offsetof(struct config, field)

static int
core_check_region(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	const char *region = CONFIG_TEXT(value);

	(void)cfg;
	if (phone_region_known(region))
		return 0;
	return config_refuse(k, region, "is not a country code like AU, NZ, IN, GB or US", errors);
}

static int
core_check_test_clock(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	const char *at = CONFIG_TEXT(value);
	long long s;

	if (*at == '\0')
		return 0;
	if (config_production(cfg)) {
		buf_printf(errors, "%s: not allowed when KAIROS_ENV=production\n", k->name);
		return -1;
	}
	if (clock_parse_utc(at, &s) < 0)
		return config_refuse(k, at, "is not a UTC time like 2026-10-04T01:30:00Z", errors);
	return 0;
}

static const struct config_key core_keys[] = {
	{ "KAIROS_CONFIG", CONFIG_STRING, F(config_file), "", 0, 0, NULL, false, NULL,
	  "Optional KEY=VALUE file read before the environment (same as --config FILE)." },
	{ "KAIROS_ENV", CONFIG_ENUM, F(env), "production", 0, 0, "development|test|production", false, NULL,
	  "Deployment kind. Debug routes are refused in production." },
	{ "KAIROS_SHARE_DIR", CONFIG_STRING, F(share_dir), KAIROS_PKGDATADIR, 0, 0, NULL, false, NULL,
	  "Directory holding migrations/, templates/ and static/." },
	{ "KAIROS_LOG_LEVEL", CONFIG_ENUM, F(log_level), "info", 0, 0, "debug|info|warn|error", false, NULL,
	  "Lowest level of log line written to stderr." },
	{ "KAIROS_DEFAULT_REGION", CONFIG_STRING, F(default_region), "AU", 0, 0, NULL, false, core_check_region,
	  "The clinics' country (ISO 3166-1 alpha-2, e.g. AU, NZ, IN, GB, US): a phone number typed without a country code (0412 345 678) is read as this country's, unless the clinic has its own (organisations.region). Numbers are stored in E.164 either way." },
	{ "KAIROS_TEST_CLOCK", CONFIG_STRING, F(test_clock), "", 0, 0, NULL, false, core_check_test_clock,
	  "Starts the wall clock of `kairos serve` and `kairos jobs` at this UTC instant (2026-10-04T01:30:00Z, or epoch seconds); it runs on from there, and POST /_debug/clock moves it in every worker. Empty: the real clock. For tests; never in production." },
};

const struct config_table core_settings = {
	"core", "Deployment, files, logging, the clinic's country, the test clock",
	CONFIG_KEYS(core_keys), 0, NULL,
};
