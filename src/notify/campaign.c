/* campaign.c: bulk sends (NOTE-1, migration 0009). A campaign row records one staff request
 * to message many patients; its messages are ordinary outbox rows queued with
 * notify_enqueue_many in the same transaction, under event keys campaign:<id>:<patient>. */
#include "notify/notify.h"

#include <stdlib.h>
#include <string.h>

static struct db_stmt notify_stmt_campaign_find = DB_STMT("notify_campaign_find", 1,
	"SELECT id, queued, skipped FROM campaigns WHERE idempotency_key = $1");

/* ON CONFLICT: a concurrent request with the same Idempotency-Key won; the caller then
 * answers with that campaign (the conflict waits for its transaction to end). */
static struct db_stmt notify_stmt_campaign_insert = DB_STMT("notify_campaign_insert", 9,
	"INSERT INTO campaigns (org_id, name, channel, subject, body, requested_by, idempotency_key,"
	" queued, skipped) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
	" ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING id");

int
notify_campaign_find(struct db *db, const char *idempotency_key, struct notify_campaign *c)
{
	const char *params[1] = { idempotency_key };
	PGresult *res = NULL;
	int rc;

	c->found = c->created = false;
	if ((rc = db_query(db, &notify_stmt_campaign_find, params, &res)) != DB_OK)
		return rc;
	if (PQntuples(res) == 1) {
		c->found = true;
		db_copy(c->id, sizeof c->id, res, 0, 0);
		c->queued = atol(PQgetvalue(res, 0, 1));
		c->skipped = atol(PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	return DB_OK;
}

int
notify_campaign_create(struct db *db, const char *name, const char *body,
    const struct notify_message *m, const char *idempotency_key, long queued, long skipped,
    struct notify_campaign *c)
{
	char nq[24], ns[24];
	const char *params[9] = { m->org_id, name, notify_channel_name(m->channel), m->subject,
		body, m->requested_by, idempotency_key, nq, ns };
	PGresult *res = NULL;
	int rc;

	snprintf(nq, sizeof nq, "%ld", queued);
	snprintf(ns, sizeof ns, "%ld", skipped);
	if ((rc = db_query(db, &notify_stmt_campaign_insert, params, &res)) != DB_OK)
		return rc;
	c->created = c->found = PQntuples(res) == 1;	/* false: the key's campaign exists */
	if (c->created) {
		db_copy(c->id, sizeof c->id, res, 0, 0);
		c->queued = queued;
		c->skipped = skipped;
	}
	PQclear(res);
	if (!c->found && idempotency_key != NULL)
		return notify_campaign_find(db, idempotency_key, c);
	return DB_OK;
}
