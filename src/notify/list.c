/* list.c: `kairos outbox list` — queued and sent messages, for operators and for tests that
 * need the text of a message (a one-time code) that was sent. */
#include "notify/notify.h"
#include "jobs/jobs.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define NOTIFY_LIST_DEFAULT 20

/* A message's attempts are its job's (0016: the job has the message's id); a message sent
 * before 0016, inserted as sent, or whose done job was purged (jobs_purge_done) has none: 0. */
static struct db_stmt notify_stmt_list = DB_STMT("notify_list", 3,
	"SELECT n.id, to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	" n.channel, n.recipient, n.status, coalesce(j.attempts, 0), coalesce(n.provider, ''),"
	" coalesce(n.provider_message_id, ''), coalesce(n.subject, ''), n.body_text,"
	" coalesce(n.last_error, ''), n.event_key"
	" FROM notifications n LEFT JOIN jobs j ON j.id = n.id"
	" WHERE ($1::text IS NULL OR n.recipient = $1) AND ($2::text IS NULL OR n.status = $2)"
	" ORDER BY n.created_at DESC, n.id LIMIT $3");

static const char *const notify_statuses[] = { "queued", "sent", "delivered", "failed", "dead" };

/* The message follows its job back to the queue (jobs_retry_dead_of, in the same
 * transaction); its last error stays until the next outcome replaces it. */
static struct db_stmt notify_stmt_requeued = DB_STMT("notify_requeued", 2,
	"UPDATE notifications SET status = 'queued', updated_at = " DB_NOW(2)
	" WHERE id = $1::uuid AND status = 'dead'");

/* The dead letters are the dead jobs of the queue's, with what their messages were: the
 * newest message first, after dead letter $1 (keyset: web's ?after=); only those of ids $3
 * (an array) when it is given (`kairos jobs --dead`, which lists every kind's). Paged by
 * when the job was queued (the message's created_at), as jobs_dead_letters: when it died
 * moves when a retried message dies again. */
static struct db_stmt notify_stmt_dead = DB_STMT("notify_dead", 3,
	"SELECT n.id, to_char(j.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'),"
	" n.channel, n.recipient, j.attempts, coalesce(n.last_error, ''), n.event_key"
	" FROM jobs j JOIN notifications n ON n.id = j.id"
	" WHERE j.status = 'dead' AND j.kind = '" NOTIFY_JOB_KIND "'"
	" AND ($1::uuid IS NULL OR (j.created_at, j.id) <"
	"  (SELECT created_at, id FROM jobs WHERE id = $1::uuid))"
	" AND ($3::uuid[] IS NULL OR j.id = ANY($3::uuid[]))"
	" ORDER BY j.created_at DESC, j.id DESC LIMIT $2");

int
notify_retry_dead(struct db *db, const char *id, bool *found)
{
	char now[DB_NOW_SIZE];
	const char *params[2] = { id, db_now(now) };
	bool own = !db_in_transaction(db);
	int rc;

	*found = false;
	if (own && (rc = db_exec_simple(db, "BEGIN")) != DB_OK)
		return rc;
	if ((rc = jobs_retry_dead_of(db, NOTIFY_JOB_KIND, id, found)) == DB_OK && *found)
		rc = db_exec(db, &notify_stmt_requeued, params, NULL);
	if (own && rc == DB_OK)
		return db_commit(db);
	if (own)
		db_rollback(db);
	return rc;
}

/* A row of notify_stmt_dead. */
static const struct db_row_map notify_dead_map = DB_ROW_MAP(struct notify_dead,
	DB_COL_TEXT(struct notify_dead, id),
	DB_COL_TEXT(struct notify_dead, when),
	DB_COL_TEXT(struct notify_dead, channel),
	DB_COL_TEXT(struct notify_dead, recipient),
	DB_COL_INT(struct notify_dead, attempts),
	DB_COL_TEXT(struct notify_dead, error),
	DB_COL_TEXT(struct notify_dead, event_key));

