/* outbox.c: enqueue in the caller's transaction; claim, send and record in the runner. */
#include "notify/notify.h"
#include "notify/runner.h"

#include <stdlib.h>
#include <string.h>

static const char *const notify_channel_names[] = { "sms", "whatsapp", "email" };

int
notify_channel_parse(const char *name, enum notify_channel *out)
{
	int i = STR_INDEX(notify_channel_names, name);

	if (i < 0)
		return -1;
	*out = (enum notify_channel)i;
	return 0;
}

const char *
notify_channel_name(enum notify_channel c)
{
	return notify_channel_names[c];
}

/* Every time a message's row records is the wall clock ($14 here, DB_NOW), as its job's are
 * (jobs/queue.c), so the row and its job read one clock: created_at is also when its job is
 * due (0023's trigger), sent_at and updated_at follow. */

/* The NOTIFY is delivered only if the transaction commits, like the row itself. */
static struct db_stmt notify_stmt_enqueue = DB_STMT("notify_enqueue", 14,
	"WITH ins AS ("
	" INSERT INTO notifications (org_id, event_key, channel, recipient, subject, body_text,"
	"  body_html, patient_id, requested_ip, requested_by, template_name, template_vars, sensitive,"
	"  created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13,"
	"  " DB_NOW(14) ", " DB_NOW(14) ")"
	" ON CONFLICT (org_id, event_key) DO NOTHING RETURNING id)"
	" SELECT id, pg_notify('kairos_jobs', 'notify') FROM ins");

/* notify_enqueue for many recipients of one message (campaigns): one row per array element. */
static struct db_stmt notify_stmt_enqueue_many = DB_STMT("notify_enqueue_many", 14,
	"WITH ins AS ("
	" INSERT INTO notifications (org_id, event_key, channel, recipient, subject, body_text,"
	"  body_html, patient_id, requested_ip, requested_by, template_name, template_vars, sensitive,"
	"  created_at, updated_at)"
	" SELECT $1, v.event_key, $3, v.recipient, $5, $6, $7, v.patient_id, $9, $10, $11,"
	"  $12::jsonb, $13, " DB_NOW(14) ", " DB_NOW(14)
	" FROM unnest($2::text[], $4::text[], $8::uuid[]) AS v(event_key, recipient, patient_id)"
	" ON CONFLICT (org_id, event_key) DO NOTHING RETURNING 1)"
	" SELECT (SELECT count(*) FROM ins), pg_notify('kairos_jobs', 'notify')");

/* The messages of claimed jobs (a message's job has its id), in the claim's order; a job
 * whose message is gone gets a row of blanks and false. */
static struct db_stmt notify_stmt_messages = DB_STMT("notify_messages", 1,
	"SELECT c.id, coalesce(n.channel, ''), coalesce(n.recipient, ''), coalesce(n.subject, ''),"
	" coalesce(n.body_text, ''), coalesce(n.body_html, ''), coalesce(n.template_name, ''),"
	" coalesce(n.template_vars::text, ''), n.id IS NOT NULL"
	" FROM unnest($1::uuid[]) WITH ORDINALITY AS c(id, i)"
	" LEFT JOIN notifications n ON n.id = c.id ORDER BY c.i");

/* Messages sent since the runner last recorded: ids, providers and provider message ids as
 * three arrays of one length, so a busy runner writes one statement for many sends; $2 the
 * ids whose jobs jobs_done_many recorded in the owner's transaction (the lease's guard). The
 * communications row and the audit entry are written in the same statement, so a sent
 * message always has both; neither holds the body. A message may be recorded sent twice: its
 * row was committed and its runner died before the job's (notify_record_sent), and the job
 * ran again. It keeps its one communications row (the latest send's provider id on the
 * row), and gets an audit entry for each send, which both happened. */
