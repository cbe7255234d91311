/* jobs.c: the runner's loop: connect, LISTEN, wait for a notification, a tick, the next
 * queued job or scheduled task, or a signal; and the operator's `kairos jobs --list | --kinds
 * | --run-now NAME | --enqueue KIND PAYLOAD | --dead [--limit N] [--after ID] | --retry ID`.
 * The modules' parts (their kinds, batches and dead letters) come through jobs_modules. */
#include "jobs/jobs.h"
#include "core/core.h"
#include "core/valid.h"
#include "db/db.h"

#include <curl/curl.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
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

/* The modules that run batches of their kinds themselves (run_due), and their state. */
struct jobs_batchers {
	const struct jobs_module *module[JOBS_MAX_MODULES];
	void                     *state[JOBS_MAX_MODULES];
	size_t                    n;
};

static void
jobs_batchers_stop(struct jobs_batchers *b)
{
	for (size_t i = b->n; i-- > 0;)
		if (b->module[i]->stop != NULL)
			b->module[i]->stop(b->state[i]);
	b->n = 0;
}

/* Starts every module that runs batches (after the signals are blocked: their threads inherit
 * the mask). 0, or -1 when one could not start (logged by it; the ones started are stopped). */
static int
jobs_batchers_start(struct jobs_batchers *b, const struct config *cfg, const char *runner)
{
	memset(b, 0, sizeof *b);
	for (const struct jobs_module *const *m = jobs_modules; *m != NULL; m++) {
		if ((*m)->run_due == NULL)
			continue;
		/* one more would be a module whose batched kinds never run: refused, as
		 * jobs_kinds_fit refuses kinds past JOBS_MAX_KINDS */
		if (b->n == JOBS_MAX_MODULES) {
			log_error("job runner cannot start", "module %s: more than %d modules run"
			    " batches (JOBS_MAX_MODULES)", (*m)->name, JOBS_MAX_MODULES);
			jobs_batchers_stop(b);
			return -1;
		}
		if ((*m)->start != NULL && (b->state[b->n] = (*m)->start(cfg, runner)) == NULL) {
			log_error("job runner cannot start", "module %s did not start", (*m)->name);
			jobs_batchers_stop(b);
			return -1;
		}
		b->module[b->n++] = *m;
	}
	return 0;
}

/* Runs each batching module's due jobs (notify: the due messages), batch after batch, until
 * none is left or a signal comes: SIGTERM then waits for one batch, not for the whole queue
 * to drain. */
static void
jobs_batchers_run(struct jobs_batchers *b, struct db *db, struct jobs_runner *q, int sfd)
{
	for (size_t i = 0; i < b->n && !jobs_signalled(sfd); i++)
		while (b->module[i]->run_due(db, q, b->state[i]) == 1 && !jobs_signalled(sfd))
			;
}

/* Runs due jobs of the registered kinds, one after another, until none is due, a signal
 * comes (SIGTERM waits for the job running, not for the queue to drain) or JOBS_RUN_BATCH ran,
 * so the outbox and schedules get their turn. Returns whether jobs may still be due. */
static bool
jobs_run_queue(struct db *db, struct jobs_runner *q, int sfd)
{
	int n = 0, rc;

	while ((rc = jobs_run_one(q, db)) == 1 && ++n < JOBS_RUN_BATCH && !jobs_signalled(sfd))
		;
	return rc == 1 && n >= JOBS_RUN_BATCH;
}

/* The operator's --enqueue KIND PAYLOAD [--key KEY] [--org ID]: queues a job of
 * a kind of this build (a system job unless --org). 0, 1 for a database failure, 2 for bad
 * arguments. */
static int
jobs_enqueue_cli(struct db *db, bool test_kinds, int argc, char **argv)
{
	const char *key = NULL, *org = NULL;
	char id[JOBS_UUID_SIZE] = "";
	bool created = false;
	int rc;

	if (argc % 2 != 0) {
		fprintf(stderr, "kairos jobs: --enqueue KIND PAYLOAD [--key KEY] [--org ID]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--key") == 0)
			key = argv[i + 1];
		else if (strcmp(argv[i], "--org") == 0)
			org = argv[i + 1];
		else {
			fprintf(stderr, "kairos jobs: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (jobs_kind_find(argv[0], test_kinds) == NULL) {
		fprintf(stderr, "kairos jobs: no job kind %s in this build\n", argv[0]);
		return 2;
	}
	rc = jobs_enqueue(db, org, argv[0], argv[1], key, NULL, &created, id);
	if (rc != DB_OK) {
		fprintf(stderr, "kairos jobs: %s\n", db->error);
		return 1;
	}
	if (created)
		printf("queued %s\n", id);
	else
		printf("already queued (the same dedupe key)\n");
	return 0;
}

/* --dead's options: [--limit N] [--after ID], any order, each once at most (argv[0] is
 * "--dead"). 0, or -1 for a usage error. */
static int
jobs_dead_args(int argc, char **argv, int *limit, const char **after)
{
	*limit = JOBS_DEAD_LIST_DEFAULT;
	*after = NULL;
	for (int i = 1; i < argc; i += 2) {
		char *end;
		long n;

		if (i + 1 >= argc)
			return -1;
		if (strcmp(argv[i], "--after") == 0 && *after == NULL && valid_uuid(argv[i + 1])) {
			*after = argv[i + 1];
			continue;
		}
		if (strcmp(argv[i], "--limit") != 0)
			return -1;
		n = strtol(argv[i + 1], &end, 10);
		if (*argv[i + 1] == '\0' || *end != '\0' || n < 1 || n > JOBS_DEAD_LIST_MAX)
			return -1;
		*limit = (int)n;
	}
	return 0;
}

/* The note a module gave of dead job id among notes, or NULL when it gave none (its row
 * is gone). */
static const struct jobs_dead_note *
jobs_dead_note_of(const struct jobs_dead_note *notes, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(notes[i].id, id) == 0)
			return &notes[i];
	return NULL;
}

