/* jobs.c: notify's part in the job runner (jobs.h, struct jobs_module): its kind, notify.send
 * (a message is a job of it, 0016), which it runs itself in batches on its send threads, and
 * what its dead letters were for `kairos jobs --dead`. src/settings.c lists it. */
#include "notify/notify.h"
#include "jobs/jobs.h"

#include <stdlib.h>
#include <string.h>

/* What a runner process holds for notify: the providers, and the send threads that borrow
 * them (so the threads go first). */
struct notify_jobs_state {
	struct notify_setup   providers;
	struct notify_runner *sender;
};

static void *
notify_jobs_start(const struct config *cfg, const char *runner)
{
	struct notify_jobs_state *s = xcalloc(1, sizeof *s);

	notify_setup_init(&s->providers, cfg);
	if ((s->sender = notify_runner_new(cfg, runner, s->providers.channel)) == NULL) {
		notify_setup_free(&s->providers);
		free(s);
		return NULL;
	}
	return s;
}

static int
notify_jobs_run_due(struct db *db, struct jobs_runner *q, void *state)
{
	struct notify_jobs_state *s = state;
	int n = notify_run_due(db, q, s->sender);

	if (n < 0) {
		log_warn("notifications not run", "%s", db->error);
		return -1;
	}
	return n == NOTIFY_CLAIM_BATCH;
}

static void
notify_jobs_stop(void *state)
{
	struct notify_jobs_state *s = state;

	notify_runner_free(s->sender);	/* before the providers it uses go */
	notify_setup_free(&s->providers);
	free(s);
}

/* A dead message as `kairos jobs --dead` shows it: what /admin/messages shows of it, and how
 * to retry it (its job is retried with its message: kairos outbox retry). */
static int
notify_jobs_dead_notes(struct db *db, const char *ids, struct jobs_dead_note *notes, int max)
{
	struct notify_dead *msgs = xcalloc((size_t)(max > 0 ? max : 1), sizeof *msgs);
	int n = notify_dead_letters_of(db, ids, msgs, max);

	for (int i = 0; i < n; i++) {
		snprintf(notes[i].id, sizeof notes[i].id, "%s", msgs[i].id);
		snprintf(notes[i].text, sizeof notes[i].text,
		    "%s to %s  event %s  %d attempts  %s  (retry: kairos outbox retry %s)",
		    msgs[i].channel, msgs[i].recipient, msgs[i].event_key, msgs[i].attempts,
		    msgs[i].error, msgs[i].id);
	}
	free(msgs);
	return n;
}

/* A message in the outbox (the job's id is the message's), an organisation's: notify claims
 * these in batches for its send threads (notify_run_due) and reads and records each message
 * under row-level security, in a transaction for its organisation on the runner's
 * application connection, as an organisation's handler runs; its dead letters are the dead
 * messages of /admin/messages and `kairos outbox`. */
/* notify.send's lease and first backoff are settings (KAIROS_NOTIFY_LEASE_SECONDS,
 * KAIROS_NOTIFY_BACKOFF_SECONDS): the runner's send threads and `kairos jobs --kinds` both
 * take them from here. */
static void
notify_job_rules(const struct config *cfg, struct jobs_kind *k)
{
	k->lease_seconds = (int)cfg->notify_lease_seconds;
	k->backoff_seconds = cfg->notify_backoff_seconds;
}

static const struct jobs_kind notify_job_kinds[] = {
	{ .name = NOTIFY_JOB_KIND, .run = NULL, .max_attempts = NOTIFY_MAX_ATTEMPTS,
	  /* the settings' defaults; a runner uses the settings (notify_job_rules) */
	  .lease_seconds = NOTIFY_LEASE_SECONDS_DEFAULT,
	  .backoff_seconds = NOTIFY_BACKOFF_SECONDS_DEFAULT,
	  .backoff_max_seconds = NOTIFY_BACKOFF_MAX_SECONDS,
	  .about = "Send a message (SMS, WhatsApp or email)", .batched = true,
	  .own_dead_letters = true },
};

const struct jobs_module notify_job_module = {
	.name = "notify",
	.kinds = notify_job_kinds,
	.nkinds = sizeof notify_job_kinds / sizeof *notify_job_kinds,
	.start = notify_jobs_start,
	.run_due = notify_jobs_run_due,
	.stop = notify_jobs_stop,
	.dead_notes = notify_jobs_dead_notes,
	.rules = notify_job_rules,
};
