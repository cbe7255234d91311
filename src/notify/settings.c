/* settings.c: notify's keys — who sends each channel, each provider's account, and how
 * the job runner paces and retries sends — with their rules. */
#include "notify/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define F(field) offsetof(struct config, field)
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
	{ "KAIROS_SMS_PROVIDER", CONFIG_ENUM, F(sms_provider), "outbox", 0, 0, "outbox|twilio", false, NULL,
	  "Who sends SMS. outbox: stored and shown by `kairos outbox list`, never sent (development)." },
	{ "KAIROS_TWILIO_BASE_URL", CONFIG_STRING, F(twilio_base_url), "https://api.twilio.com", 0, 0,
	  NULL, false, NULL, "Twilio API base URL (tests point it at t/fakes/twilio)." },
	{ "KAIROS_TWILIO_ACCOUNT_SID", CONFIG_STRING, F(twilio_account_sid), "", 0, 0, NULL, false, NULL,
	  "Twilio Account SID (AC...). Required with KAIROS_SMS_PROVIDER=twilio." },
	{ "KAIROS_TWILIO_AUTH_TOKEN", CONFIG_STRING, F(twilio_auth_token), "", 0, 0, NULL, true, NULL,
	  "Twilio auth token. Required with KAIROS_SMS_PROVIDER=twilio." },
	{ "KAIROS_TWILIO_FROM", CONFIG_STRING, F(twilio_from), "", 0, 0, NULL, false, NULL,
	  "Sender: an E.164 number, or a Messaging Service SID (MG...)." },
	{ "KAIROS_TWILIO_BAA", CONFIG_BOOL, F(twilio_baa), "false", 0, 0, NULL, false, NULL,
	  "true only with a signed business associate agreement; until then messages through Twilio use the PHI-free templates." },
	{ "KAIROS_EMAIL_PROVIDER", CONFIG_ENUM, F(email_provider), "outbox", 0, 0, "outbox|sendgrid|smtp",
	  false, NULL,
	  "Who sends email. outbox: stored and shown by `kairos outbox list`, never sent (development); sendgrid: SendGrid's v3 Mail Send API; smtp: any SMTP server (STARTTLS required)." },
	{ "KAIROS_EMAIL_FROM", CONFIG_STRING, F(email_from), "", 0, 0, NULL, false, notify_check_email_from,
	  "Sender address of every email (e.g. clinic@example.com). Required with KAIROS_EMAIL_PROVIDER=sendgrid or smtp." },
	{ "KAIROS_EMAIL_FROM_NAME", CONFIG_STRING, F(email_from_name), "Kairos", 0, 0, NULL, false, notify_check_one_line,
	  "Sender display name of every email." },
	{ "KAIROS_SENDGRID_BASE_URL", CONFIG_STRING, F(sendgrid_base_url), "https://api.sendgrid.com", 0, 0,
	  NULL, false, NULL,
	  "SendGrid API base URL (https://api.eu.sendgrid.com for EU regional subusers; tests point it at t/fakes/sendgrid)." },
	{ "KAIROS_SENDGRID_API_KEY", CONFIG_STRING, F(sendgrid_api_key), "", 0, 0, NULL, true, NULL,
	  "SendGrid API key (SG....) with the mail.send scope. Required with KAIROS_EMAIL_PROVIDER=sendgrid." },
	{ "KAIROS_SENDGRID_BAA", CONFIG_BOOL, F(sendgrid_baa), "false", 0, 0, NULL, false, NULL,
	  "true only with a signed business associate agreement with SendGrid; until then email through SendGrid uses the PHI-free templates." },
	{ "KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY", CONFIG_STRING, F(sendgrid_webhook_public_key), "", 0, 0,
	  NULL, false, NULL,
	  "Verification key of SendGrid's signed Event Webhook (base64 DER, as SendGrid shows it). Empty: /webhooks/sendgrid/events answers 404." },
	{ "KAIROS_SMTP_URL", CONFIG_STRING, F(smtp_url), "", 0, 0, NULL, false, NULL,
	  "SMTP server: smtp://host:587 (STARTTLS, required) or smtps://host:465 (TLS from the start). Required with KAIROS_EMAIL_PROVIDER=smtp." },
	{ "KAIROS_SMTP_USERNAME", CONFIG_STRING, F(smtp_username), "", 0, 0, NULL, false, NULL,
	  "SMTP login; empty: no AUTH." },
	{ "KAIROS_SMTP_PASSWORD", CONFIG_STRING, F(smtp_password), "", 0, 0, NULL, true, NULL,
	  "SMTP password." },
	{ "KAIROS_SMTP_ALLOW_PLAINTEXT", CONFIG_BOOL, F(smtp_allow_plaintext), "false", 0, 0, NULL, false, NULL,
	  "true lets smtp:// go without STARTTLS: only for a local development or test server. Refused in production unless the server is on the loopback interface (a local relay)." },
	{ "KAIROS_SMTP_BAA", CONFIG_BOOL, F(smtp_baa), "false", 0, 0, NULL, false, NULL,
	  "true only with a business associate agreement covering the SMTP service; until then email through it uses the PHI-free templates." },
	{ "KAIROS_WHATSAPP_PROVIDER", CONFIG_ENUM, F(whatsapp_provider), "outbox", 0, 0,
	  "outbox|twilio|meta|gallabox", false, NULL,
	  "Who sends WhatsApp messages. outbox: stored and shown by `kairos outbox list`, never sent (development). twilio uses the KAIROS_TWILIO_* account." },
	{ "KAIROS_WHATSAPP_TEMPLATES", CONFIG_STRING, F(whatsapp_templates), "", 0, 0, NULL, false, notify_check_templates,
	  "Provider template of each Kairos WhatsApp template, as NAME=ID pairs separated by commas (e.g. otp=HX0123...,appointment-confirmed.phi-free=appt_generic). Unlisted: Meta and Gallabox use NAME with - and . as _; Twilio needs a ContentSid (HX...) for every template it sends." },
	{ "KAIROS_TWILIO_WHATSAPP_FROM", CONFIG_STRING, F(twilio_whatsapp_from), "", 0, 0, NULL, false, notify_check_wa_from,
	  "WhatsApp sender through Twilio: whatsapp:+E164 (or a Messaging Service SID, MG...). Required with KAIROS_WHATSAPP_PROVIDER=twilio." },
	{ "KAIROS_META_WHATSAPP_BASE_URL", CONFIG_STRING, F(meta_base_url), "https://graph.facebook.com",
	  0, 0, NULL, false, NULL, "Meta Graph API base URL (tests point it at t/fakes/meta_whatsapp)." },
	{ "KAIROS_META_WHATSAPP_API_VERSION", CONFIG_STRING, F(meta_api_version), "21.0", 0, 0, NULL, false, notify_check_api_version,
	  "Graph API version used in URLs as v{N} (e.g. 21.0)." },
	{ "KAIROS_META_WHATSAPP_PHONE_NUMBER_ID", CONFIG_STRING, F(meta_phone_number_id), "", 0, 0, NULL, false, notify_check_digits,
	  "The WhatsApp Business phone number ID (digits) messages are sent from. Required with KAIROS_WHATSAPP_PROVIDER=meta." },
	{ "KAIROS_META_WHATSAPP_ACCESS_TOKEN", CONFIG_STRING, F(meta_access_token), "", 0, 0, NULL, true, NULL,
	  "A system user access token with whatsapp_business_messaging. Required with KAIROS_WHATSAPP_PROVIDER=meta." },
	{ "KAIROS_META_WHATSAPP_APP_SECRET", CONFIG_STRING, F(meta_app_secret), "", 0, 0, NULL, true, NULL,
	  "The Meta app secret: webhooks are verified with X-Hub-Signature-256 against it. Required with KAIROS_WHATSAPP_PROVIDER=meta." },
	{ "KAIROS_META_WHATSAPP_VERIFY_TOKEN", CONFIG_STRING, F(meta_verify_token), "", 0, 0, NULL, true, NULL,
	  "The token entered in Meta's webhook settings, echoed in the subscription handshake. Required with KAIROS_WHATSAPP_PROVIDER=meta." },
	{ "KAIROS_META_WHATSAPP_LANGUAGE", CONFIG_STRING, F(meta_language), "en_US", 0, 0, NULL, false, notify_check_language,
	  "Language code of the approved templates (Meta's template language, e.g. en_US, en_GB)." },
	{ "KAIROS_META_WHATSAPP_BAA", CONFIG_BOOL, F(meta_baa), "false", 0, 0, NULL, false, NULL,
	  "true only with a signed business associate agreement with Meta; until then WhatsApp messages use the PHI-free templates." },
	{ "KAIROS_GALLABOX_BASE_URL", CONFIG_STRING, F(gallabox_base_url), "https://server.gallabox.com/devapi",
	  0, 0, NULL, false, NULL, "Gallabox developer API base URL (tests point it at t/fakes/gallabox)." },
	{ "KAIROS_GALLABOX_API_KEY", CONFIG_STRING, F(gallabox_api_key), "", 0, 0, NULL, true, NULL,
	  "Gallabox API key. Required with KAIROS_WHATSAPP_PROVIDER=gallabox." },
	{ "KAIROS_GALLABOX_API_SECRET", CONFIG_STRING, F(gallabox_api_secret), "", 0, 0, NULL, true, NULL,
	  "Gallabox API secret. Required with KAIROS_WHATSAPP_PROVIDER=gallabox." },
	{ "KAIROS_GALLABOX_CHANNEL_ID", CONFIG_STRING, F(gallabox_channel_id), "", 0, 0, NULL, false, NULL,
	  "The Gallabox WhatsApp channel messages go out on. Required with KAIROS_WHATSAPP_PROVIDER=gallabox." },
	{ "KAIROS_GALLABOX_BAA", CONFIG_BOOL, F(gallabox_baa), "false", 0, 0, NULL, false, NULL,
	  "true only with a signed business associate agreement with Gallabox; until then WhatsApp messages use the PHI-free templates." },
	{ "KAIROS_PROVIDER_TIMEOUT_MS", CONFIG_INT, F(provider_timeout_ms), "10000", 100, 120000,
	  NULL, false, NULL, "Timeout of one call to a messaging provider, in milliseconds." },
	{ "KAIROS_NOTIFY_BACKOFF_SECONDS", CONFIG_INT, F(notify_backoff_seconds), "5", 1, 3600,
	  NULL, false, NULL,
	  "Delay before the first retry of a failed send; doubled per attempt (capped at 1 h), with jitter." },
	{ "KAIROS_NOTIFY_LEASE_SECONDS", CONFIG_INT, F(notify_lease_seconds), "60", 1, 3600, NULL, false, NULL,
	  "How long a job runner holds messages it claimed; a runner that dies frees them after this. Keep it above KAIROS_PROVIDER_TIMEOUT_MS." },
	{ "KAIROS_NOTIFY_CONCURRENCY", CONFIG_INT, F(notify_concurrency), "16", 1, 256, NULL, false, NULL,
	  "Sends one job runner has in flight at once (threads, each keeping its provider connection alive). A provider answers in 100-500 ms, so one at a time caps a runner at a few messages a second. Keep 2 x KAIROS_PROVIDER_TIMEOUT_MS below KAIROS_NOTIFY_LEASE_SECONDS: no send starts after half the lease." },
	{ "KAIROS_PROVIDER_RATE_LIMITS", CONFIG_STRING, F(provider_rate_limits), "", 0, 0, NULL, false, notify_check_rates,
	  "Most messages per second each job runner hands to a provider, as NAME=N pairs separated by commas (e.g. twilio=50,sendgrid=600,meta=80,gallabox=20,smtp=10); names: twilio (SMS and WhatsApp), sendgrid, smtp, meta, gallabox. Unlisted or empty: unlimited. The limit is per runner: with several runners, divide the provider's limit by their number (docs/operations.md)." },
};

const struct config_table notify_settings = {
	"notify", "Messages: who sends each channel, the providers' accounts, pacing and retries",
	CONFIG_KEYS(notify_keys), 0, notify_settings_check,
};
