/* settings.c: notify's keys — who sends each channel, each provider's account, and how
 * the job runner paces and retries sends — with their rules. */
#include "notify/notify.h"
#include "jobs/jobs.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define F(field) offsetof(struct config, field)
/* The shapes of notify's keys (notify_keys): a channel's provider, plain text with its
 * default and check, a secret (no default, masked), a flag off by default, and a number. */
#define NOTIFY_PROVIDER(name, field, choices, doc) \
	{ name, CONFIG_ENUM, F(field), "outbox", 0, 0, choices, false, NULL, doc }
#define NOTIFY_TEXT(name, field, def, check, doc) \
	{ name, CONFIG_STRING, F(field), def, 0, 0, NULL, false, check, doc }
#define NOTIFY_SECRET(name, field, doc) \
	{ name, CONFIG_STRING, F(field), "", 0, 0, NULL, true, NULL, doc }
#define NOTIFY_FLAG(name, field, doc) \
	{ name, CONFIG_BOOL, F(field), "false", 0, 0, NULL, false, NULL, doc }
#define NOTIFY_INT(name, field, def, min, max, doc) \
	{ name, CONFIG_INT, F(field), def, min, max, NULL, false, NULL, doc }
#define NOTIFY_FIELD(values, off) (*(char *const *)((const char *)(values) + (off)))

