/* doctor.c: `kairos doctor` — is every configured integration usable? One line per check,
 * ✓ or ✗ with the reason; exit 1 if any fails (NOTE-8). Checks make only harmless requests
 * (reads), never a send. */
#include "notify/notify.h"

#include <string.h>

#include <curl/curl.h>

int
notify_doctor(const struct config *cfg, struct db *db, FILE *out)
{
	struct notify_setup setup;
	bool ok = true;

	if (db_connect(db) == DB_OK)
		fprintf(out, "✓ database: connected\n");
	else {
		fprintf(out, "✗ database: %s\n", db->error);
		ok = false;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	notify_setup_init(&setup, cfg);
	for (int ch = 0; ch < NOTIFY_CHANNELS; ch++) {
		const struct notify_provider *p = setup.channel[ch];
		const char *channel = notify_channel_name((enum notify_channel)ch);
		char msg[512];
		bool good;

		if (p->check == NULL) {
			fprintf(out, "✓ %s: %s (development; nothing is sent)\n", channel, p->name);
			continue;
		}
		good = p->check(p, msg, sizeof msg);
		fprintf(out, "%s %s (%s): %s\n", good ? "✓" : "✗", p->name, channel, msg);
		ok = ok && good;
	}
	notify_setup_free(&setup);
	curl_global_cleanup();
	return ok ? 0 : 1;
}
