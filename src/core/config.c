#include "core/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/phone.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifndef KAIROS_PKGDATADIR
#define KAIROS_PKGDATADIR "/usr/local/share/kairos"
#endif

/* A config file is a handful of lines; anything bigger is not a config file. */
#define CONFIG_FILE_MAX_BYTES  (64 * 1024)
#define CONFIG_LINE_MAX        4096
#define CONFIG_PREFIX          "KAIROS_"

extern char **environ;

enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_OCTAL, CONFIG_BOOL, CONFIG_ENUM };

struct config_key {
	const char       *name;
	enum config_type  type;
	size_t            offset;	/* of the field in struct config */
	const char       *def;		/* default as text; NULL: required */
	long              min, max;	/* CONFIG_INT bounds */
	const char       *choices;	/* CONFIG_ENUM: "a|b|c" */
	bool              secret;	/* masked when printed */
	const char       *doc;
};

#define F(field) offsetof(struct config, field)

static const struct config_key config_keys[] = {
	{ "KAIROS_CONFIG", CONFIG_STRING, F(config_file), "", 0, 0, NULL, false,
	  "Optional KEY=VALUE file read before the environment (same as --config FILE)." },
	{ "KAIROS_ENV", CONFIG_ENUM, F(env), "production", 0, 0,
	  "development|test|production", false,
	  "Deployment kind. Debug routes are refused in production." },
	{ "KAIROS_DATABASE_URL", CONFIG_STRING, F(database_url), NULL, 0, 0, NULL, true,
	  "libpq connection string or URI of the PostgreSQL database." },
	{ "KAIROS_ADMIN_DATABASE_URL", CONFIG_STRING, F(admin_database_url), "", 0, 0, NULL, true,
	  "Connection of the tables' owner, for migrate, seed, jobs (all clinics' messages) and operator commands; empty: KAIROS_DATABASE_URL. `kairos serve` must use a role that owns no table (docs/auth.md)." },
	{ "KAIROS_JWT_KEYS", CONFIG_STRING, F(jwt_keys), "", 0, 0, NULL, true,
	  "Access-token keys, kid:base64key[,kid:base64key...], each 32-64 random bytes; the first signs, all verify (rotation). Required by `kairos serve`." },
	{ "KAIROS_SOCKET", CONFIG_STRING, F(socket_path), "/run/kairos/kairos.sock", 0, 0, NULL, false,
	  "Path of the FastCGI unix socket that nginx connects to." },
	{ "KAIROS_SOCKET_MODE", CONFIG_OCTAL, F(socket_mode), "0660", 0, 0777, NULL, false,
	  "Permissions of the FastCGI socket (octal)." },
	{ "KAIROS_WORKERS", CONFIG_INT, F(workers), "0", 0, 256, NULL, false,
	  "Number of worker processes; 0 means one per CPU core." },
	{ "KAIROS_SHARE_DIR", CONFIG_STRING, F(share_dir), KAIROS_PKGDATADIR, 0, 0, NULL, false,
	  "Directory holding migrations/, templates/ and static/." },
	{ "KAIROS_MAX_BODY_BYTES", CONFIG_INT, F(max_body_bytes), "1048576", 1024, 64L * 1024 * 1024,
	  NULL, false,
	  "Largest request body accepted; larger ones get 413. Keep nginx's client_max_body_size above it." },
	{ "KAIROS_SHUTDOWN_TIMEOUT", CONFIG_INT, F(shutdown_timeout), "30", 1, 3600, NULL, false,
	  "Seconds in-flight requests get to finish on SIGTERM before workers are killed." },
	{ "KAIROS_DB_CONNECT_TIMEOUT", CONFIG_INT, F(db_connect_timeout), "5", 1, 300, NULL, false,
	  "Seconds to wait for a PostgreSQL connection." },
	{ "KAIROS_STATEMENT_TIMEOUT_MS", CONFIG_INT, F(statement_timeout_ms), "5000", 0, 3600000,
	  NULL, false,
	  "PostgreSQL statement_timeout for request queries, in milliseconds (0: none)." },
	{ "KAIROS_LOG_LEVEL", CONFIG_ENUM, F(log_level), "info", 0, 0, "debug|info|warn|error", false,
	  "Lowest level of log line written to stderr." },
	{ "KAIROS_DEBUG_ROUTES", CONFIG_BOOL, F(debug_routes), "false", 0, 0, NULL, false,
	  "Enables /_debug/* routes used by the test suite. Never in production." },
	{ "KAIROS_PORT", CONFIG_INT, F(port), "8080", 1, 65535, NULL, false,
	  "Port nginx listens on in ./dev and the tests (kairos itself speaks FastCGI only)." },
	{ "KAIROS_PUBLIC_URL", CONFIG_STRING, F(public_url), "http://127.0.0.1:8080", 0, 0, NULL, false,
	  "Base URL patients and providers reach Kairos at (no trailing slash). Webhook signatures are checked against it, never against the Host header." },
	{ "KAIROS_DEFAULT_REGION", CONFIG_STRING, F(default_region), "AU", 0, 0, NULL, false,
	  "The clinic's country (ISO 3166-1 alpha-2, e.g. AU, NZ, IN, GB, US): a phone number typed without a country code (0412 345 678) is read as this country's. Numbers are stored in E.164 either way." },
	{ "KAIROS_SMS_PROVIDER", CONFIG_ENUM, F(sms_provider), "outbox", 0, 0, "outbox|twilio", false,
	  "Who sends SMS. outbox: stored and shown by `kairos outbox list`, never sent (development)." },
	{ "KAIROS_TWILIO_BASE_URL", CONFIG_STRING, F(twilio_base_url), "https://api.twilio.com", 0, 0,
	  NULL, false, "Twilio API base URL (tests point it at t/fakes/twilio)." },
	{ "KAIROS_TWILIO_ACCOUNT_SID", CONFIG_STRING, F(twilio_account_sid), "", 0, 0, NULL, false,
	  "Twilio Account SID (AC...). Required with KAIROS_SMS_PROVIDER=twilio." },
	{ "KAIROS_TWILIO_AUTH_TOKEN", CONFIG_STRING, F(twilio_auth_token), "", 0, 0, NULL, true,
	  "Twilio auth token. Required with KAIROS_SMS_PROVIDER=twilio." },
	{ "KAIROS_TWILIO_FROM", CONFIG_STRING, F(twilio_from), "", 0, 0, NULL, false,
	  "Sender: an E.164 number, or a Messaging Service SID (MG...)." },
	{ "KAIROS_TWILIO_BAA", CONFIG_BOOL, F(twilio_baa), "false", 0, 0, NULL, false,
	  "true only with a signed business associate agreement; until then messages through Twilio use the PHI-free templates." },
	{ "KAIROS_EMAIL_PROVIDER", CONFIG_ENUM, F(email_provider), "outbox", 0, 0, "outbox|sendgrid|smtp",
	  false,
	  "Who sends email. outbox: stored and shown by `kairos outbox list`, never sent (development); sendgrid: SendGrid's v3 Mail Send API; smtp: any SMTP server (STARTTLS required)." },
	{ "KAIROS_EMAIL_FROM", CONFIG_STRING, F(email_from), "", 0, 0, NULL, false,
	  "Sender address of every email (e.g. clinic@example.com). Required with KAIROS_EMAIL_PROVIDER=sendgrid or smtp." },
	{ "KAIROS_EMAIL_FROM_NAME", CONFIG_STRING, F(email_from_name), "Kairos", 0, 0, NULL, false,
	  "Sender display name of every email." },
	{ "KAIROS_SENDGRID_BASE_URL", CONFIG_STRING, F(sendgrid_base_url), "https://api.sendgrid.com", 0, 0,
	  NULL, false,
	  "SendGrid API base URL (https://api.eu.sendgrid.com for EU regional subusers; tests point it at t/fakes/sendgrid)." },
	{ "KAIROS_SENDGRID_API_KEY", CONFIG_STRING, F(sendgrid_api_key), "", 0, 0, NULL, true,
	  "SendGrid API key (SG....) with the mail.send scope. Required with KAIROS_EMAIL_PROVIDER=sendgrid." },
	{ "KAIROS_SENDGRID_BAA", CONFIG_BOOL, F(sendgrid_baa), "false", 0, 0, NULL, false,
	  "true only with a signed business associate agreement with SendGrid; until then email through SendGrid uses the PHI-free templates." },
	{ "KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY", CONFIG_STRING, F(sendgrid_webhook_public_key), "", 0, 0,
	  NULL, false,
	  "Verification key of SendGrid's signed Event Webhook (base64 DER, as SendGrid shows it). Empty: /webhooks/sendgrid/events answers 404." },
	{ "KAIROS_SMTP_URL", CONFIG_STRING, F(smtp_url), "", 0, 0, NULL, false,
	  "SMTP server: smtp://host:587 (STARTTLS, required) or smtps://host:465 (TLS from the start). Required with KAIROS_EMAIL_PROVIDER=smtp." },
	{ "KAIROS_SMTP_USERNAME", CONFIG_STRING, F(smtp_username), "", 0, 0, NULL, false,
	  "SMTP login; empty: no AUTH." },
	{ "KAIROS_SMTP_PASSWORD", CONFIG_STRING, F(smtp_password), "", 0, 0, NULL, true,
	  "SMTP password." },
	{ "KAIROS_SMTP_ALLOW_PLAINTEXT", CONFIG_BOOL, F(smtp_allow_plaintext), "false", 0, 0, NULL, false,
	  "true lets smtp:// go without STARTTLS: only for a local development or test server. Refused in production unless the server is on the loopback interface (a local relay)." },
	{ "KAIROS_SMTP_BAA", CONFIG_BOOL, F(smtp_baa), "false", 0, 0, NULL, false,
	  "true only with a business associate agreement covering the SMTP service; until then email through it uses the PHI-free templates." },
	{ "KAIROS_WHATSAPP_PROVIDER", CONFIG_ENUM, F(whatsapp_provider), "outbox", 0, 0,
	  "outbox|twilio|meta|gallabox", false,
	  "Who sends WhatsApp messages. outbox: stored and shown by `kairos outbox list`, never sent (development). twilio uses the KAIROS_TWILIO_* account." },
	{ "KAIROS_WHATSAPP_TEMPLATES", CONFIG_STRING, F(whatsapp_templates), "", 0, 0, NULL, false,
	  "Provider template of each Kairos WhatsApp template, as NAME=ID pairs separated by commas (e.g. otp=HX0123...,appointment-confirmed.phi-free=appt_generic). Unlisted: Meta and Gallabox use NAME with - and . as _; Twilio needs a ContentSid (HX...) for every template it sends." },
	{ "KAIROS_TWILIO_WHATSAPP_FROM", CONFIG_STRING, F(twilio_whatsapp_from), "", 0, 0, NULL, false,
	  "WhatsApp sender through Twilio: whatsapp:+E164 (or a Messaging Service SID, MG...). Required with KAIROS_WHATSAPP_PROVIDER=twilio." },
	{ "KAIROS_META_WHATSAPP_BASE_URL", CONFIG_STRING, F(meta_base_url), "https://graph.facebook.com",
	  0, 0, NULL, false, "Meta Graph API base URL (tests point it at t/fakes/meta_whatsapp)." },
	{ "KAIROS_META_WHATSAPP_API_VERSION", CONFIG_STRING, F(meta_api_version), "21.0", 0, 0, NULL, false,
	  "Graph API version used in URLs as v{N} (e.g. 21.0)." },
	{ "KAIROS_META_WHATSAPP_PHONE_NUMBER_ID", CONFIG_STRING, F(meta_phone_number_id), "", 0, 0, NULL, false,
	  "The WhatsApp Business phone number ID (digits) messages are sent from. Required with KAIROS_WHATSAPP_PROVIDER=meta." },
	{ "KAIROS_META_WHATSAPP_ACCESS_TOKEN", CONFIG_STRING, F(meta_access_token), "", 0, 0, NULL, true,
	  "A system user access token with whatsapp_business_messaging. Required with KAIROS_WHATSAPP_PROVIDER=meta." },
	{ "KAIROS_META_WHATSAPP_APP_SECRET", CONFIG_STRING, F(meta_app_secret), "", 0, 0, NULL, true,
	  "The Meta app secret: webhooks are verified with X-Hub-Signature-256 against it. Required with KAIROS_WHATSAPP_PROVIDER=meta." },
	{ "KAIROS_META_WHATSAPP_VERIFY_TOKEN", CONFIG_STRING, F(meta_verify_token), "", 0, 0, NULL, true,
	  "The token entered in Meta's webhook settings, echoed in the subscription handshake. Required with KAIROS_WHATSAPP_PROVIDER=meta." },
	{ "KAIROS_META_WHATSAPP_LANGUAGE", CONFIG_STRING, F(meta_language), "en_US", 0, 0, NULL, false,
	  "Language code of the approved templates (Meta's template language, e.g. en_US, en_GB)." },
	{ "KAIROS_META_WHATSAPP_BAA", CONFIG_BOOL, F(meta_baa), "false", 0, 0, NULL, false,
	  "true only with a signed business associate agreement with Meta; until then WhatsApp messages use the PHI-free templates." },
	{ "KAIROS_GALLABOX_BASE_URL", CONFIG_STRING, F(gallabox_base_url), "https://server.gallabox.com/devapi",
	  0, 0, NULL, false, "Gallabox developer API base URL (tests point it at t/fakes/gallabox)." },
	{ "KAIROS_GALLABOX_API_KEY", CONFIG_STRING, F(gallabox_api_key), "", 0, 0, NULL, false,
	  "Gallabox API key. Required with KAIROS_WHATSAPP_PROVIDER=gallabox." },
	{ "KAIROS_GALLABOX_API_SECRET", CONFIG_STRING, F(gallabox_api_secret), "", 0, 0, NULL, true,
	  "Gallabox API secret. Required with KAIROS_WHATSAPP_PROVIDER=gallabox." },
	{ "KAIROS_GALLABOX_CHANNEL_ID", CONFIG_STRING, F(gallabox_channel_id), "", 0, 0, NULL, false,
	  "The Gallabox WhatsApp channel messages go out on. Required with KAIROS_WHATSAPP_PROVIDER=gallabox." },
	{ "KAIROS_GALLABOX_BAA", CONFIG_BOOL, F(gallabox_baa), "false", 0, 0, NULL, false,
	  "true only with a signed business associate agreement with Gallabox; until then WhatsApp messages use the PHI-free templates." },
	{ "KAIROS_PROVIDER_TIMEOUT_MS", CONFIG_INT, F(provider_timeout_ms), "10000", 100, 120000,
	  NULL, false, "Timeout of one call to a messaging provider, in milliseconds." },
	{ "KAIROS_NOTIFY_BACKOFF_SECONDS", CONFIG_INT, F(notify_backoff_seconds), "5", 1, 3600,
	  NULL, false,
	  "Delay before the first retry of a failed send; doubled per attempt (capped at 1 h), with jitter." },
	{ "KAIROS_NOTIFY_LEASE_SECONDS", CONFIG_INT, F(notify_lease_seconds), "60", 1, 3600, NULL, false,
	  "How long a job runner holds messages it claimed; a runner that dies frees them after this. Keep it above KAIROS_PROVIDER_TIMEOUT_MS." },
	{ "KAIROS_SCHEDULE_TEST_TASKS", CONFIG_BOOL, F(schedule_test_tasks), "false", 0, 0, NULL, false,
	  "Adds the test suite's scheduled tasks to `kairos jobs` (test-tick every second; test-slow and test-fail on demand). Never in production." },
	{ "KAIROS_TEST_CLOCK", CONFIG_STRING, F(test_clock), "", 0, 0, NULL, false,
	  "Starts the wall clock of `kairos serve` and `kairos jobs` at this UTC instant (2026-10-04T01:30:00Z, or epoch seconds); it runs on from there, and POST /_debug/clock moves it in every worker. Empty: the real clock. For tests; never in production." },
	{ "KAIROS_NOTIFY_CONCURRENCY", CONFIG_INT, F(notify_concurrency), "16", 1, 256, NULL, false,
	  "Sends one job runner has in flight at once (threads, each keeping its provider connection alive). A provider answers in 100-500 ms, so one at a time caps a runner at a few messages a second. Keep 2 x KAIROS_PROVIDER_TIMEOUT_MS below KAIROS_NOTIFY_LEASE_SECONDS: no send starts after half the lease." },
	{ "KAIROS_PROVIDER_RATE_LIMITS", CONFIG_STRING, F(provider_rate_limits), "", 0, 0, NULL, false,
	  "Most messages per second each job runner hands to a provider, as NAME=N pairs separated by commas (e.g. twilio=50,sendgrid=600,meta=80,gallabox=20,smtp=10); names: twilio (SMS and WhatsApp), sendgrid, smtp, meta, gallabox. Unlisted or empty: unlimited. The limit is per runner: with several runners, divide the provider's limit by their number (docs/operations.md)." },
};