static struct db_stmt notify_stmt_sent = DB_STMT("notify_sent", 5,
	"WITH v AS (SELECT * FROM unnest($1::uuid[], $3::text[], $4::text[]) AS v(id, provider, pmid)),"
	" sent AS ("
	" UPDATE notifications n SET status = 'sent', provider = v.provider,"
	"  provider_message_id = v.pmid, sent_at = " DB_NOW(5) ", last_error = NULL,"
	"  updated_at = " DB_NOW(5) ","
	"  body_text = CASE WHEN n.sensitive AND v.provider <> 'outbox' THEN '" NOTIFY_REDACTED "'"
	"   ELSE n.body_text END,"
	"  body_html = CASE WHEN n.sensitive AND v.provider <> 'outbox' THEN NULL ELSE n.body_html END,"
	"  template_vars = CASE WHEN n.sensitive AND v.provider <> 'outbox' AND n.template_vars IS NOT NULL"
	"   THEN '[]'::jsonb ELSE n.template_vars END"
	" FROM v WHERE n.id = v.id AND v.id = ANY($2::uuid[])"
	" RETURNING n.id, n.org_id, n.patient_id, n.requested_by, n.requested_ip, n.channel,"
	"  n.recipient, n.subject, v.provider, v.pmid),"
	" comm AS (INSERT INTO communications (org_id, notification_id, patient_id, channel,"
	"  recipient, subject) SELECT org_id, id, patient_id, channel, recipient, subject FROM sent"
	"  ON CONFLICT (notification_id) DO NOTHING)"
	" INSERT INTO audit_log (org_id, actor_id, actor_kind, action, subject_type, subject_id,"
	"  patient_id, ip, details)"
	" SELECT org_id, requested_by,"
	"  CASE WHEN requested_by IS NULL AND requested_ip IS NULL THEN 'system' ELSE 'staff' END,"
	"  'notification.sent', 'notification', id::text, patient_id, requested_ip,"
	"  jsonb_build_object('channel', channel, 'provider', provider, 'providerMessageId', pmid)"
	" FROM sent");

/* A failed send, recorded with its job (jobs_record, in the same transaction): the
 * provider's reason, and dead ($3) when the job is. */
static struct db_stmt notify_stmt_failed = DB_STMT("notify_failed", 4,
	"UPDATE notifications SET last_error = $2, updated_at = " DB_NOW(4) ","
	" status = CASE WHEN $3::boolean THEN 'dead' ELSE status END"
	" WHERE id = $1");

static struct db_stmt notify_stmt_find = DB_STMT("notify_find", 2,
	"SELECT id FROM notifications WHERE org_id = $1 AND event_key = $2");

int
notify_find(struct db *db, const char *org_id, const char *event_key, char id[37])
{
	const char *params[2] = { org_id, event_key };

	return db_query_value(db, &notify_stmt_find, params, id, 37);
}

/* Appends value to a PostgreSQL array literal being built in out ("{" first): quoted, with
 * " and \\ escaped, so any provider message id survives intact. */