/* --dead [--limit N] [--after ID]: every dead job of every kind, system ones too (this is
 * the owner's connection), newest first, a page of them; the dead letters of a kind whose
 * module keeps its own (own_dead_letters: notify's messages) with what that module tells of
 * them (dead_notes: a message's channel, recipient, last error, and how to retry it). */
static int
jobs_dead_cli(struct db *db, int argc, char **argv)
{
	static struct jobs_dead rows[JOBS_DEAD_LIST_MAX + 1];
	static struct jobs_dead_note notes[JOBS_DEAD_LIST_MAX];
	const char *after;
	int limit, n, nn = 0;

	if (jobs_dead_args(argc, argv, &limit, &after) < 0)
		return 2;	/* jobs_main checked them already */
	if ((n = jobs_dead_letters_all(db, after, rows, limit + 1)) < 0) {
		fprintf(stderr, "kairos jobs: %s\n", db->error);
		return 1;
	}
	/* each module that tells of its dead letters, asked once for those on this page */
	for (const struct jobs_module *const *m = jobs_modules; *m != NULL; m++) {
		struct buf ids = BUF_INIT;
		int got = 0;

		if ((*m)->dead_notes == NULL)
			continue;
		for (int i = 0; i < n && i < limit; i++) {
			const struct jobs_kind *k = jobs_kind_find(rows[i].kind, true);

			if (k != NULL && k->own_dead_letters && jobs_kind_module(k) == *m)
				buf_printf(&ids, "%s%s", ids.len ? "," : "{", rows[i].id);
		}
		if (ids.len) {
			buf_putc(&ids, '}');
			got = (*m)->dead_notes(db, buf_cstr(&ids), notes + nn, JOBS_DEAD_LIST_MAX - nn);
		}
		buf_free(&ids);
		if (got < 0) {
			fprintf(stderr, "kairos jobs: %s\n", db->error);
			return 1;
		}
		nn += got;
	}
	for (int i = 0; i < n && i < limit; i++) {
		const struct jobs_dead *d = &rows[i];
		const struct jobs_dead_note *note = jobs_dead_note_of(notes, nn, d->id);

		printf("%s  %s  %s  org %s  ", d->id, d->when, d->kind, *d->org_id ? d->org_id : "-");
		if (note != NULL)
			printf("%s\n", note->text);
		else
			printf("key %s  %d attempts  %s\n", *d->dedupe_key ? d->dedupe_key : "-",
			    d->attempts, d->error);
	}
	if (n == 0)
		printf("(no dead jobs)\n");
	else if (n > limit)
		printf("more: kairos jobs --dead --limit %d --after %s\n", limit, rows[limit - 1].id);
	return 0;
}

/* --retry ID: a dead job back to the queue. */
static int
jobs_retry_cli(struct db *db, const char *id)
{
	bool found = false;

	if (jobs_retry_dead(db, id, &found) != DB_OK) {
		fprintf(stderr, "kairos jobs: %s\n", db->error);
		return 1;
	}
	if (found)
		printf("queued %s again\n", id);
	else
		fprintf(stderr, "kairos jobs: no dead job %s\n", id);
	return found ? 0 : 1;
}

/* The operator's commands: one statement each, as the tables' owner like the runner. argv
 * starts at the command's option ("--list"). */
static int
jobs_operator(const struct config *cfg, int argc, char **argv)
{
	bool test = cfg->schedule_test_tasks;
	struct db db;
	int rc;

	db_init(&db, config_admin_database_url(cfg), (int)cfg->db_connect_timeout, 0);
	if (db_connect(&db) != DB_OK) {
		fprintf(stderr, "kairos jobs: cannot connect to the database: %s\n", db.error);
		db_close(&db);
		return 1;
	}
	if (strcmp(argv[0], "--run-now") == 0)
		rc = schedule_run_now(&db, test, argv[1], stdout, stderr);
	else if (strcmp(argv[0], "--enqueue") == 0)
		rc = jobs_enqueue_cli(&db, test, argc - 1, argv + 1);
	else if (strcmp(argv[0], "--dead") == 0)
		rc = jobs_dead_cli(&db, argc, argv);
	else if (strcmp(argv[0], "--retry") == 0)
		rc = jobs_retry_cli(&db, argv[1]);
	else {
		rc = schedule_list(&db, test, stdout);
		if (rc == 0) {
			printf("\n");
			rc = jobs_queue_list(&db, test, stdout);
		}
	}
	db_close(&db);
	return rc;
}

