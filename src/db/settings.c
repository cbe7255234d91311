/* settings.c: db's keys — the two connections and their timeouts — and its doctor. */
#include "db/db.h"

#include <stddef.h>

#define F(field) offsetof(struct config, field)

static const struct config_key db_keys[] = {
	{ "KAIROS_DATABASE_URL", CONFIG_STRING, F(database_url), NULL, 0, 0, NULL, true, NULL,
	  "libpq connection string or URI of the PostgreSQL database." },
	{ "KAIROS_ADMIN_DATABASE_URL", CONFIG_STRING, F(admin_database_url), "", 0, 0, NULL, true, NULL,
	  "Connection of the tables' owner, for migrate, seed, jobs (all clinics' messages) and operator commands; empty: KAIROS_DATABASE_URL. `kairos serve` must use a role that owns no table (docs/auth.md)." },
	{ "KAIROS_DB_CONNECT_TIMEOUT", CONFIG_INT, F(db_connect_timeout), "5", 1, 300, NULL, false, NULL,
	  "Seconds to wait for a PostgreSQL connection." },
	{ "KAIROS_STATEMENT_TIMEOUT_MS", CONFIG_INT, F(statement_timeout_ms), "5000", 0, 3600000, NULL, false, NULL,
	  "PostgreSQL statement_timeout for request queries, in milliseconds (0: none)." },
};

const struct config_table db_settings = {
	"db", "The database", CONFIG_KEYS(db_keys), 0, NULL,
};

bool
db_doctor(const struct config *cfg, struct db *db, FILE *out)
{
	(void)cfg;
	if (db_connect(db) != DB_OK) {
		fprintf(out, "✗ database: %s\n", db->error);
		return false;
	}
	fprintf(out, "✓ database: connected\n");
	return true;
}
