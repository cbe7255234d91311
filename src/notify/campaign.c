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

/* A row of notify_stmt_campaign_find. */
static const struct db_row_map notify_campaign_map = DB_ROW_MAP(struct notify_campaign,
	DB_COL_TEXT(struct notify_campaign, id),
	DB_COL_INT(struct notify_campaign, queued),
	DB_COL_INT(struct notify_campaign, skipped));

int
notify_campaign_find(struct db *db, const char *idempotency_key, struct notify_campaign *c)
{
	const char *params[1] = { idempotency_key };
	int n;

	c->found = c->created = false;
	if ((n = db_query_row(db, &notify_stmt_campaign_find, params, &notify_campaign_map, c)) < 0)
		return n;
	c->found = n == 1;
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
