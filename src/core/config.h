/* config: the settings of Kairos, from KAIROS_* environment variables and optionally a
 * KEY=VALUE file (--config FILE or KAIROS_CONFIG); the environment wins over the file.
 *
 * Each module declares its own keys in a table (its settings.c: name, type, default,
 * bounds, secret or not, an optional check, documentation, and where the value goes);
 * src/settings.c lists the tables. Core only loads, validates and reports: every key of
 * every table is checked and each problem is one line, so an operator fixes all mistakes in
 * one pass. `kairos config --example` writes .env.example from the same tables, and
 * `kairos config --secrets` names the keys whose values are secret (the test harness's scan
 * of the logs reads it). */
#ifndef KAIROS_CORE_CONFIG_H
#define KAIROS_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"

/* Most tables config_tables may list (src/settings.c has fewer). */
#define CONFIG_TABLES_MAX 32

/* Where the values of the first modules' keys are kept: one field per key, grouped by the
 * table that declares it (its comment names the file). A module written since keeps its
 * values in a struct of its own instead (struct config_table's size, config_values()), and
 * adds nothing here. Strings are owned by the struct and freed by config_free(). */
struct config {
	/* src/core/settings.c */
	char *config_file;	/* KAIROS_CONFIG */
	char *env;		/* KAIROS_ENV: development | test | production */
	char *share_dir;	/* KAIROS_SHARE_DIR: migrations/, templates/, static/ */
	char *log_level;	/* KAIROS_LOG_LEVEL */
	char *default_region;	/* KAIROS_DEFAULT_REGION: the country national phone numbers are read in */
	char *test_clock;	/* KAIROS_TEST_CLOCK: wall clock start for tests; refused in production */
	/* src/db/settings.c */
	char *database_url;	/* KAIROS_DATABASE_URL: a libpq conninfo string or URI */
	char *admin_database_url;	/* KAIROS_ADMIN_DATABASE_URL: the owner's; "" = database_url */
	long  db_connect_timeout;	/* KAIROS_DB_CONNECT_TIMEOUT, seconds */
	long  statement_timeout_ms;	/* KAIROS_STATEMENT_TIMEOUT_MS */
	/* src/auth/settings.c */
	char *jwt_keys;		/* KAIROS_JWT_KEYS: kid:base64key,... (secret) */
	/* src/http/settings.c */
	char *socket_path;	/* KAIROS_SOCKET: the FastCGI unix socket */
	long  socket_mode;	/* KAIROS_SOCKET_MODE */
	long  workers;		/* KAIROS_WORKERS; 0 = one per core */
	long  max_body_bytes;	/* KAIROS_MAX_BODY_BYTES */
	long  shutdown_timeout;	/* KAIROS_SHUTDOWN_TIMEOUT, seconds */
	/* src/web/settings.c */
	bool  debug_routes;	/* KAIROS_DEBUG_ROUTES: test-only routes; refused in production */
	long  port;		/* KAIROS_PORT: nginx's port in ./dev and tests; unused by kairos */
	char *public_url;	/* KAIROS_PUBLIC_URL: how browsers and providers reach us */
	/* src/jobs/settings.c */
	bool  schedule_test_tasks;	/* KAIROS_SCHEDULE_TEST_TASKS: test-only tasks; refused in production */
	long  jobs_keep_days;	/* KAIROS_JOBS_KEEP_DAYS: done jobs are purged this long after */
	/* src/notify/settings.c */
	char *sms_provider;	/* KAIROS_SMS_PROVIDER: outbox | twilio */
	char *twilio_base_url;	/* KAIROS_TWILIO_BASE_URL */
	char *twilio_account_sid;	/* KAIROS_TWILIO_ACCOUNT_SID */
	char *twilio_auth_token;	/* KAIROS_TWILIO_AUTH_TOKEN (secret) */
	char *twilio_from;	/* KAIROS_TWILIO_FROM: E.164 sender or MG... service sid */
	bool  twilio_baa;	/* KAIROS_TWILIO_BAA: a business associate agreement is signed */
	char *email_provider;	/* KAIROS_EMAIL_PROVIDER: outbox | sendgrid | smtp */
	char *email_from;	/* KAIROS_EMAIL_FROM: the sender address */
	char *email_from_name;	/* KAIROS_EMAIL_FROM_NAME: the sender's display name */
	char *sendgrid_base_url;	/* KAIROS_SENDGRID_BASE_URL */
	char *sendgrid_api_key;	/* KAIROS_SENDGRID_API_KEY (secret) */
	bool  sendgrid_baa;	/* KAIROS_SENDGRID_BAA */
	char *sendgrid_webhook_public_key;	/* KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY: base64 DER SPKI */
	char *smtp_url;		/* KAIROS_SMTP_URL: smtp://host:port or smtps://host:port */
	char *smtp_username;	/* KAIROS_SMTP_USERNAME */
	char *smtp_password;	/* KAIROS_SMTP_PASSWORD (secret) */
	bool  smtp_allow_plaintext;	/* KAIROS_SMTP_ALLOW_PLAINTEXT: no STARTTLS (dev/test) */
	bool  smtp_baa;		/* KAIROS_SMTP_BAA */
	char *whatsapp_provider;	/* KAIROS_WHATSAPP_PROVIDER: outbox | twilio | meta | gallabox */
	char *whatsapp_templates;	/* KAIROS_WHATSAPP_TEMPLATES: kairos-name=provider-id,... */
	char *twilio_whatsapp_from;	/* KAIROS_TWILIO_WHATSAPP_FROM: whatsapp:+E164 or MG... */
	char *meta_base_url;	/* KAIROS_META_WHATSAPP_BASE_URL */
	char *meta_api_version;	/* KAIROS_META_WHATSAPP_API_VERSION: "21.0" (v{N} in URLs) */
	char *meta_phone_number_id;	/* KAIROS_META_WHATSAPP_PHONE_NUMBER_ID */
	char *meta_access_token;	/* KAIROS_META_WHATSAPP_ACCESS_TOKEN (secret) */
	char *meta_app_secret;	/* KAIROS_META_WHATSAPP_APP_SECRET (secret): webhook signatures */
	char *meta_verify_token;	/* KAIROS_META_WHATSAPP_VERIFY_TOKEN (secret): webhook handshake */
	char *meta_language;	/* KAIROS_META_WHATSAPP_LANGUAGE: template language code */
	bool  meta_baa;		/* KAIROS_META_WHATSAPP_BAA */
	char *gallabox_base_url;	/* KAIROS_GALLABOX_BASE_URL */
	char *gallabox_api_key;	/* KAIROS_GALLABOX_API_KEY (secret) */
	char *gallabox_api_secret;	/* KAIROS_GALLABOX_API_SECRET (secret) */
	char *gallabox_channel_id;	/* KAIROS_GALLABOX_CHANNEL_ID */
	bool  gallabox_baa;	/* KAIROS_GALLABOX_BAA */
	long  provider_timeout_ms;	/* KAIROS_PROVIDER_TIMEOUT_MS */
	long  notify_backoff_seconds;	/* KAIROS_NOTIFY_BACKOFF_SECONDS: first retry delay */
	long  notify_lease_seconds;	/* KAIROS_NOTIFY_LEASE_SECONDS */
	long  notify_concurrency;	/* KAIROS_NOTIFY_CONCURRENCY: sends in flight per runner */
	char *provider_rate_limits;	/* KAIROS_PROVIDER_RATE_LIMITS: twilio=50,sendgrid=600,... */

