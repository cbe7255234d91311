/* jobs.c: the runner's loop: connect, LISTEN, wait for a notification, a tick or a signal. */
#include "jobs/jobs.h"
#include "core/core.h"
#include "db/db.h"
#include "notify/notify.h"

#include <curl/curl.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
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

int
jobs_main(int argc, char **argv, const char *config_file)
{
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

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: kairos jobs\n");
		return 2;
	}
	log_set_role("jobs");
	if (config_load_logged(&cfg, config_file) < 0)
		return 1;
	if (log_level_parse(cfg.log_level, &level) == 0)
		log_set_level(level);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	/* every clinic's messages: the owner's connection, which row-level security does not narrow */
	db_init(&db, config_admin_database_url(&cfg), (int)cfg.db_connect_timeout,
	    cfg.statement_timeout_ms);
	gethostname(host, sizeof host - 1);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	notify_setup_init(&providers, &cfg);
	snprintf(runner, sizeof runner, "%s:%ld", host, (long)getpid());
	/* after sigprocmask: the send threads inherit the blocked signals */
	if ((sender = notify_runner_new(&cfg, runner, providers.channel)) == NULL) {
		notify_setup_free(&providers);
		curl_global_cleanup();
		db_close(&db);
		config_free(&cfg);
		close(sfd);
		return 1;
	}
	log_info("started", "tick every %d s, %ld sends at once", JOBS_TICK_SECONDS,
	    cfg.notify_concurrency);

	for (;;) {
		struct pollfd pfd[2] = { { .fd = sfd, .events = POLLIN }, { .fd = -1 } };
		int timeout = JOBS_TICK_SECONDS * 1000;

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
	curl_global_cleanup();
	notify_setup_free(&providers);
	close(sfd);
	return 0;
}