static int
notify_dead_query(struct db *db, const char *after, const char *ids, struct notify_dead *rows,
    int max)
{
	char limit[16];
	const char *params[3] = { after, limit, ids };

	snprintf(limit, sizeof limit, "%d", max);
	return db_query_rows(db, &notify_stmt_dead, params, &notify_dead_map, rows, max);
}

int
notify_dead_letters(struct db *db, const char *after, struct notify_dead *rows, int max)
{
	return notify_dead_query(db, after, NULL, rows, max);
}

int
notify_dead_letters_of(struct db *db, const char *ids, struct notify_dead *rows, int max)
{
	return notify_dead_query(db, NULL, ids, rows, max);
}

static int
notify_retry_main(const char *id, struct db *db)
{
	bool found = false;

	if (notify_retry_dead(db, id, &found) != DB_OK) {
		fprintf(stderr, "kairos outbox: %s\n", db->error);
		return 1;
	}
	if (found)
		printf("queued %s again\n", id);
	else
		fprintf(stderr, "kairos outbox: no dead letter %s\n", id);
	return found ? 0 : 1;
}

static int
notify_list_usage(void)
{
	fprintf(stderr, "usage: kairos outbox list [--to ADDRESS] [--status queued|sent|delivered|"
	    "failed|dead] [--limit 1..%d] [--json]\n"
	    "       kairos outbox retry ID    (a dead letter back to the queue)\n", NOTIFY_LIST_MAX);
	return 2;
}

int
notify_outbox_main(int argc, char **argv, struct db *db)
{
	const char *to = NULL, *status = NULL, *params[3];
	static const char *const cols[] = { "id", "createdAt", "channel", "to", "status",
		"attempts", "provider", "providerMessageId", "subject", "body", "lastError",
		"event" };
	long limit = NOTIFY_LIST_DEFAULT;
	bool json = false;
	PGresult *res = NULL;
	char limit_s[16];
	int i;

	if (argc == 3 && strcmp(argv[1], "retry") == 0)
		return notify_retry_main(argv[2], db);
	if (argc < 2 || strcmp(argv[1], "list") != 0)
		return notify_list_usage();
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			status = argv[++i];
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			char *end;

			limit = strtol(argv[++i], &end, 10);
			if (*end != '\0' || limit < 1 || limit > NOTIFY_LIST_MAX)
				return notify_list_usage();
		} else
			return notify_list_usage();
	}
	if (status != NULL && STR_INDEX(notify_statuses, status) < 0)
		return notify_list_usage();
	snprintf(limit_s, sizeof limit_s, "%ld", limit);
	params[0] = to;
	params[1] = status;
	params[2] = limit_s;
	if (db_query(db, &notify_stmt_list, params, &res) != DB_OK) {
		fprintf(stderr, "kairos outbox: %s\n", db->error);
		return 1;
	}
	if (json) {
		struct json_object *arr = json_object_new_array();

		for (int r = 0; r < PQntuples(res); r++) {
			struct json_object *o = json_object_new_object();

			for (int c = 0; c < PQnfields(res); c++)
				json_object_object_add(o, cols[c], c == 5
				    ? json_object_new_int(atoi(PQgetvalue(res, r, c)))
				    : json_object_new_string(PQgetvalue(res, r, c)));
			json_object_array_add(arr, o);
		}
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	} else {
		for (int r = 0; r < PQntuples(res); r++) {
			printf("%s  %s  %-8s %-24s %-7s attempts=%s %s\n", PQgetvalue(res, r, 1),
			    PQgetvalue(res, r, 0), PQgetvalue(res, r, 2), PQgetvalue(res, r, 3),
			    PQgetvalue(res, r, 4), PQgetvalue(res, r, 5), PQgetvalue(res, r, 11));
			if (*PQgetvalue(res, r, 8))
				printf("    subject: %s\n", PQgetvalue(res, r, 8));
			printf("    %s\n", PQgetvalue(res, r, 9));
			if (*PQgetvalue(res, r, 10))
				printf("    last error: %s\n", PQgetvalue(res, r, 10));
		}
		if (PQntuples(res) == 0)
			puts("no messages");
	}
	PQclear(res);
	return 0;
}
