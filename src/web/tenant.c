/* tenant.c: which organisation a request is for (AUTH-7). The Host names it through
 * organisation_domains; any other host is the default organisation's.
 *
 * Every request needs the answer and it changes rarely, so each worker keeps the last
 * WEB_TENANT_CACHE answers for WEB_TENANT_TTL_SECONDS (a domain moved to another clinic is
 * followed within that time). */
#include "web/web.h"

#include <ctype.h>
#include <string.h>

static struct db_stmt web_stmt_tenant = DB_STMT("web_tenant", 1,
	"SELECT o.id, o.name FROM organisations o WHERE o.id = coalesce("
	" (SELECT org_id FROM organisation_domains WHERE host IN ($1, split_part($1, ':', 1))"
	"  ORDER BY length(host) DESC LIMIT 1),"
	" (SELECT id FROM organisations WHERE is_default))");

/* The Host, lowercased, or "" when absent or not a plausible host[:port]. */
static void
web_host(const struct request *req, char out[WEB_HOST_MAX + 1])
{
	const char *h = http_env(req, "HTTP_HOST");
	size_t n = h ? strlen(h) : 0;

	out[0] = '\0';
	if (n == 0 || n > WEB_HOST_MAX || strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != n)
		return;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
}

int
web_tenant_resolve(struct web_app *app, struct request *req)
{
	struct web_tenant *slot = &app->tenants[0];
	long long now = clock_mono_us();
	char host[WEB_HOST_MAX + 1];
	PGresult *res = NULL;
	int rc;

	web_host(req, host);
	for (size_t i = 0; i < WEB_TENANT_CACHE; i++) {
		struct web_tenant *t = &app->tenants[i];

		if (t->fetched_us != 0 && strcmp(t->host, host) == 0 &&
		    now - t->fetched_us < WEB_TENANT_TTL_SECONDS * 1000000LL) {
			memcpy(app->rq.org_id, t->org_id, sizeof t->org_id);
			app->rq.org_name = t->org_name;
			return DB_OK;
		}
		if (t->fetched_us < slot->fetched_us)
			slot = t;	/* the oldest (or an empty) slot is reused */
	}
	{
		const char *p[] = { host };

		if ((rc = db_query(&app->db, &web_stmt_tenant, p, &res)) != DB_OK)
			return rc;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		snprintf(app->db.error, sizeof app->db.error, "no default organisation");
		return DB_FAILED;
	}
	snprintf(slot->host, sizeof slot->host, "%s", host);
	db_copy(slot->org_id, sizeof slot->org_id, res, 0, 0);
	db_copy(slot->org_name, sizeof slot->org_name, res, 0, 1);
	slot->fetched_us = now;
	PQclear(res);
	memcpy(app->rq.org_id, slot->org_id, sizeof slot->org_id);
	app->rq.org_name = slot->org_name;
	return DB_OK;
}
