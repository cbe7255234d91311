/* main.c: `kairos [--config FILE] COMMAND [ARGS…]` — one binary, one subcommand per role. */
#include "config.h"
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "auth/auth.h"
#include "jobs/jobs.h"
#include "notify/notify.h"
#include "view/mustache.h"
#include "web/web.h"

static void
usage(FILE *out)
{
	fputs("usage: kairos [--config FILE] COMMAND [ARGS...]\n"
	    "\n"
	    "commands:\n"
	    "  serve              run the FastCGI master and its workers\n"
	    "  jobs               run the background job runner (outbox, scheduled tasks)\n"
	    "  jobs --list        scheduled tasks: schedule, next and last run, last error\n"
	    "  jobs --kinds       the job kinds of this build: module, tenancy, rules\n"
	    "  jobs --run-now TASK\n"
	    "                     make a scheduled task due now\n"
	    "  migrate [--status] apply pending database migrations, or list their state\n"
	    "  seed [--demo]      load the fixed sample clinic the tests use, or (--demo) the\n"
	    "                     whole demo clinic with a month of appointments (idempotent)\n"
	    "  config [--example | --secrets]\n"
	    "                     print the effective configuration, a documented template\n"
	    "                     (.env.example), or the names of the secret keys\n"
	    "  doctor             check the database and every configured provider\n"
	    "  outbox list [--to ADDRESS] [--status S] [--limit N] [--json]\n"
	    "                     queued and sent messages (notifications outbox)\n"
	    "  outbox retry ID    put a dead letter back in the queue\n"
	    "  user add --role ROLE --email EMAIL [--name NAME] [--org SLUG] --password-stdin\n"
	    "                     create a staff account (the first admin)\n"
	    "  mustache [--partials DIR] TEMPLATE [DATA.json]\n"
	    "                     render a template to standard output (for template authors)\n"
	    "  routes [--nginx-auth-location]\n"
	    "                     the route table (method, pattern, access, handler, input specs,\n"
	    "                     templates, flags), or nginx's regex of the sign-in paths\n"
	    "  version            print the version\n"
	    "\n"
	    "Configuration comes from KAIROS_* environment variables and the optional FILE;\n"
	    "see .env.example.\n", out);
}

static int
load_config(struct config *cfg, const char *file)
{
	struct buf errors = BUF_INIT;
	int problems = config_load(cfg, file, &errors);

	if (problems > 0) {
		fprintf(stderr, "kairos: %d configuration problem%s:\n%s", problems,
		    problems == 1 ? "" : "s", buf_cstr(&errors));
		config_free(cfg);
	}
	buf_free(&errors);
	return problems > 0 ? -1 : 0;
}

/* `kairos seed`: the .sql files of migrations/seed/, the small fixed clinic the tests count
 * on; with --demo, then those of migrations/seed/demo/, the demo clinic of ./dev up built on
 * it. The demo dates its leave and appointments from the settable clock (KAIROS_TEST_CLOCK),
 * which the SQL reads as kairos.seed_now. 0, or 1 with err set. */