static void
notify_array_add(struct buf *out, const char *value)
{
	buf_puts(out, out->len ? ",\"" : "{\"");
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

int
notify_enqueue(struct db *db, const struct notify_message *m, bool *created)
{
	char now[DB_NOW_SIZE];
	const char *params[14] = { m->org_id, m->event_key, notify_channel_name(m->channel),
		m->recipient, m->subject, m->body_text, m->body_html, m->patient_id, m->requested_ip,
		m->requested_by, m->template_name, m->template_vars, m->sensitive ? "true" : "false",
		db_now(now) };
	PGresult *res = NULL;
	int rc = db_query(db, &notify_stmt_enqueue, params, &res);

	if (rc == DB_OK && created != NULL)
		*created = PQntuples(res) == 1;
	PQclear(res);
	return rc;
}

int
notify_enqueue_many(struct db *db, const struct notify_message *m, const char *const *recipients,
    const char *const *patient_ids, const char *const *event_keys, size_t n, long *created)
{
	struct buf keys = BUF_INIT, to = BUF_INIT, patients = BUF_INIT;
	char count[24] = "0";
	int rc;

	for (size_t i = 0; i < n; i++) {
		notify_array_add(&keys, event_keys[i]);
		notify_array_add(&to, recipients[i]);
		notify_array_add(&patients, patient_ids[i]);
	}
	buf_puts(&keys, n ? "}" : "{}");
	buf_puts(&to, n ? "}" : "{}");
	buf_puts(&patients, n ? "}" : "{}");
	{
		char now[DB_NOW_SIZE];
		const char *params[14] = { m->org_id, keys.data, notify_channel_name(m->channel),
			to.data, m->subject, m->body_text, m->body_html, patients.data, m->requested_ip,
			m->requested_by, m->template_name, m->template_vars, m->sensitive ? "true" : "false",
			db_now(now) };

		rc = db_query_value(db, &notify_stmt_enqueue_many, params, count, sizeof count);
	}
	*created = atol(count);
	buf_free(&keys);
	buf_free(&to);
	buf_free(&patients);
	return rc;
}

/* The message's half of an outcome: stmt on q's application connection, in a transaction
 * for the job's organisation (row-level security: only its own message), committed. DB_OK,
 * or an error with the reason in why. */
static int
notify_tenant_exec(struct jobs_runner *q, const char *org_id, struct db_stmt *stmt,
    const char *const *params, struct buf *why)
{
	if (jobs_tenant_begin(q, org_id, why) != DB_OK)
		return DB_FAILED;
	if (db_exec(q->app, stmt, params, NULL) != DB_OK || db_commit(q->app) != DB_OK) {
		buf_puts(why, q->app->error);
		db_rollback(q->app);
		return DB_FAILED;
	}
	return DB_OK;
}

/* A failed send, or a job that must not run (again): the job's outcome (back to the queue
 * after its backoff, or a dead letter) on db, and the message's reason and status under its
 * organisation's row-level security, committed just before the job's (notify_run_due). */
static void
notify_record_failure(struct db *db, struct jobs_runner *q, const struct jobs_kind *k,
    const struct jobs_job *job, const char *error, long retry_after, bool permanent)
{
	struct jobs_result res = { BUF_INIT, retry_after };
	enum jobs_recorded what = JOBS_NOT_RECORDED;
	struct buf why = BUF_INIT;

	buf_puts(&res.error, error);
	if (db_exec_simple(db, "BEGIN") != DB_OK ||
	    jobs_record(db, k, job, permanent ? JOBS_FAILED : JOBS_RETRY, &res, 0, &what) < 0) {
		buf_puts(&why, db->error);
		goto fail;
	}
	if (what != JOBS_NOT_RECORDED) {
		char now[DB_NOW_SIZE];
		const char *params[4] = { job->id, buf_cstr(&res.error),
			what == JOBS_RECORDED_DEAD ? "true" : "false", db_now(now) };

		if (notify_tenant_exec(q, job->org_id, &notify_stmt_failed, params, &why) != DB_OK)
			goto fail;
	}
	if (db_commit(db) == DB_OK)
		goto out;
	buf_puts(&why, db->error);
fail:
	log_error("notification outcome not recorded", "%s: it is sent again when the lease ends: %s",
	    job->id, buf_cstr(&why));
	db_rollback(db);
out:
	buf_free(&why);
	buf_free(&res.error);
}

/* A claimed job whose message cannot be read under its organisation's row-level security
 * (no org_id, the application role unsafe or unreachable): only the job's outcome, with the
 * reason (a dead letter at once when permanent or its attempts are spent). Its message's row
 * is left as it is: nothing may touch it but its own organisation's transaction. */
static void
notify_record_job(struct db *db, const struct jobs_kind *k, const struct jobs_job *job,
    const char *error, bool permanent)
{
	struct jobs_result res = { BUF_INIT, 0 };

	if (jobs_attempts_spent(k, job, &res))
		permanent = true;
	else
		buf_puts(&res.error, error);
	jobs_record(db, k, job, permanent ? JOBS_FAILED : JOBS_RETRY, &res, 0, NULL);	/* logs */
	buf_free(&res.error);
}

/* The sent messages of one organisation: their jobs done (only those whose lease this runner
 * still holds, on db) and their rows sent with their communications rows and audit entries
 * (under the organisation's row-level security, committed first). ids, providers, pmids:
 * array literals, in step. */
static void
notify_record_sent(struct db *db, struct jobs_runner *q, const char *runner, const char *org_id,
    const char *ids, const char *providers, const char *pmids, int sent)
{
	char now[DB_NOW_SIZE];
	struct buf recorded = BUF_INIT, why = BUF_INIT;
	const char *params[5] = { ids, NULL, providers, pmids, db_now(now) };

	if (db_exec_simple(db, "BEGIN") != DB_OK ||
	    jobs_done_many(db, runner, ids, &recorded) != DB_OK) {
		buf_puts(&why, db->error);
		goto fail;
	}
	params[1] = buf_cstr(&recorded);
	if (strcmp(params[1], "{}") != 0 &&
	    notify_tenant_exec(q, org_id, &notify_stmt_sent, params, &why) != DB_OK)
		goto fail;
	if (db_commit(db) == DB_OK)
		goto out;
	buf_puts(&why, db->error);
fail:
	log_error("notification outcome not recorded", "%d sent messages: %s", sent, buf_cstr(&why));
	db_rollback(db);
out:
	buf_free(&recorded);
	buf_free(&why);
}

/* What notify_run_due's record callback needs. */
struct notify_batch {
	struct db            *db;
	struct jobs_runner   *q;
	struct notify_runner *runner;
	struct buf            unstarted;	/* array literal of ids: for jobs_release */
	int                   nunstarted;
};

/* Called on the runner's thread with the jobs finished since its last call (runner.c): the
 * sent ones recorded in one pair of transactions per organisation, failures one by one, the
 * unstarted kept for release. */
static void
notify_batch_done(void *ctx, struct notify_job **finished, int k)
{
	struct notify_batch *b = ctx;
	bool taken[NOTIFY_CLAIM_BATCH] = { false };

	for (int i = 0; i < k; i++) {
		const struct notify_job *job = finished[i];

		if (!job->started) {
			notify_array_add(&b->unstarted, job->m.id);
			b->nunstarted++;
		} else if (job->r.outcome != NOTIFY_SENT)
			notify_record_failure(b->db, b->q, &b->runner->kind, &job->job, job->r.error,
			    job->r.retry_after, job->r.outcome == NOTIFY_REJECTED);
		else if (!taken[i]) {
			struct buf ids = BUF_INIT, providers = BUF_INIT, pmids = BUF_INIT;
			int sent = 0;

			/* this one and every later sent one of its organisation */
			for (int j = i; j < k; j++) {
				const struct notify_job *o = finished[j];

				if (taken[j] || !o->started || o->r.outcome != NOTIFY_SENT ||
				    strcmp(o->job.org_id, job->job.org_id) != 0)
					continue;
				taken[j] = true;
				notify_array_add(&ids, o->m.id);
				notify_array_add(&providers, o->provider->name);
				notify_array_add(&pmids, o->r.provider_id);
				sent++;
			}
			buf_putc(&ids, '}');
			buf_putc(&providers, '}');
			buf_putc(&pmids, '}');
			notify_record_sent(b->db, b->q, b->runner->name, job->job.org_id, ids.data,
			    providers.data, pmids.data, sent);
			buf_free(&ids);
			buf_free(&providers);
			buf_free(&pmids);
		}
	}
}

/* The claim's rows of row first's organisation not yet taken, from first on: marked taken,
 * their rows into group and their ids into ids (an array literal). How many. */
static int
notify_claim_group(const PGresult *claim, int first, bool *taken, int *group, struct buf *ids)
{
	const char *org = PQgetvalue(claim, first, 1);
	int n = PQntuples(claim), ng = 0;

	for (int j = first; j < n; j++)
		if (!taken[j] && strcmp(PQgetvalue(claim, j, 1), org) == 0) {
			taken[j] = true;
			group[ng++] = j;
			notify_array_add(ids, PQgetvalue(claim, j, 0));
		}
	buf_putc(ids, '}');
	return ng;
}

int
notify_run_due(struct db *db, struct jobs_runner *q, struct notify_runner *r)
{
	struct notify_job jobs[NOTIFY_CLAIM_BATCH];
	PGresult *msgs[NOTIFY_CLAIM_BATCH];	/* one per organisation: the jobs' strings */
	bool taken[NOTIFY_CLAIM_BATCH] = { false };
	struct notify_batch b = { db, q, r, BUF_INIT, 0 };
	PGresult *claim = NULL;
	long long deadline;
	int rc, n, k = 0, nmsgs = 0;

	if ((rc = jobs_claim(db, &r->kind, r->name, NOTIFY_CLAIM_BATCH, &claim)) != DB_OK)
		return rc;
	/* Past half the lease another runner may soon take these jobs; a send started then
	 * could go out twice. The deadline is taken after the claim returned, so it errs early. */
	deadline = clock_mono_us() + r->kind.lease_seconds * 1000000LL / 2;
	if ((n = PQntuples(claim)) == 0) {
		PQclear(claim);
		return 0;
	}
	/* each organisation's messages read in its own transaction, under row-level security:
	 * a job sees no message but its organisation's (another's is "gone") */
	for (int i = 0; i < n; i++) {
		const char *org = PQgetvalue(claim, i, 1);
		struct buf ids = BUF_INIT, why = BUF_INIT;
		const char *params[1];
		PGresult *res = NULL;
		int group[NOTIFY_CLAIM_BATCH], ng;

		if (taken[i])
			continue;
		ng = notify_claim_group(claim, i, taken, group, &ids);
		params[0] = ids.data;
		/* one queued by SQL with no organisation is never read as the owner */
		if (!jobs_org_missing(&r->kind, org, &why) &&
		    jobs_tenant_begin(q, org, &why) == DB_OK) {
			if (db_query(q->app, &notify_stmt_messages, params, &res) != DB_OK) {
				buf_printf(&why, "its message was not read: %s", q->app->error);
				PQclear(res);
				res = NULL;
			}
			db_rollback(q->app);	/* it only read */
		}
		for (int g = 0; g < ng; g++) {
			struct notify_job *j = &jobs[k];
			struct jobs_result gone = { BUF_INIT, 0 };
			enum notify_channel ch;

			*j = (struct notify_job){ .provider = &notify_provider_outbox };
			jobs_job_from(claim, group[g], r->name, &j->job);
			if (res == NULL) {
				notify_record_job(db, &r->kind, &j->job, buf_cstr(&why), *org == '\0');
				continue;
			}
			j->m = (struct notify_outgoing){ PQgetvalue(res, g, 0), PQgetvalue(res, g, 1),
				PQgetvalue(res, g, 2), PQgetvalue(res, g, 3), PQgetvalue(res, g, 4),
				PQgetvalue(res, g, 5), j->job.attempt, PQgetvalue(res, g, 6),
				PQgetvalue(res, g, 7) };
			if (strcmp(PQgetvalue(res, g, 8), "t") != 0)
				buf_puts(&gone.error, "the message is gone");
			if (gone.error.len > 0 || jobs_attempts_spent(&r->kind, &j->job, &gone)) {
				notify_record_failure(db, q, &r->kind, &j->job, buf_cstr(&gone.error), 0,
				    true);
				buf_free(&gone.error);
				continue;
			}
			if (notify_channel_parse(j->m.channel, &ch) == 0 && r->providers[ch] != NULL)
				j->provider = r->providers[ch];
			k++;
		}
		if (res != NULL)
			msgs[nmsgs++] = res;
		buf_free(&ids);
		buf_free(&why);
	}
	if (k > 0)
		notify_runner_batch(r, jobs, k, deadline, notify_batch_done, &b);
	if (b.nunstarted > 0) {
		buf_putc(&b.unstarted, '}');
		log_warn("claim expiring", "%d of %d claimed messages handed back unsent", b.nunstarted, n);
		if (jobs_release(db, r->name, b.unstarted.data) != DB_OK)
			log_error("claimed messages not handed back", "they return when the lease ends: %s",
			    db->error);
	}
	buf_free(&b.unstarted);
	while (nmsgs > 0)
		PQclear(msgs[--nmsgs]);
	PQclear(claim);
	return n;
}

/* The development provider: accepted at once, delivered nowhere. The message stays in the
 * table, where `kairos outbox list` shows it (and tests read one-time codes from it). */
static int
notify_outbox_send(const struct notify_provider *p, const struct notify_outgoing *m,
    struct notify_result *r)
{
	(void)p;
	r->outcome = NOTIFY_SENT;
	snprintf(r->provider_id, sizeof r->provider_id, "outbox-%s", m->id);
	return 0;
}

const struct notify_provider notify_provider_outbox = {
	.name = "outbox", .send = notify_outbox_send,
};

/* Each provider's words → our status and its rank; a report may only raise the rank. Meta's
 * "read" is delivered (we keep no separate read state: a read receipt depends on the
 * patient's settings), so a "read" after "delivered" is stale and changes nothing. */
static const struct {
	const char *provider, *word, *status;
	int         rank;
} notify_report_map[] = {
	{ "twilio", "queued", "sent", 1 }, { "twilio", "accepted", "sent", 1 },
	{ "twilio", "sending", "sent", 1 }, { "twilio", "sent", "sent", 1 },
	{ "twilio", "delivered", "delivered", 2 }, { "twilio", "read", "delivered", 2 },
	{ "twilio", "undelivered", "failed", 2 }, { "twilio", "failed", "failed", 2 },
	/* SendGrid's delivery events: processed (accepted for sending) and deferred (the
	 * receiving server said try later; SendGrid keeps trying) leave it sent; bounce and
	 * dropped (suppressed, invalid) are final failures. Engagement events (open, click,
	 * spamreport, unsubscribe…) are not delivery status: the webhook ignores them. */
	{ "sendgrid", "processed", "sent", 1 }, { "sendgrid", "deferred", "sent", 1 },
	{ "sendgrid", "delivered", "delivered", 2 }, { "sendgrid", "bounce", "failed", 2 },
	{ "sendgrid", "dropped", "failed", 2 },
	{ "meta", "sent", "sent", 1 }, { "meta", "delivered", "delivered", 2 },
	{ "meta", "read", "delivered", 2 }, { "meta", "failed", "failed", 2 },
};

bool
notify_report_word_known(const char *provider, const char *word)
{
	for (size_t i = 0; i < sizeof notify_report_map / sizeof *notify_report_map; i++)
		if (strcmp(notify_report_map[i].provider, provider) == 0 &&
		    strcmp(notify_report_map[i].word, word) == 0)
			return true;
	return false;
}

static struct db_stmt notify_stmt_report = DB_STMT("notify_report", 6,
	"UPDATE notifications SET status = $3,"
	" last_error = CASE WHEN $4 <> '' THEN $1 || ' error ' || $4 ELSE last_error END,"
	" updated_at = " DB_NOW(6)
	" WHERE provider = $1 AND provider_message_id = $2"
	" AND (CASE status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'failed' THEN 2"
	"  ELSE 3 END) < $5::int"
	" RETURNING id");

static struct db_stmt notify_stmt_known = DB_STMT("notify_known", 2,
	"SELECT status FROM notifications WHERE provider = $1 AND provider_message_id = $2");

/* A report names the provider's message id, not the organisation: this definer function
 * (0006_auth.sql) finds it, and the update then runs inside that organisation. */
static struct db_stmt notify_stmt_report_org = DB_STMT("notify_report_org", 2,
	"SELECT coalesce(kairos_notification_org($1, $2)::text, '')");

int
notify_delivery_report(struct db *db, const char *provider, const char *provider_id,
    const char *provider_status, const char *error_code, enum notify_status_change *change)
{
	char rank[4], org[40];
	bool own;
	char now[DB_NOW_SIZE];
	const char *params[6];
	PGresult *res = NULL;
	size_t i, n = sizeof notify_report_map / sizeof *notify_report_map;
	int rc;

	for (i = 0; i < n && (strcmp(notify_report_map[i].provider, provider) != 0 ||
	    strcmp(notify_report_map[i].word, provider_status) != 0); i++)
		;
	if (i == n)
		return DB_FAILED;
	snprintf(rank, sizeof rank, "%d", notify_report_map[i].rank);
	params[0] = provider;
	params[1] = provider_id;
	params[2] = notify_report_map[i].status;
	params[3] = error_code ? error_code : "";
	params[4] = rank;
	params[5] = db_now(now);
	if ((rc = db_query_value(db, &notify_stmt_report_org, params, org, sizeof org)) != DB_OK)
		return rc;
	if (*org == '\0') {
		*change = NOTIFY_STATUS_UNKNOWN;
		return DB_OK;
	}
	/* a batch of reports shares its caller's transaction; a single one gets its own */
	own = !db_in_transaction(db);
	if ((rc = own ? db_begin_tenant(db, org) : db_set_tenant(db, org)) != DB_OK)
		return rc;
	if ((rc = db_query(db, &notify_stmt_report, params, &res)) != DB_OK)
		goto fail;
	*change = PQntuples(res) > 0 ? NOTIFY_STATUS_UPDATED : NOTIFY_STATUS_STALE;
	PQclear(res);
	if (*change == NOTIFY_STATUS_STALE) {
		/* nothing raised: either a replay, or the row is gone since the lookup */
		if ((rc = db_query(db, &notify_stmt_known, params, &res)) != DB_OK)
			goto fail;
		if (PQntuples(res) == 0)
			*change = NOTIFY_STATUS_UNKNOWN;
		else if (notify_report_map[i].rank == 1 && strcmp(PQgetvalue(res, 0, 0), "sent") == 0)
			*change = NOTIFY_STATUS_CONFIRMED;	/* "processed" for a message we sent */
		else
			*change = NOTIFY_STATUS_STALE;
		PQclear(res);
	}
	return own ? db_commit(db) : DB_OK;
fail:
	if (own)
		db_rollback(db);
	return rc;
}