#define CONFIG_NKEYS (sizeof config_keys / sizeof config_keys[0])

static const struct config_key *
config_find(const char *name, size_t len)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (strlen(config_keys[i].name) == len && memcmp(config_keys[i].name, name, len) == 0)
			return &config_keys[i];
	return NULL;
}

static bool
config_enum_allows(const char *choices, const char *value)
{
	size_t n = strlen(value);
	const char *p = choices;

	while (*p) {
		const char *end = strchr(p, '|');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, value, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

static int
config_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return (*out = true), 0;
		if (strcasecmp(v, no[i]) == 0)
			return (*out = false), 0;
	}
	return -1;
}

/* Sets one key from text; on a bad value appends a message naming where it came from. */
static int
config_set(struct config *cfg, const struct config_key *k, const char *value,
    const char *origin, struct buf *errors)
{
	char *field = (char *)cfg + k->offset;
	char *end;
	long n;

	switch (k->type) {
	case CONFIG_STRING:
	case CONFIG_ENUM:
		if (k->type == CONFIG_ENUM && !config_enum_allows(k->choices, value)) {
			buf_printf(errors, "%s (%s): \"%s\" is not one of %s\n",
			    k->name, origin, value, k->choices);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case CONFIG_INT:
	case CONFIG_OCTAL:
		errno = 0;
		n = strtol(value, &end, k->type == CONFIG_OCTAL ? 8 : 10);
		if (*value == '\0' || *end != '\0' || errno != 0) {
			buf_printf(errors, "%s (%s): \"%s\" is not a whole number%s\n",
			    k->name, origin, value, k->type == CONFIG_OCTAL ? " in octal" : "");
			return -1;
		}
		if (n < k->min || n > k->max) {
			buf_printf(errors, "%s (%s): %ld is outside %ld..%ld\n",
			    k->name, origin, n, k->min, k->max);
			return -1;
		}
		*(long *)field = n;
		return 0;
	case CONFIG_BOOL:
		if (config_parse_bool(value, (bool *)field) < 0) {
			buf_printf(errors, "%s (%s): \"%s\" is not true or false\n",
			    k->name, origin, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

static char *
config_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Reads KEY=VALUE lines; "export " prefixes, comments and quotes as in a shell env file. */
static int
config_read_file(struct config *cfg, const char *path, bool *from_file, struct buf *errors)
{
	char line[CONFIG_LINE_MAX], origin[CONFIG_LINE_MAX + 32];
	unsigned lineno = 0;
	int problems = 0;
	long size;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(errors, "config file %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > CONFIG_FILE_MAX_BYTES) {
		buf_printf(errors, "config file %s: larger than %d bytes\n", path, CONFIG_FILE_MAX_BYTES);
		fclose(f);
		return 1;
	}
	rewind(f);
	while (fgets(line, sizeof line, f) != NULL) {
		const struct config_key *k;
		char *s, *eq, *key, *value;
		size_t vlen;

		lineno++;
		snprintf(origin, sizeof origin, "%s line %u", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			buf_printf(errors, "%s: line too long\n", origin);
			problems++;
			break;
		}
		s = config_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "export ", 7) == 0)
			s = config_trim(s + 7);
		if ((eq = strchr(s, '=')) == NULL) {
			buf_printf(errors, "%s: expected KEY=VALUE\n", origin);
			problems++;
			continue;
		}
		*eq = '\0';
		key = config_trim(s);
		value = config_trim(eq + 1);
		vlen = strlen(value);
		if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
			value[vlen - 1] = '\0';
			value++;
		}
		if ((k = config_find(key, strlen(key))) == NULL) {
			buf_printf(errors, "%s: unknown key %s\n", origin, key);
			problems++;
			continue;
		}
		if (config_set(cfg, k, value, origin, errors) < 0)
			problems++;
		else
			from_file[k - config_keys] = true;
	}
	fclose(f);
	return problems;
}

/* Keys a provider cannot work without, checked when a channel is set to that provider. */
static const struct config_need {
	const char *provider_key, *provider, *name;
	size_t      provider_off, off;
} config_needs[] = {
	{ "KAIROS_SMS_PROVIDER", "twilio", "KAIROS_TWILIO_ACCOUNT_SID", F(sms_provider), F(twilio_account_sid) },
	{ "KAIROS_SMS_PROVIDER", "twilio", "KAIROS_TWILIO_AUTH_TOKEN", F(sms_provider), F(twilio_auth_token) },
	{ "KAIROS_SMS_PROVIDER", "twilio", "KAIROS_TWILIO_FROM", F(sms_provider), F(twilio_from) },
	{ "KAIROS_WHATSAPP_PROVIDER", "twilio", "KAIROS_TWILIO_ACCOUNT_SID", F(whatsapp_provider), F(twilio_account_sid) },
	{ "KAIROS_WHATSAPP_PROVIDER", "twilio", "KAIROS_TWILIO_AUTH_TOKEN", F(whatsapp_provider), F(twilio_auth_token) },
	{ "KAIROS_WHATSAPP_PROVIDER", "twilio", "KAIROS_TWILIO_WHATSAPP_FROM", F(whatsapp_provider), F(twilio_whatsapp_from) },
	{ "KAIROS_WHATSAPP_PROVIDER", "meta", "KAIROS_META_WHATSAPP_PHONE_NUMBER_ID", F(whatsapp_provider), F(meta_phone_number_id) },
	{ "KAIROS_WHATSAPP_PROVIDER", "meta", "KAIROS_META_WHATSAPP_ACCESS_TOKEN", F(whatsapp_provider), F(meta_access_token) },
	{ "KAIROS_WHATSAPP_PROVIDER", "meta", "KAIROS_META_WHATSAPP_APP_SECRET", F(whatsapp_provider), F(meta_app_secret) },
	{ "KAIROS_WHATSAPP_PROVIDER", "meta", "KAIROS_META_WHATSAPP_VERIFY_TOKEN", F(whatsapp_provider), F(meta_verify_token) },
	{ "KAIROS_WHATSAPP_PROVIDER", "gallabox", "KAIROS_GALLABOX_API_KEY", F(whatsapp_provider), F(gallabox_api_key) },
	{ "KAIROS_WHATSAPP_PROVIDER", "gallabox", "KAIROS_GALLABOX_API_SECRET", F(whatsapp_provider), F(gallabox_api_secret) },
	{ "KAIROS_WHATSAPP_PROVIDER", "gallabox", "KAIROS_GALLABOX_CHANNEL_ID", F(whatsapp_provider), F(gallabox_channel_id) },
	{ "KAIROS_EMAIL_PROVIDER", "sendgrid", "KAIROS_SENDGRID_API_KEY", F(email_provider), F(sendgrid_api_key) },
	{ "KAIROS_EMAIL_PROVIDER", "sendgrid", "KAIROS_EMAIL_FROM", F(email_provider), F(email_from) },
	{ "KAIROS_EMAIL_PROVIDER", "smtp", "KAIROS_SMTP_URL", F(email_provider), F(smtp_url) },
	{ "KAIROS_EMAIL_PROVIDER", "smtp", "KAIROS_EMAIL_FROM", F(email_provider), F(email_from) },
};

#define CONFIG_FIELD(cfg, off) (*(char *const *)((const char *)(cfg) + (off)))

/* Whether s is NAME=ID[,NAME=ID...]: names of a-z 0-9 - . and ids of A-Z a-z 0-9 _ - . */
static bool
config_template_map_ok(const char *s)
{
	const char *p = s;

	if (*p == '\0')
		return true;
	for (;;) {
		size_t name = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-."), id;

		if (name == 0 || p[name] != '=')
			return false;
		p += name + 1;
		id = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");
		if (id == 0)
			return false;
		p += id;
		if (*p == '\0')
			return true;
		if (*p++ != ',')
			return false;
	}
}

/* Providers KAIROS_PROVIDER_RATE_LIMITS may name (notify/providers.c's names). */
static const char *const config_rate_providers[] = { "twilio", "sendgrid", "smtp", "meta", "gallabox" };

/* Walks NAME=N[,NAME=N...]: for each pair, its name (len bytes) and rate. 0 when the whole
 * text is well formed (names known, each once; rates 1..CONFIG_RATE_LIMIT_MAX), else -1
 * with the reason in errors. *rate gets the rate of `want` (0 when unlisted). */
static int
config_rate_walk(const char *s, const char *want, long *rate, struct buf *errors)
{
	bool seen[sizeof config_rate_providers / sizeof *config_rate_providers] = { false };
	const char *p = s;

	*rate = 0;
	while (*p != '\0') {
		size_t name = strspn(p, "abcdefghijklmnopqrstuvwxyz"), i;
		char *end;
		long n;

		for (i = 0; i < sizeof config_rate_providers / sizeof *config_rate_providers; i++)
			if (strlen(config_rate_providers[i]) == name &&
			    strncmp(config_rate_providers[i], p, name) == 0)
				break;
		if (i == sizeof config_rate_providers / sizeof *config_rate_providers || p[name] != '=') {
			buf_printf(errors, "KAIROS_PROVIDER_RATE_LIMITS: expected NAME=N pairs separated by commas, NAME one of twilio, sendgrid, smtp, meta, gallabox\n");
			return -1;
		}
		if (seen[i]) {
			buf_printf(errors, "KAIROS_PROVIDER_RATE_LIMITS: %s is named twice\n", config_rate_providers[i]);
			return -1;
		}
		seen[i] = true;
		errno = 0;
		n = (p[name + 1] >= '0' && p[name + 1] <= '9') ? strtol(p + name + 1, &end, 10) : -1;
		if (n < 1 || n > CONFIG_RATE_LIMIT_MAX || errno != 0 || (*end != '\0' && *end != ',')) {
			buf_printf(errors, "KAIROS_PROVIDER_RATE_LIMITS: the rate of %s must be a whole number of messages per second, 1..%d\n",
			    config_rate_providers[i], CONFIG_RATE_LIMIT_MAX);
			return -1;
		}
		if (want != NULL && strcmp(want, config_rate_providers[i]) == 0)
			*rate = n;
		p = *end == ',' ? end + 1 : end;
		if (*end == ',' && *p == '\0') {
			buf_printf(errors, "KAIROS_PROVIDER_RATE_LIMITS: a trailing comma\n");
			return -1;
		}
	}
	return 0;
}

long
config_rate_limit(const struct config *cfg, const char *provider)
{
	struct buf errors = BUF_INIT;
	long rate = 0;

	/* config_load has checked the text: a failure here cannot happen, and means no limit */
	if (cfg->provider_rate_limits == NULL ||
	    config_rate_walk(cfg->provider_rate_limits, provider, &rate, &errors) < 0)
		rate = 0;
	buf_free(&errors);
	return rate;
}

static int
config_check_providers(const struct config *cfg, struct buf *errors)
{
	int problems = 0;
	const char *v;

	for (size_t i = 0; i < sizeof config_needs / sizeof *config_needs; i++) {
		const struct config_need *n = &config_needs[i];
		const char *chosen = CONFIG_FIELD(cfg, n->provider_off);

		if (chosen == NULL || strcmp(chosen, n->provider) != 0)
			continue;
		v = CONFIG_FIELD(cfg, n->off);
		if (v == NULL || *v == '\0') {
			buf_printf(errors, "%s: required with %s=%s\n", n->name, n->provider_key,
			    n->provider);
			problems++;
		}
	}
	v = cfg->twilio_whatsapp_from;
	if (v != NULL && *v != '\0' && strncmp(v, "MG", 2) != 0 && (strncmp(v, "whatsapp:+", 10) != 0 ||
	    strspn(v + 10, "0123456789") != strlen(v + 10) || strlen(v + 10) < 7 || strlen(v + 10) > 15)) {
		buf_printf(errors, "KAIROS_TWILIO_WHATSAPP_FROM: \"%s\" is not whatsapp:+E164 or MG...\n", v);
		problems++;
	}
	v = cfg->meta_phone_number_id;
	if (v != NULL && *v != '\0' && strspn(v, "0123456789") != strlen(v)) {
		buf_printf(errors, "KAIROS_META_WHATSAPP_PHONE_NUMBER_ID: \"%s\" is not all digits\n", v);
		problems++;
	}
	v = cfg->meta_api_version;
	if (v != NULL && (*v == '\0' || strspn(v, "0123456789.") != strlen(v) || *v == '.')) {
		buf_printf(errors, "KAIROS_META_WHATSAPP_API_VERSION: \"%s\" is not a version like 21.0\n", v);
		problems++;
	}
	v = cfg->meta_language;
	if (v != NULL && (*v == '\0' || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_") != strlen(v))) {
		buf_printf(errors, "KAIROS_META_WHATSAPP_LANGUAGE: \"%s\" is not a language code like en_US\n", v);
		problems++;
	}
	if (cfg->provider_rate_limits != NULL) {
		long ignored;

		if (config_rate_walk(cfg->provider_rate_limits, NULL, &ignored, errors) < 0)
			problems++;
	}
	if (cfg->whatsapp_templates != NULL && !config_template_map_ok(cfg->whatsapp_templates)) {
		buf_printf(errors, "KAIROS_WHATSAPP_TEMPLATES: expected NAME=ID pairs separated by commas\n");
		problems++;
	}
	return problems;
}

/* Whether the host of an smtp(s):// URL is this machine's loopback interface. */
static bool
config_url_loopback(const char *url)
{
	const char *h = strstr(url, "://"), *at, *end;
	size_t n;

	if (h == NULL)
		return false;
	h += 3;
	end = h + strcspn(h, "/?#");
	if ((at = memchr(h, '@', (size_t)(end - h))) != NULL)
		h = at + 1;	/* user:password@ */
	if (*h == '[')
		return strncmp(h, "[::1]", 5) == 0;
	n = strcspn(h, ":/?#");
	return (n == 9 && strncmp(h, "localhost", 9) == 0) ||
	    (strncmp(h, "127.", 4) == 0 && strspn(h, "0123456789.") == n);
}

/* An address that cannot smuggle a header or an SMTP command: one @, no space, no
 * control characters, no angle brackets. (The provider validates the rest.) */
static bool
config_plain_address(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>' || *s == 0x7f)
			return false;
	return true;
}

/* KAIROS_EMAIL_PROVIDER and the keys it needs. */
static int
config_check_email(const struct config *cfg, struct buf *errors)
{
	int problems = 0;

	if (cfg->email_provider == NULL)
		return 0;
	if (strcmp(cfg->email_provider, "smtp") == 0) {
		if (*cfg->smtp_url != '\0' && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
		    strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
			buf_printf(errors, "KAIROS_SMTP_URL: \"%s\" must start with smtp:// or smtps://\n",
			    cfg->smtp_url);
			problems++;
		}
		/* A production server may hand mail to a relay on the same machine in the clear;
		 * across a network, patient mail goes encrypted or not at all. */
		if (cfg->smtp_allow_plaintext && cfg->env != NULL && strcmp(cfg->env, "production") == 0 &&
		    strncmp(cfg->smtp_url, "smtp://", 7) == 0 && !config_url_loopback(cfg->smtp_url)) {
			buf_printf(errors, "KAIROS_SMTP_ALLOW_PLAINTEXT: not allowed in production for a server other than localhost/127.0.0.1/[::1]\n");
			problems++;
		}
	}
	if (cfg->email_from != NULL && *cfg->email_from != '\0' && !config_plain_address(cfg->email_from)) {
		buf_printf(errors, "KAIROS_EMAIL_FROM: \"%s\" is not an email address\n", cfg->email_from);
		problems++;
	}
	if (cfg->email_from_name != NULL && strpbrk(cfg->email_from_name, "\r\n") != NULL) {
		buf_printf(errors, "KAIROS_EMAIL_FROM_NAME: must be one line\n");
		problems++;
	}
	return problems;
}

int
config_load(struct config *cfg, const char *file, struct buf *errors)
{
	bool from_file[CONFIG_NKEYS] = { false };
	int problems = 0;
	const char *path;

	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].def != NULL)
			config_set(cfg, &config_keys[i], config_keys[i].def, "default", errors);

	path = file ? file : getenv("KAIROS_CONFIG");
	if (path != NULL && *path != '\0') {
		problems += config_read_file(cfg, path, from_file, errors);
		free(cfg->config_file);
		cfg->config_file = xstrdup(path);
	}

	for (char **e = environ; *e != NULL; e++) {
		const struct config_key *k;
		const char *eq = strchr(*e, '=');

		if (strncmp(*e, CONFIG_PREFIX, strlen(CONFIG_PREFIX)) != 0 || eq == NULL)
			continue;
		if ((k = config_find(*e, (size_t)(eq - *e))) == NULL) {
			buf_printf(errors, "%.*s (environment): unknown key\n", (int)(eq - *e), *e);
			problems++;
			continue;
		}
		if (k->offset == F(config_file))
			continue;	/* already used to find the file */
		if (config_set(cfg, k, eq + 1, "environment", errors) < 0)
			problems++;
	}

	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->def == NULL && k->type == CONFIG_STRING &&
		    *(char **)((char *)cfg + k->offset) == NULL) {
			buf_printf(errors, "%s: required, not set\n", k->name);
			problems++;
		}
	}
	if (cfg->socket_path != NULL && *cfg->socket_path == '\0') {
		buf_printf(errors, "KAIROS_SOCKET: must not be empty\n");
		problems++;
	}
	if (cfg->public_url != NULL && ((strncmp(cfg->public_url, "http://", 7) != 0 &&
	    strncmp(cfg->public_url, "https://", 8) != 0) ||
	    cfg->public_url[strlen(cfg->public_url) - 1] == '/')) {
		buf_printf(errors, "KAIROS_PUBLIC_URL: \"%s\" must be an http(s) URL without a trailing slash\n",
		    cfg->public_url);
		problems++;
	}
	if (cfg->default_region != NULL && !phone_region_known(cfg->default_region)) {
		buf_printf(errors, "KAIROS_DEFAULT_REGION: \"%s\" is not a country code like AU, NZ, IN, GB or US\n",
		    cfg->default_region);
		problems++;
	}
	problems += config_check_providers(cfg, errors);
	problems += config_check_email(cfg, errors);
	if (cfg->debug_routes && cfg->env != NULL && strcmp(cfg->env, "production") == 0) {
		buf_printf(errors, "KAIROS_DEBUG_ROUTES: not allowed when KAIROS_ENV=production\n");
		problems++;
	}
	if (cfg->test_clock != NULL && *cfg->test_clock) {
		long long at;

		if (cfg->env != NULL && strcmp(cfg->env, "production") == 0) {
			buf_printf(errors, "KAIROS_TEST_CLOCK: not allowed when KAIROS_ENV=production\n");
			problems++;
		} else if (clock_parse_utc(cfg->test_clock, &at) < 0) {
			buf_printf(errors, "KAIROS_TEST_CLOCK: \"%s\" is not a UTC time like 2026-10-04T01:30:00Z\n",
			    cfg->test_clock);
			problems++;
		}
	}
	if (cfg->schedule_test_tasks && cfg->env != NULL && strcmp(cfg->env, "production") == 0) {
		buf_printf(errors, "KAIROS_SCHEDULE_TEST_TASKS: not allowed when KAIROS_ENV=production\n");
		problems++;
	}
	return problems;
}