int
jobs_main(int argc, char **argv, const char *config_file)
{
	struct schedule_runner sched;
	struct jobs_runner queue;
	bool operator = true;
	const char *dead_after;	/* --dead's options, checked before connecting */
	int dead_limit;
	char runner[300], host[256] = "localhost";
	struct jobs_batchers batchers;
	unsigned long listening_on = 0;
	long backoff_ms = 0;
	struct config cfg;
	enum log_level level;
	struct db db, app;
	sigset_t set;
	int sfd;

	if (argc == 1)
		operator = false;
	else if (!((argc == 2 && strcmp(argv[1], "--list") == 0) ||
	    (argc == 2 && strcmp(argv[1], "--kinds") == 0) ||
	    (argc >= 2 && strcmp(argv[1], "--dead") == 0 && jobs_dead_args(argc - 1, argv + 1,
	    &dead_limit, &dead_after) == 0) ||
	    (argc == 3 && strcmp(argv[1], "--run-now") == 0) ||
	    (argc == 3 && strcmp(argv[1], "--retry") == 0) ||
	    (argc >= 4 && strcmp(argv[1], "--enqueue") == 0))) {
		fprintf(stderr, "usage: kairos jobs [--list | --kinds | --run-now TASK | --retry JOB_ID |\n"
		    "                    --dead [--limit 1..%d] [--after JOB_ID] |\n"
		    "                    --enqueue KIND PAYLOAD_JSON [--key DEDUPE_KEY] [--org ORG_ID]]\n",
		    JOBS_DEAD_LIST_MAX);
		return 2;
	}
	log_set_role("jobs");
	if (config_load_logged(&cfg, config_file) < 0)
		return 1;
	config_start_test_clock(&cfg, false);	/* the operator commands read it too */
	if (operator && strcmp(argv[1], "--kinds") == 0) {	/* the build's, no database */
		int rc = jobs_kinds_print(cfg.schedule_test_tasks, &cfg, stdout) < 0 ? 1 : 0;

		config_free(&cfg);
		return rc;
	}
	if (operator) {
		int rc = jobs_operator(&cfg, argc - 1, argv + 1);

		config_free(&cfg);
		return rc;
	}
	if (log_level_parse(cfg.log_level, &level) == 0)
		log_set_level(level);
	{
		struct buf why = BUF_INIT;

		if (jobs_kinds_fit(jobs_modules, &why) < 0) {	/* never leave kinds silently unrun */
			log_error("job runner cannot start", "%s", buf_cstr(&why));
			buf_free(&why);
			config_free(&cfg);
			return 1;
		}
		buf_free(&why);
	}
	gethostname(host, sizeof host - 1);
	snprintf(runner, sizeof runner, "%s:%ld", host, (long)getpid());
	schedule_runner_init(&sched, &cfg, runner);	/* logs what it leaves out */
	/* the organisations' jobs: the application role's connection, under row-level security */
	db_init(&app, cfg.database_url, (int)cfg.db_connect_timeout, cfg.statement_timeout_ms);
	jobs_runner_init(&queue, cfg.schedule_test_tasks, runner, &app);	/* logs what it leaves out */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	/* the queue's bookkeeping (the batching modules' claims and records too) and system jobs:
	 * the owner's connection, which row-level security does not narrow */
	db_init(&db, config_admin_database_url(&cfg), (int)cfg.db_connect_timeout,
	    cfg.statement_timeout_ms);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (jobs_batchers_start(&batchers, &cfg, runner) < 0) {
		curl_global_cleanup();
		db_close(&db);
		db_close(&app);
		config_free(&cfg);
		jobs_runner_free(&queue);
		close(sfd);
		return 1;
	}
	log_info("started", "tick every %d s, %zu scheduled tasks, %zu job kinds, %zu modules"
	    " running batches", JOBS_TICK_SECONDS, sched.ntasks, queue.nkinds, batchers.n);

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
			jobs_batchers_run(&batchers, &db, &queue, sfd);
			/* then the queued jobs; a full batch means more are due: look again at once */
			if (jobs_run_queue(&db, &queue, sfd))
				timeout = 0;
			/* then the scheduled tasks; wake again when the next task or job is due, if sooner */
			due_ms = schedule_run_due(&sched, &db);
			if (due_ms >= 0 && due_ms < timeout)
				timeout = (int)due_ms;
			due_ms = jobs_next_due_ms(&queue, &db);
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
	jobs_batchers_stop(&batchers);	/* before libcurl, and the configuration they borrow, go */
	db_close(&db);
	db_close(&app);
	config_free(&cfg);
	curl_global_cleanup();
	jobs_runner_free(&queue);
	close(sfd);
	return 0;
}
