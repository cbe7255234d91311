/* tenant.c: which organisation a request is for (AUTH-7). The Host names it through
 * organisation_domains; any other host is the default organisation's.
 *
 * Every request needs the answer and it changes rarely, so each worker keeps the last
 * WEB_TENANT_CACHE answers for WEB_TENANT_TTL_SECONDS (a domain moved to another clinic is
 * followed within that time). */
#include "web/web.h"

#include <ctype.h>
#include <string.h>

/* The Host, lowercased, or "" when absent or not a plausible host[:port]. */
static void
web_host(const struct request *req, char out[ORG_HOST_MAX + 1])
{
	const char *h = http_env(req, "HTTP_HOST");
	size_t n = h ? strlen(h) : 0;

	out[0] = '\0';
	if (n == 0 || n > ORG_HOST_MAX || strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != n)
		return;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
}

/* Makes slot the request's tenant. */
static void
web_tenant_use(struct web_app *app, const struct web_tenant *slot)
{
	memcpy(app->rq.org_id, slot->org.id, sizeof slot->org.id);
	app->rq.org = &slot->org;
}

int
web_tenant_resolve(struct web_app *app, struct request *req)
{
	struct web_tenant *slot = &app->tenants[0];
	long long now = clock_mono_us();
	char host[ORG_HOST_MAX + 1];
	int rc;

	web_host(req, host);
	for (size_t i = 0; i < WEB_TENANT_CACHE; i++) {
		struct web_tenant *t = &app->tenants[i];

		if (t->fetched_us != 0 && strcmp(t->host, host) == 0 &&
		    now - t->fetched_us < WEB_TENANT_TTL_SECONDS * 1000000LL) {
			web_tenant_use(app, t);
			return DB_OK;
		}
		if (t->fetched_us < slot->fetched_us)
			slot = t;	/* the oldest (or an empty) slot is reused */
	}
	slot->fetched_us = 0;	/* half-filled until the lookup succeeds */
	if ((rc = org_for_host(&app->db, host, &slot->org)) != DB_OK)
		return rc;
	snprintf(slot->host, sizeof slot->host, "%s", host);
	slot->fetched_us = now;
	web_tenant_use(app, slot);
	return DB_OK;
}

const char *
web_org_name(const struct web_app *app)
{
	return app->rq.org != NULL ? app->rq.org->name : "Kairos";
}

const char *
web_region(const struct web_app *app)
{
	return app->rq.org != NULL && *app->rq.org->region ? app->rq.org->region :
	    app->cfg.default_region;
}
