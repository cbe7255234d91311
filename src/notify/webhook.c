/* webhook.c: what the providers' webhook readers share (webhook.h): their answers, and the
 * replay guard of signed webhooks. */
#include "notify/notify.h"
#include "notify/webhook.h"

#include <string.h>

void
notify_webhook_refuse(struct notify_webhook *a, int status, const char *error, const char *field)
{
	*a = (struct notify_webhook){ .status = status, .error = error, .field = field };
}

void
notify_webhook_invalid(struct notify_webhook *a, struct json_object *details)
{
	*a = (struct notify_webhook){ .status = 400, .json = json_object_new_object() };
	json_object_object_add(a->json, "error", json_object_new_string("Invalid request"));
	json_object_object_add(a->json, "details", details);
}

void
notify_webhook_batch(struct notify_webhook *a, const char *provider, int updated, int unchanged,
    int unknown, int ignored)
{
	struct json_object *out = json_object_new_object(), *counts = json_object_new_object();
	int status = 200;

	json_object_object_add(counts, "updated", json_object_new_int(updated));
	json_object_object_add(counts, "unchanged", json_object_new_int(unchanged));
	json_object_object_add(counts, "unknown", json_object_new_int(unknown));
	json_object_object_add(counts, "ignored", json_object_new_int(ignored));
	if (updated == 0 && unknown > 0)
		status = 404;
	else if (updated == 0 && unchanged > 0)
		status = 409;
	if (status == 200) {
		json_object_object_add(out, "ok", json_object_new_boolean(1));
		json_object_object_foreach(counts, k, v)
			json_object_object_add(out, k, json_object_get(v));
		json_object_put(counts);
	} else {
		log_warn("webhook refused", "%s: %s", provider, status == 404 ?
		    "only unknown messages" : "only replays or out-of-order reports");
		json_object_object_add(out, "error", json_object_new_string(status == 404 ?
		    "Unknown message" : "Already recorded"));
		json_object_object_add(out, "details", counts);
	}
	*a = (struct notify_webhook){ .status = status, .json = out };
}

const char *
notify_webhook_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return http_json_text(v);
}

/* The replay guard of signed webhooks (0005). Old digests go first: a request that old is
 * refused by its timestamp before it gets here. */
static struct db_stmt notify_stmt_webhook_purge = DB_STMT("notify_webhook_purge", 3,
	"DELETE FROM webhook_requests WHERE provider = $1"
	" AND received_at < to_timestamp($3::float8) - make_interval(secs => $2)");

static struct db_stmt notify_stmt_webhook_once = DB_STMT("notify_webhook_once", 3,
	"INSERT INTO webhook_requests (provider, digest, received_at)"
	" VALUES ($1, $2, to_timestamp($3::float8))"
	" ON CONFLICT DO NOTHING RETURNING 1");

int
notify_webhook_once(struct db *db, const char *provider, const char *digest,
    long max_age_seconds, double now, bool *fresh)
{
	char age[24], at[32];
	const char *purge[3] = { provider, age, at }, *once[3] = { provider, digest, at };
	PGresult *res = NULL;
	int rc;

	/* twice the window: a clock step on our side must not let a replay through */
	snprintf(age, sizeof age, "%ld", max_age_seconds * 2);
	snprintf(at, sizeof at, "%.6f", now);
	if ((rc = db_query(db, &notify_stmt_webhook_purge, purge, &res)) != DB_OK)
		return rc;
	PQclear(res);
	res = NULL;
	if ((rc = db_query(db, &notify_stmt_webhook_once, once, &res)) != DB_OK)
		return rc;
	*fresh = PQntuples(res) == 1;
	PQclear(res);
	return DB_OK;
}