/* Keys a provider cannot work without, checked when a channel is set to that provider. */
static const struct notify_need {
	const char *provider_key, *provider, *name;
	size_t      provider_off, off;
} notify_needs[] = {
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

/* Whether s is NAME=ID[,NAME=ID...]: names of a-z 0-9 - . and ids of A-Z a-z 0-9 _ - . */
static bool
notify_template_map_ok(const char *s)
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
static const char *const notify_rate_providers[] = { "twilio", "sendgrid", "smtp", "meta", "gallabox" };

/* Walks NAME=N[,NAME=N...]: for each pair, its name (len bytes) and rate. 0 when the whole
 * text is well formed (names known, each once; rates 1..NOTIFY_RATE_LIMIT_MAX), else -1
 * with the reason in errors. *rate gets the rate of `want` (0 when unlisted). */
static int
notify_rate_walk(const char *s, const char *want, long *rate, struct buf *errors)
{
	bool seen[sizeof notify_rate_providers / sizeof *notify_rate_providers] = { false };
	const char *p = s;

	*rate = 0;
	while (*p != '\0') {
		size_t name = strspn(p, "abcdefghijklmnopqrstuvwxyz"), i;
		char *end;
		long n;

		for (i = 0; i < sizeof notify_rate_providers / sizeof *notify_rate_providers; i++)
			if (strlen(notify_rate_providers[i]) == name &&
			    strncmp(notify_rate_providers[i], p, name) == 0)
				break;
		if (i == sizeof notify_rate_providers / sizeof *notify_rate_providers || p[name] != '=') {
			buf_printf(errors, "KAIROS_PROVIDER_RATE_LIMITS: expected NAME=N pairs separated by commas, NAME one of twilio, sendgrid, smtp, meta, gallabox\n");
			return -1;
		}
		if (seen[i]) {
			buf_printf(errors, "KAIROS_PROVIDER_RATE_LIMITS: %s is named twice\n", notify_rate_providers[i]);
			return -1;
		}
		seen[i] = true;
		errno = 0;
		n = (p[name + 1] >= '0' && p[name + 1] <= '9') ? strtol(p + name + 1, &end, 10) : -1;
		if (n < 1 || n > NOTIFY_RATE_LIMIT_MAX || errno != 0 || (*end != '\0' && *end != ',')) {
			buf_printf(errors, "KAIROS_PROVIDER_RATE_LIMITS: the rate of %s must be a whole number of messages per second, 1..%d\n",
			    notify_rate_providers[i], NOTIFY_RATE_LIMIT_MAX);
			return -1;
		}
		if (want != NULL && strcmp(want, notify_rate_providers[i]) == 0)
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
notify_rate_limit(const struct config *cfg, const char *provider)
{
	struct buf errors = BUF_INIT;
	long rate = 0;

	/* config_load has checked the text: a failure here cannot happen, and means no limit */
	if (cfg->provider_rate_limits == NULL ||
	    notify_rate_walk(cfg->provider_rate_limits, provider, &rate, &errors) < 0)
		rate = 0;
	buf_free(&errors);
	return rate;
}

/* Whether the host of an smtp(s):// URL is this machine's loopback interface. */
static bool
notify_url_loopback(const char *url)
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
notify_plain_address(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>' || *s == 0x7f)
			return false;
	return true;
}

/* The checks of single keys: an empty value is "not set" and left to notify_settings_check
 * (a provider that needs it). */
static int
notify_check_wa_from(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	const char *v = CONFIG_TEXT(value);
	size_t digits;

	(void)cfg;
	if (*v == '\0' || strncmp(v, "MG", 2) == 0)
		return 0;
	digits = strncmp(v, "whatsapp:+", 10) == 0 ? strlen(v + 10) : 0;
	if (digits >= 7 && digits <= 15 && strspn(v + 10, "0123456789") == digits)
		return 0;
	return config_refuse(k, v, "is not whatsapp:+E164 or MG...", errors);
}

static int
notify_check_digits(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	const char *v = CONFIG_TEXT(value);

	(void)cfg;
	return strspn(v, "0123456789") == strlen(v) ? 0 : config_refuse(k, v, "is not all digits", errors);
}

static int
notify_check_api_version(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	const char *v = CONFIG_TEXT(value);

	(void)cfg;
	if (*v != '\0' && *v != '.' && strspn(v, "0123456789.") == strlen(v))
		return 0;
	return config_refuse(k, v, "is not a version like 21.0", errors);
}

static int
notify_check_language(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	const char *v = CONFIG_TEXT(value);

	(void)cfg;
	if (*v != '\0' && strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_") == strlen(v))
		return 0;
	return config_refuse(k, v, "is not a language code like en_US", errors);
}

static int
notify_check_templates(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	(void)cfg;
	if (notify_template_map_ok(CONFIG_TEXT(value)))
		return 0;
	buf_printf(errors, "%s: expected NAME=ID pairs separated by commas\n", k->name);
	return -1;
}

static int
notify_check_rates(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	long ignored;

	(void)cfg;
	(void)k;
	return notify_rate_walk(CONFIG_TEXT(value), NULL, &ignored, errors);
}

static int
notify_check_email_from(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	const char *v = CONFIG_TEXT(value);

	(void)cfg;
	if (*v == '\0' || notify_plain_address(v))
		return 0;
	return config_refuse(k, v, "is not an email address", errors);
}

static int
notify_check_one_line(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	(void)cfg;
	if (strpbrk(CONFIG_TEXT(value), "\r\n") == NULL)
		return 0;
	buf_printf(errors, "%s: must be one line\n", k->name);
	return -1;
}

/* Rules across keys: what each chosen provider needs, and SMTP's scheme and plain text. */
static int
notify_settings_check(const struct config *cfg, const void *values, struct buf *errors)
{
	int problems = 0;

	for (size_t i = 0; i < sizeof notify_needs / sizeof *notify_needs; i++) {
		const struct notify_need *n = &notify_needs[i];
		const char *v;

		if (strcmp(NOTIFY_FIELD(values, n->provider_off), n->provider) != 0)
			continue;
		v = NOTIFY_FIELD(values, n->off);
		if (*v == '\0') {
			buf_printf(errors, "%s: required with %s=%s\n", n->name, n->provider_key, n->provider);
			problems++;
		}
	}
	if (strcmp(cfg->email_provider, "smtp") != 0)
		return problems;
	if (*cfg->smtp_url != '\0' && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->smtp_url, "smtps://", 8) != 0) {
		buf_printf(errors, "KAIROS_SMTP_URL: \"%s\" must start with smtp:// or smtps://\n", cfg->smtp_url);
		problems++;
	}
	/* A production server may hand mail to a relay on the same machine in the clear;
	 * across a network, patient mail goes encrypted or not at all. */
	if (cfg->smtp_allow_plaintext && config_production(cfg) &&
	    strncmp(cfg->smtp_url, "smtp://", 7) == 0 && !notify_url_loopback(cfg->smtp_url)) {
		buf_printf(errors, "KAIROS_SMTP_ALLOW_PLAINTEXT: not allowed in production for a server other than localhost/127.0.0.1/[::1]\n");
		problems++;
	}
	return problems;
}

static const struct config_key notify_keys[] = {
	NOTIFY_PROVIDER("KAIROS_SMS_PROVIDER", sms_provider, "outbox|twilio",
	    "Who sends SMS. outbox: stored and shown by `kairos outbox list`, never sent (development)."),
	NOTIFY_TEXT("KAIROS_TWILIO_BASE_URL", twilio_base_url, "https://api.twilio.com", NULL,
	    "Twilio API base URL (tests point it at t/fakes/twilio)."),
	NOTIFY_TEXT("KAIROS_TWILIO_ACCOUNT_SID", twilio_account_sid, "", NULL,
	    "Twilio Account SID (AC...). Required with KAIROS_SMS_PROVIDER=twilio."),
	NOTIFY_SECRET("KAIROS_TWILIO_AUTH_TOKEN", twilio_auth_token,
	    "Twilio auth token. Required with KAIROS_SMS_PROVIDER=twilio."),
	NOTIFY_TEXT("KAIROS_TWILIO_FROM", twilio_from, "", NULL,
	    "Sender: an E.164 number, or a Messaging Service SID (MG...)."),
	NOTIFY_FLAG("KAIROS_TWILIO_BAA", twilio_baa,
	    "true only with a signed business associate agreement; until then messages through Twilio use the PHI-free templates."),
	NOTIFY_PROVIDER("KAIROS_EMAIL_PROVIDER", email_provider, "outbox|sendgrid|smtp",
	    "Who sends email. outbox: stored and shown by `kairos outbox list`, never sent (development); sendgrid: SendGrid's v3 Mail Send API; smtp: any SMTP server (STARTTLS required)."),
	NOTIFY_TEXT("KAIROS_EMAIL_FROM", email_from, "", notify_check_email_from,
	    "Sender address of every email (e.g. clinic@example.com). Required with KAIROS_EMAIL_PROVIDER=sendgrid or smtp."),
	NOTIFY_TEXT("KAIROS_EMAIL_FROM_NAME", email_from_name, "Kairos", notify_check_one_line,
	    "Sender display name of every email."),
	NOTIFY_TEXT("KAIROS_SENDGRID_BASE_URL", sendgrid_base_url, "https://api.sendgrid.com", NULL,
	    "SendGrid API base URL (https://api.eu.sendgrid.com for EU regional subusers; tests point it at t/fakes/sendgrid)."),
	NOTIFY_SECRET("KAIROS_SENDGRID_API_KEY", sendgrid_api_key,
	    "SendGrid API key (SG....) with the mail.send scope. Required with KAIROS_EMAIL_PROVIDER=sendgrid."),
	NOTIFY_FLAG("KAIROS_SENDGRID_BAA", sendgrid_baa,
	    "true only with a signed business associate agreement with SendGrid; until then email through SendGrid uses the PHI-free templates."),
	NOTIFY_TEXT("KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY", sendgrid_webhook_public_key, "", NULL,
	    "Verification key of SendGrid's signed Event Webhook (base64 DER, as SendGrid shows it). Empty: /webhooks/sendgrid/events answers 404."),
	NOTIFY_TEXT("KAIROS_SMTP_URL", smtp_url, "", NULL,
	    "SMTP server: smtp://host:587 (STARTTLS, required) or smtps://host:465 (TLS from the start). Required with KAIROS_EMAIL_PROVIDER=smtp."),
	NOTIFY_TEXT("KAIROS_SMTP_USERNAME", smtp_username, "", NULL, "SMTP login; empty: no AUTH."),
	NOTIFY_SECRET("KAIROS_SMTP_PASSWORD", smtp_password, "SMTP password."),
	NOTIFY_FLAG("KAIROS_SMTP_ALLOW_PLAINTEXT", smtp_allow_plaintext,
	    "true lets smtp:// go without STARTTLS: only for a local development or test server. Refused in production unless the server is on the loopback interface (a local relay)."),
	NOTIFY_FLAG("KAIROS_SMTP_BAA", smtp_baa,
	    "true only with a business associate agreement covering the SMTP service; until then email through it uses the PHI-free templates."),
	NOTIFY_PROVIDER("KAIROS_WHATSAPP_PROVIDER", whatsapp_provider, "outbox|twilio|meta|gallabox",
	    "Who sends WhatsApp messages. outbox: stored and shown by `kairos outbox list`, never sent (development). twilio uses the KAIROS_TWILIO_* account."),
	NOTIFY_TEXT("KAIROS_WHATSAPP_TEMPLATES", whatsapp_templates, "", notify_check_templates,
	    "Provider template of each Kairos WhatsApp template, as NAME=ID pairs separated by commas (e.g. otp=HX0123...,appointment-confirmed.phi-free=appt_generic). Unlisted: Meta and Gallabox use NAME with - and . as _; Twilio needs a ContentSid (HX...) for every template it sends."),
	NOTIFY_TEXT("KAIROS_TWILIO_WHATSAPP_FROM", twilio_whatsapp_from, "", notify_check_wa_from,
	    "WhatsApp sender through Twilio: whatsapp:+E164 (or a Messaging Service SID, MG...). Required with KAIROS_WHATSAPP_PROVIDER=twilio."),
	NOTIFY_TEXT("KAIROS_META_WHATSAPP_BASE_URL", meta_base_url, "https://graph.facebook.com", NULL,
	    "Meta Graph API base URL (tests point it at t/fakes/meta_whatsapp)."),
	NOTIFY_TEXT("KAIROS_META_WHATSAPP_API_VERSION", meta_api_version, "21.0", notify_check_api_version,
	    "Graph API version used in URLs as v{N} (e.g. 21.0)."),
	NOTIFY_TEXT("KAIROS_META_WHATSAPP_PHONE_NUMBER_ID", meta_phone_number_id, "", notify_check_digits,
	    "The WhatsApp Business phone number ID (digits) messages are sent from. Required with KAIROS_WHATSAPP_PROVIDER=meta."),
	NOTIFY_SECRET("KAIROS_META_WHATSAPP_ACCESS_TOKEN", meta_access_token,
	    "A system user access token with whatsapp_business_messaging. Required with KAIROS_WHATSAPP_PROVIDER=meta."),
	NOTIFY_SECRET("KAIROS_META_WHATSAPP_APP_SECRET", meta_app_secret,
	    "The Meta app secret: webhooks are verified with X-Hub-Signature-256 against it. Required with KAIROS_WHATSAPP_PROVIDER=meta."),
	NOTIFY_SECRET("KAIROS_META_WHATSAPP_VERIFY_TOKEN", meta_verify_token,
	    "The token entered in Meta's webhook settings, echoed in the subscription handshake. Required with KAIROS_WHATSAPP_PROVIDER=meta."),
	NOTIFY_TEXT("KAIROS_META_WHATSAPP_LANGUAGE", meta_language, "en_US", notify_check_language,
	    "Language code of the approved templates (Meta's template language, e.g. en_US, en_GB)."),
	NOTIFY_FLAG("KAIROS_META_WHATSAPP_BAA", meta_baa,
	    "true only with a signed business associate agreement with Meta; until then WhatsApp messages use the PHI-free templates."),
	NOTIFY_TEXT("KAIROS_GALLABOX_BASE_URL", gallabox_base_url, "https://server.gallabox.com/devapi", NULL,
	    "Gallabox developer API base URL (tests point it at t/fakes/gallabox)."),
	NOTIFY_SECRET("KAIROS_GALLABOX_API_KEY", gallabox_api_key,
	    "Gallabox API key. Required with KAIROS_WHATSAPP_PROVIDER=gallabox."),
	NOTIFY_SECRET("KAIROS_GALLABOX_API_SECRET", gallabox_api_secret,
	    "Gallabox API secret. Required with KAIROS_WHATSAPP_PROVIDER=gallabox."),
	NOTIFY_TEXT("KAIROS_GALLABOX_CHANNEL_ID", gallabox_channel_id, "", NULL,
	    "The Gallabox WhatsApp channel messages go out on. Required with KAIROS_WHATSAPP_PROVIDER=gallabox."),
	NOTIFY_FLAG("KAIROS_GALLABOX_BAA", gallabox_baa,
	    "true only with a signed business associate agreement with Gallabox; until then WhatsApp messages use the PHI-free templates."),
	NOTIFY_INT("KAIROS_PROVIDER_TIMEOUT_MS", provider_timeout_ms, "10000", 100, 120000,
	    "Timeout of one call to a messaging provider, in milliseconds."),
	NOTIFY_INT("KAIROS_NOTIFY_BACKOFF_SECONDS", notify_backoff_seconds,
	    STR_OF(NOTIFY_BACKOFF_SECONDS_DEFAULT), 1, NOTIFY_BACKOFF_MAX_SECONDS,
	    "Delay before the first retry of a failed send; doubled per attempt (capped at 1 h), with jitter."),
	NOTIFY_INT("KAIROS_NOTIFY_LEASE_SECONDS", notify_lease_seconds,
	    STR_OF(NOTIFY_LEASE_SECONDS_DEFAULT), 1, JOBS_LEASE_MAX,
	    "How long a job runner holds messages it claimed; a runner that dies frees them after this. Keep it above KAIROS_PROVIDER_TIMEOUT_MS."),
	NOTIFY_INT("KAIROS_NOTIFY_CONCURRENCY", notify_concurrency, "16", 1, 256,
	    "Sends one job runner has in flight at once (threads, each keeping its provider connection alive). A provider answers in 100-500 ms, so one at a time caps a runner at a few messages a second. Keep 2 x KAIROS_PROVIDER_TIMEOUT_MS below KAIROS_NOTIFY_LEASE_SECONDS: no send starts after half the lease."),
	NOTIFY_TEXT("KAIROS_PROVIDER_RATE_LIMITS", provider_rate_limits, "", notify_check_rates,
	    "Most messages per second each job runner hands to a provider, as NAME=N pairs separated by commas (e.g. twilio=50,sendgrid=600,meta=80,gallabox=20,smtp=10); names: twilio (SMS and WhatsApp), sendgrid, smtp, meta, gallabox. Unlisted or empty: unlimited. The limit is per runner: with several runners, divide the provider's limit by their number (docs/operations.md)."),
};

const struct config_table notify_settings = {
	"notify", "Messages: who sends each channel, the providers' accounts, pacing and retries",
	CONFIG_KEYS(notify_keys), 0, notify_settings_check,
};
