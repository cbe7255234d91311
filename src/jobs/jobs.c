/* jobs.c: the runner's loop: connect, LISTEN, wait for a notification, a tick, the next
 * scheduled task or a signal; and the operator's `kairos jobs --list | --run-now NAME`. */
#include "jobs/jobs.h"
#include "core/core.h"
#include "db/db.h"
#include "notify/notify.h"

#include <curl/curl.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

/* Whether a signal is waiting on sfd (not read: the main loop does that). */
static bool
jobs_signalled(int sfd)
{
	struct pollfd p = { .fd = sfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/* Sends every due notification, batch after batch, until none is left or a signal comes:
 * SIGTERM then waits for one batch, not for the whole queue to drain. */
static void
jobs_run_notifications(struct db *db, struct notify_runner *runner, int sfd)
{
	int n;

	while ((n = notify_run_due(db, runner)) == NOTIFY_CLAIM_BATCH && !jobs_signalled(sfd))
		;
	if (n < 0)
		log_warn("notifications not run", "%s", db->error);
}

/* --list and --run-now: one statement each, as the tables' owner like the runner. */
static int
jobs_operator(const struct config *cfg, const char *run_now)
{
	struct db db;
	int rc;

	db_init(&db, config_admin_database_url(cfg), (int)cfg->db_connect_timeout, 0);
	if (db_connect(&db) != DB_OK) {
		fprintf(stderr, "kairos jobs: cannot connect to the database: %s\n", db.error);
		db_close(&db);
		return 1;
	}
	rc = run_now ? schedule_run_now(&db, cfg->schedule_test_tasks, run_now, stdout, stderr) :
	    schedule_list(&db, cfg->schedule_test_tasks, stdout);
	db_close(&db);
	return rc;
}

int
jobs_main(int argc, char **argv, const char *config_file)
{
	struct schedule_runner sched;
	const char *run_now = NULL;
	bool list = false;
	char runner[300], host[256] = "localhost";
	struct notify_setup providers;
	struct notify_runner *sender;
	unsigned long listening_on = 0;
	long backoff_ms = 0;
	struct config cfg;
	enum log_level level;
	struct db db;
	sigset_t set;
	int sfd;

	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		list = true;
	else if (argc == 3 && strcmp(argv[1], "--run-now") == 0)
		run_now = argv[2];
	else if (argc > 1) {
		fprintf(stderr, "usage: kairos jobs [--list | --run-now TASK]\n");
		return 2;
	}
	log_set_role("jobs");
	if (config_load_logged(&cfg, config_file) < 0)
		return 1;
	config_start_test_clock(&cfg, false);	/* --list and --run-now read it too */
	if (list || run_now) {
		int rc = jobs_operator(&cfg, run_now);

		config_free(&cfg);
		return rc;
	}
	if (log_level_parse(cfg.log_level, &level) == 0)
		log_set_level(level);
	gethostname(host, sizeof host - 1);
	snprintf(runner, sizeof runner, "%s:%ld", host, (long)getpid());
	schedule_runner_init(&sched, cfg.schedule_test_tasks, runner);	/* logs what it leaves out */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	/* every clinic's messages: the owner's connection, which row-level security does not narrow */
	db_init(&db, config_admin_database_url(&cfg), (int)cfg.db_connect_timeout,
	    cfg.statement_timeout_ms);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	notify_setup_init(&providers, &cfg);
	/* after sigprocmask: the send threads inherit the blocked signals */
	if ((sender = notify_runner_new(&cfg, runner, providers.channel)) == NULL) {
		notify_setup_free(&providers);
		curl_global_cleanup();
		db_close(&db);
		config_free(&cfg);
		close(sfd);
		return 1;
	}
	log_info("started", "tick every %d s, %zu scheduled tasks, %ld sends at once",
	    JOBS_TICK_SECONDS, sched.ntasks, cfg.notify_concurrency);

	for (;;) {
		struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN }, { .fd = -1 } };
		int timeout = JOBS_TICK_SECONDS * 1000;
		long due_ms;

		if (db_connect(&db) != DB_OK) {
			backoff_ms = backoff_ms ? backoff_ms * 2 : 250;
			if (backoff_ms > JOBS_RECONNECT_MAX_MS)
				backoff_ms = JOBS_RECONNECT_MAX_MS;
			log_warn("database unavailable", "retrying in %ld ms: %s", backoff_ms, db.error);
			timeout = (int)backoff_ms;
		} else {
			backoff_ms = 0;
			if (listening_on != db.generation) {
				if (db_exec_simple(&db, "LISTEN kairos_jobs") == DB_OK)
					listening_on = db.generation;
			}
			/* work first: rows may have been queued while we were away */
			jobs_run_notifications(&db, sender, sfd);
			/* then the scheduled tasks; wake again when the next one is due, if sooner */
			due_ms = schedule_run_due(&sched, &db);
			if (due_ms >= 0 && due_ms < timeout)
				timeout = (int)due_ms;
			pfd[1].fd = db.conn ? PQsocket(db.conn) : -1;
			pfd[1].events = POLLIN;
		}
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si && si.ssi_signo == SIGHUP)
				continue;	/* nothing cached to reload yet */
			break;
		}
		if (pfd[1].revents && db.conn != NULL) {
			PGnotify *n;

			if (!PQconsumeInput(db.conn)) {
				log_warn("database connection lost", "%s", PQerrorMessage(db.conn));
				db_disconnect(&db);
				continue;
			}
			while ((n = PQnotifies(db.conn)) != NULL) {
				log_debug("notified", "channel %s", n->relname);
				PQfreemem(n);
			}
		}
	}
	log_info("stopped", "%s", "signal received");
	notify_runner_free(sender);	/* before the providers and libcurl it uses go */
	db_close(&db);
	config_free(&cfg);
	notify_setup_free(&providers);
	curl_global_cleanup();
	close(sfd);
	return 0;
}
