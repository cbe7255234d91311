/* doctor.c: `kairos doctor` — is every configured integration usable? One line per check,
 * ✓ or ✗ with the reason; exit 1 if any fails (NOTE-8). Checks make only harmless requests
 * (reads), never a send. */
#include "notify/notify.h"

#include <string.h>

#include <curl/curl.h>

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
	if (strcmp(cfg->sms_provider, "twilio") == 0) {
		struct notify_twilio t = { cfg->twilio_base_url, cfg->twilio_account_sid,
			cfg->twilio_auth_token, cfg->twilio_from, NULL, cfg->provider_timeout_ms };
		char msg[512];
		bool good = notify_twilio_check(&t, msg, sizeof msg);

		fprintf(out, "%s twilio (sms): %s\n", good ? "✓" : "✗", msg);
		ok = ok && good;
	} else
		fprintf(out, "✓ sms: outbox (development; nothing is sent)\n");
	fprintf(out, "✓ whatsapp: outbox (development; nothing is sent)\n");
	fprintf(out, "✓ email: outbox (development; nothing is sent)\n");
	curl_global_cleanup();
	return ok ? 0 : 1;
}
