/* doctor.c: `kairos doctor` — is every configured integration usable? One line per check,
 * ✓ or ✗ with the reason; exit 1 if any fails (NOTE-8). Checks make only harmless requests
 * (reads), never a send. */
#include "notify/notify.h"

#include <ctype.h>
#include <string.h>

#include <curl/curl.h>

static size_t
doctor_discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static bool
doctor_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return s[n] == '\0';
}

/* Twilio: SID shape (AC + 32 hex), then GET the account resource with the credentials. */
static bool
doctor_twilio(const struct config *cfg, FILE *out)
{
	struct buf url = BUF_INIT;
	long status = 0;
	CURLcode cc;
	CURL *c;

	if (strncmp(cfg->twilio_account_sid, "AC", 2) != 0 || !doctor_hex(cfg->twilio_account_sid + 2, 32)) {
		fprintf(out, "✗ twilio (sms): KAIROS_TWILIO_ACCOUNT_SID is not AC followed by 32 hex digits\n");
		return false;
	}
	if ((c = curl_easy_init()) == NULL) {
		fprintf(out, "✗ twilio (sms): cannot start an HTTP client\n");
		return false;
	}
	buf_printf(&url, "%s/2010-04-01/Accounts/%s.json", cfg->twilio_base_url, cfg->twilio_account_sid);
	curl_easy_setopt(c, CURLOPT_URL, url.data);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERNAME, cfg->twilio_account_sid);
	curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->twilio_auth_token);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->provider_timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, doctor_discard);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	buf_free(&url);
	if (cc != CURLE_OK) {
		fprintf(out, "✗ twilio (sms): %s unreachable: %s\n", cfg->twilio_base_url, curl_easy_strerror(cc));
		return false;
	}
	if (status == 401 || status == 403) {
		fprintf(out, "✗ twilio (sms): credentials refused (HTTP %ld)\n", status);
		return false;
	}
	if (status != 200) {
		fprintf(out, "✗ twilio (sms): unexpected HTTP %ld from the account resource\n", status);
		return false;
	}
	fprintf(out, "✓ twilio (sms): account %.6s… reachable, credentials accepted\n", cfg->twilio_account_sid);
	return true;
}

int
notify_doctor(const struct config *cfg, struct db *db, FILE *out)
{
	bool ok = true;

	if (db_connect(db) == DB_OK)
		fprintf(out, "✓ database: connected\n");
	else {
		fprintf(out, "✗ database: %s\n", db->error);
		ok = false;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(cfg->sms_provider, "twilio") == 0)
		ok = doctor_twilio(cfg, out) && ok;
	else
		fprintf(out, "✓ sms: outbox (development; nothing is sent)\n");
	fprintf(out, "✓ whatsapp: outbox (development; nothing is sent)\n");
	fprintf(out, "✓ email: outbox (development; nothing is sent)\n");
	curl_global_cleanup();
	return ok ? 0 : 1;
}