void
config_start_test_clock(const struct config *cfg, bool share)
{
	long long at;

	if (cfg->env != NULL && strcmp(cfg->env, "production") == 0)
		return;	/* config_load refused both already: belt and braces */
	if (share && (cfg->debug_routes || (cfg->test_clock && *cfg->test_clock)) &&
	    clock_share_for_test() < 0)
		log_warn("test clock not shared", "mmap failed: /_debug/clock moves one worker only");
	if (cfg->test_clock && *cfg->test_clock && clock_parse_utc(cfg->test_clock, &at) == 0) {
		clock_start_at_for_test(at * 1000000LL);
		log_info("test clock", "the wall clock starts at %s", cfg->test_clock);
	}
}

void
config_free(struct config *cfg)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++)
		if (config_keys[i].type == CONFIG_STRING || config_keys[i].type == CONFIG_ENUM) {
			char **field = (char **)((char *)cfg + config_keys[i].offset);

			free(*field);
			*field = NULL;
		}
}

void
config_print(const struct config *cfg, FILE *out)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];
		const char *field = (const char *)cfg + k->offset;

		fprintf(out, "%s=", k->name);
		if (k->secret)
			fputs("********", out);
		else if (k->type == CONFIG_OCTAL)
			fprintf(out, "%04lo", *(const long *)field);
		else if (k->type == CONFIG_INT)
			fprintf(out, "%ld", *(const long *)field);
		else if (k->type == CONFIG_BOOL)
			fputs(*(const bool *)field ? "true" : "false", out);
		else
			fputs(*(char *const *)field ? *(char *const *)field : "", out);
		fputc('\n', out);
	}
}

void
config_print_example(FILE *out)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];

		fprintf(out, "# %s\n", k->doc);
		if (k->type == CONFIG_ENUM)
			fprintf(out, "# One of: %s.\n", k->choices);
		if (k->def == NULL)
			fprintf(out, "# Required.\n%s=\n\n", k->name);
		else
			fprintf(out, "#%s=%s\n\n", k->name, k->def);
	}
}

int
config_load_logged(struct config *cfg, const char *file)
{
	struct buf errors = BUF_INIT;
	char *line, *nl;

	if (config_load(cfg, file, &errors) == 0) {
		buf_free(&errors);
		return 0;
	}
	for (line = errors.data; line != NULL && (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		log_error("configuration invalid", "%s", line);
	}
	buf_free(&errors);
	config_free(cfg);
	return -1;
}

const char *
config_admin_database_url(const struct config *cfg)
{
	return cfg->admin_database_url != NULL && *cfg->admin_database_url != '\0' ?
	    cfg->admin_database_url : cfg->database_url;
}