	/* The tables loaded (config_tables), and the values of those that keep their own
	 * struct, by the table's place in the list (NULL for the others). Owned; read them
	 * with config_values(). */
	const struct config_table *const *tables;
	void *values[CONFIG_TABLES_MAX];
};

enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_OCTAL, CONFIG_BOOL, CONFIG_ENUM };

struct config_key;

/* A key's own rule, run once every key is read (so it may look at another key, such as
 * KAIROS_ENV, in cfg). value points at the key's value: char * for strings and choices,
 * long for numbers, bool for booleans. 0, or -1 with one line "KEY: why\n" in errors. */
typedef int config_check_fn(const struct config *cfg, const struct config_key *k,
    const void *value, struct buf *errors);

struct config_key {
	const char       *name;		/* KAIROS_... */
	enum config_type  type;
	size_t            offset;	/* of the value in its table's struct */
	const char       *def;		/* default as text; NULL: required */
	long              min, max;	/* CONFIG_INT bounds */
	const char       *choices;	/* CONFIG_ENUM: "a|b|c" */
	bool              secret;	/* masked when printed; the harness scans logs for it */
	config_check_fn  *check;	/* NULL: the type and bounds are the whole rule */
	const char       *doc;		/* one paragraph for .env.example */
};

/* One module's keys. */
struct config_table {
	const char              *module;	/* "notify": its directory under src/ */
	const char              *title;	/* .env.example's heading of the module's keys */
	const struct config_key *keys;
	size_t                   nkeys;
	/* 0: offsets are into struct config. Otherwise the size of the module's own struct of
	 * values, which config_load allocates and config_values() returns. */
	size_t                   size;
	/* Rules across the module's keys (a provider and what it needs): problems found, each
	 * one line in errors. NULL: none. values: as config_values() gives them. */
	int                    (*check)(const struct config *cfg, const void *values,
	                             struct buf *errors);
};