static int
cmd_seed(const struct config *cfg, struct db *db, bool demo, struct buf *err)
{
	char dir[4096], set[64];

	config_start_test_clock(cfg, false);
	snprintf(set, sizeof set, "SET kairos.seed_now = '%lld'", clock_now());
	if (db_exec_simple(db, set) != DB_OK) {
		buf_printf(err, "%s", db->error);
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/migrations/seed", cfg->share_dir);
	if (db_run_sql_dir(db, dir, stdout, err) != 0)
		return 1;
	if (!demo)
		return 0;
	snprintf(dir, sizeof dir, "%s/migrations/seed/demo", cfg->share_dir);
	return db_run_sql_dir(db, dir, stdout, err) == 0 ? 0 : 1;
}

/* migrate, seed, outbox, user and doctor: short-lived operator commands, run as the tables'
 * owner (KAIROS_ADMIN_DATABASE_URL). */
static int
cmd_database(int argc, char **argv, const char *config_file)
{
	bool outbox = strcmp(argv[0], "outbox") == 0 || strcmp(argv[0], "user") == 0,
	     doctor = strcmp(argv[0], "doctor") == 0;
	struct db_migrations migrations = { NULL, 0 };
	struct buf err = BUF_INIT;
	bool status = false, seed = strcmp(argv[0], "seed") == 0, demo = false;
	struct config cfg;
	char dir[4096];
	struct db db;
	int rc = 1;

	if (outbox)
		;	/* its own arguments, checked by notify_outbox_main */
	else if (doctor && argc > 1) {
		fprintf(stderr, "usage: kairos doctor\n");
		return 2;
	}
	else if (argc == 2 && !seed && strcmp(argv[1], "--status") == 0)
		status = true;
	else if (argc == 2 && seed && strcmp(argv[1], "--demo") == 0)
		demo = true;
	else if (argc > 1) {
		fprintf(stderr, "usage: kairos %s\n", seed ? "seed [--demo]" : "migrate [--status]");
		return 2;
	}
	if (load_config(&cfg, config_file) < 0)
		return 1;
	db_init(&db, config_admin_database_url(&cfg), (int)cfg.db_connect_timeout, 0);
	if (doctor) {	/* every module's checks, each reporting, even after one fails */
		rc = 0;
		for (const struct kairos_doctor *d = kairos_doctors; d->module != NULL; d++)
			if (!d->run(&cfg, &db, stdout))
				rc = 1;
		goto out;
	}
	if (db_connect(&db) != DB_OK) {
		fprintf(stderr, "kairos %s: cannot connect to the database: %s\n", argv[0], db.error);
		goto out;
	}
	if (outbox) {
		rc = strcmp(argv[0], "user") == 0 ? auth_user_main(argc, argv, &db) :
		    notify_outbox_main(argc, argv, &db);
		goto out;
	}
	if (seed) {
		rc = cmd_seed(&cfg, &db, demo, &err);
		goto out;
	}
	snprintf(dir, sizeof dir, "%s/migrations", cfg.share_dir);
	if (db_migrations_load(dir, &migrations, &err) < 0)
		goto out;
	if (status)
		rc = db_migrate_status(&db, &migrations, stdout, &err) == 0 ? 0 : 1;
	else
		rc = db_migrate(&db, &migrations, stdout, &err) == 0 ? 0 : 1;
out:
	if (err.len)
		fprintf(stderr, "kairos %s: %s\n", argv[0], buf_cstr(&err));
	db_migrations_free(&migrations);
	db_close(&db);
	config_free(&cfg);
	buf_free(&err);
	return rc;
}

static int
cmd_config(int argc, char **argv, const char *config_file)
{
	struct config cfg;

	if (argc == 2 && strcmp(argv[1], "--example") == 0) {
		config_print_example(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--secrets") == 0) {
		config_print_secrets(stdout);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: kairos config [--example | --secrets]\n");
		return 2;
	}
	if (load_config(&cfg, config_file) < 0)
		return 1;
	config_print(&cfg, stdout);
	config_free(&cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config_file = NULL;
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config_file = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			config_file = argv[i] + 9;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts(PACKAGE_STRING);
			return 0;
		} else {
			fprintf(stderr, "kairos: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	argc -= i;
	argv += i;
	if (strcmp(argv[0], "serve") == 0)
		return web_serve_main(argc, argv, config_file);
	if (strcmp(argv[0], "jobs") == 0)
		return jobs_main(argc, argv, config_file);
	if (strcmp(argv[0], "migrate") == 0 || strcmp(argv[0], "seed") == 0 ||
	    strcmp(argv[0], "outbox") == 0 || strcmp(argv[0], "doctor") == 0 ||
	    strcmp(argv[0], "user") == 0)
		return cmd_database(argc, argv, config_file);
	if (strcmp(argv[0], "config") == 0)
		return cmd_config(argc, argv, config_file);
	if (strcmp(argv[0], "mustache") == 0)
		return mustache_cli_main(argc, argv);
	if (strcmp(argv[0], "routes") == 0)
		return web_routes_main(argc, argv);
	if (strcmp(argv[0], "version") == 0) {
		puts(PACKAGE_STRING);
		return 0;
	}
	if (strcmp(argv[0], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "kairos: unknown command %s\n", argv[0]);
	usage(stderr);
	return 2;
}
