/* settings.c: web's keys — the debug routes, nginx's port and the public URL. */
#include "web/web.h"

#include <stddef.h>
#include <string.h>

#define F(field) offsetof(struct config, field)

static int
web_check_public_url(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	const char *url = CONFIG_TEXT(value);

	(void)cfg;
	if ((strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
	    url[strlen(url) - 1] != '/')
		return 0;
	return config_refuse(k, url, "must be an http(s) URL without a trailing slash", errors);
}

static const struct config_key web_keys[] = {
	{ "KAIROS_DEBUG_ROUTES", CONFIG_BOOL, F(debug_routes), "false", 0, 0, NULL, false,
	  config_check_not_production,
	  "Enables /_debug/* routes used by the test suite. Never in production." },
	{ "KAIROS_PORT", CONFIG_INT, F(port), "8080", 1, 65535, NULL, false, NULL,
	  "Port nginx listens on in ./dev and the tests (kairos itself speaks FastCGI only)." },
	{ "KAIROS_PUBLIC_URL", CONFIG_STRING, F(public_url), "http://127.0.0.1:8080", 0, 0, NULL, false,
	  web_check_public_url,
	  "Base URL patients and providers reach Kairos at (no trailing slash). Webhook signatures are checked against it, never against the Host header." },
};

const struct config_table web_settings = {
	"web", "Pages and the API", CONFIG_KEYS(web_keys), 0, NULL,
};