#define CONFIG_KEYS(keys) (keys), (sizeof (keys) / sizeof (keys)[0])

/* Every module's table, NULL-terminated, in the order .env.example lists them (src/settings.c). */
extern const struct config_table *const config_tables[];

/* Loads defaults, then `file` (NULL: KAIROS_CONFIG if set), then the environment, for every
 * table of config_tables. Returns the number of problems found; each is one line appended
 * to `errors`. On success (0) cfg is complete; on failure call config_free() all the same. */
int  config_load(struct config *cfg, const char *file, struct buf *errors);
/* config_load with a list of tables of one's own (NULL-terminated; unit tests). */
int  config_load_tables(struct config *cfg, const struct config_table *const *tables,
    const char *file, struct buf *errors);
void config_free(struct config *cfg);
/* config_load for long-running processes: each problem becomes one "configuration
 * invalid" log line. 0, or -1 (cfg then freed). */
int  config_load_logged(struct config *cfg, const char *file);
/* Tests only: starts the wall clock at KAIROS_TEST_CLOCK when set (config refuses it in
 * production), and with `share` (a serve master, before forking) shares the clock with the
 * workers when it or the debug routes are on, so /_debug/clock moves it in all of them. */
void config_start_test_clock(const struct config *cfg, bool share);

/* The values of a table that keeps its own struct (t->size > 0), filled by config_load;
 * of any other table, cfg itself. Borrowed from cfg. */
const void *config_values(const struct config *cfg, const struct config_table *t);

/* Whether KAIROS_ENV is production. */
bool config_production(const struct config *cfg);
/* A check for keys that only tests may turn on: refused when KAIROS_ENV=production. */
config_check_fn config_check_not_production;
/* The text of a CONFIG_STRING key's value, as a check receives it. */
#define CONFIG_TEXT(value) (*(char *const *)(value))
/* A check's refusal of text: `NAME: "text" why` in errors; returns -1. */
int config_refuse(const struct config_key *k, const char *text, const char *why,
	struct buf *errors);

/* The owner's connection (KAIROS_ADMIN_DATABASE_URL, else KAIROS_DATABASE_URL). Borrowed. */
const char *config_admin_database_url(const struct config *cfg);

/* Writes KEY=value lines of the effective configuration, secrets masked. */
void config_print(const struct config *cfg, FILE *out);
/* Writes every key with its documentation and default: .env.example. */
void config_print_example(FILE *out);
/* Writes the name of every key whose value is secret, one a line. */
void config_print_secrets(FILE *out);

/* Core's own keys (src/core/settings.c). */
extern const struct config_table core_settings;

#endif
