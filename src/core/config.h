/* config: every setting of Kairos, from KAIROS_* environment variables and optionally a
 * KEY=VALUE file (--config FILE or KAIROS_CONFIG); the environment wins over the file.
 *
 * One table (config.c) names each key, its type, default, bounds and documentation;
 * loading validates every key and reports one clear message per bad one, so an operator
 * fixes all mistakes in one pass. `.env.example` documents the same table. */
#ifndef KAIROS_CORE_CONFIG_H
#define KAIROS_CORE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"

/* Strings are owned by the struct and freed by config_free(). */
struct config {
	char *config_file;	/* KAIROS_CONFIG */
	char *env;		/* KAIROS_ENV: development | test | production */
	char *database_url;	/* KAIROS_DATABASE_URL: a libpq conninfo string or URI */
	char *admin_database_url;	/* KAIROS_ADMIN_DATABASE_URL: the owner's; "" = database_url */
	char *jwt_keys;		/* KAIROS_JWT_KEYS: kid:base64key,... (secret) */
	char *socket_path;	/* KAIROS_SOCKET: the FastCGI unix socket */
	long  socket_mode;	/* KAIROS_SOCKET_MODE */
	long  workers;		/* KAIROS_WORKERS; 0 = one per core */
	char *share_dir;	/* KAIROS_SHARE_DIR: migrations/, templates/, static/ */
	long  max_body_bytes;	/* KAIROS_MAX_BODY_BYTES */
	long  shutdown_timeout;	/* KAIROS_SHUTDOWN_TIMEOUT, seconds */
	long  db_connect_timeout;	/* KAIROS_DB_CONNECT_TIMEOUT, seconds */
	long  statement_timeout_ms;	/* KAIROS_STATEMENT_TIMEOUT_MS */
	char *log_level;	/* KAIROS_LOG_LEVEL */
	bool  debug_routes;	/* KAIROS_DEBUG_ROUTES: test-only routes; refused in production */
	long  port;		/* KAIROS_PORT: nginx's port in ./dev and tests; unused by kairos */
	char *public_url;	/* KAIROS_PUBLIC_URL: how browsers and providers reach us */
	char *default_region;	/* KAIROS_DEFAULT_REGION: the country national phone numbers are read in */
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
	char *gallabox_api_key;	/* KAIROS_GALLABOX_API_KEY */
	char *gallabox_api_secret;	/* KAIROS_GALLABOX_API_SECRET (secret) */
	char *gallabox_channel_id;	/* KAIROS_GALLABOX_CHANNEL_ID */
	bool  gallabox_baa;	/* KAIROS_GALLABOX_BAA */
	long  provider_timeout_ms;	/* KAIROS_PROVIDER_TIMEOUT_MS */
	long  notify_backoff_seconds;	/* KAIROS_NOTIFY_BACKOFF_SECONDS: first retry delay */
	long  notify_lease_seconds;	/* KAIROS_NOTIFY_LEASE_SECONDS */
	bool  schedule_test_tasks;	/* KAIROS_SCHEDULE_TEST_TASKS: test-only tasks; refused in production */
	char *test_clock;	/* KAIROS_TEST_CLOCK: wall clock start for tests; refused in production */
	long  notify_concurrency;	/* KAIROS_NOTIFY_CONCURRENCY: sends in flight per runner */
	char *provider_rate_limits;	/* KAIROS_PROVIDER_RATE_LIMITS: twilio=50,sendgrid=600,... */
};

/* Highest rate KAIROS_PROVIDER_RATE_LIMITS may give one provider (messages per second):
 * beyond any provider's documented limit, and still a whole number of microseconds apart. */
#define CONFIG_RATE_LIMIT_MAX 100000

/* Loads defaults, then `file` (NULL: KAIROS_CONFIG if set), then the environment.
 * Returns the number of problems found; each is one line appended to `errors`.
 * On success (0) cfg is complete; on failure call config_free() all the same. */
int  config_load(struct config *cfg, const char *file, struct buf *errors);
void config_free(struct config *cfg);
/* config_load for long-running processes: each problem becomes one "configuration
 * invalid" log line. 0, or -1 (cfg then freed). */
int  config_load_logged(struct config *cfg, const char *file);
/* Tests only: starts the wall clock at KAIROS_TEST_CLOCK when set (config refuses it in
 * production), and with `share` (a serve master, before forking) shares the clock with the
 * workers when it or the debug routes are on, so /_debug/clock moves it in all of them. */
void config_start_test_clock(const struct config *cfg, bool share);

/* The rate KAIROS_PROVIDER_RATE_LIMITS gives provider (by name: twilio, sendgrid, smtp,
 * meta, gallabox), in messages per second per runner; 0 when it gives none (unlimited). */
long config_rate_limit(const struct config *cfg, const char *provider);

/* The owner's connection (KAIROS_ADMIN_DATABASE_URL, else KAIROS_DATABASE_URL). Borrowed. */
const char *config_admin_database_url(const struct config *cfg);

/* Writes KEY=value lines of the effective configuration, secrets masked. */
void config_print(const struct config *cfg, FILE *out);
/* Writes every key with its documentation and default, in .env.example format. */
void config_print_example(FILE *out);

#endif
