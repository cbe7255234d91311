/* pages.c: the clinic's contact, privacy and accessibility text (see org.h). */
#include "org/org.h"

#include <string.h>

const struct org_page org_pages[] = {
	{ "contact", "Contact the clinic",
	  "To book, change or cancel an appointment, use Book an appointment at the top of this "
	  "page, or sign in to your account.\n"
	  "\n"
	  "For anything else, call or email the clinic during business hours. We answer within "
	  "one business day.\n"
	  "\n"
	  "## Not for emergencies\n"
	  "\n"
	  "This service is not monitored around the clock. If you or someone else is in danger, "
	  "call your local emergency number now." },
	{ "privacy", "Privacy",
	  "We collect only what we need to book and provide your care: your name, date of birth, "
	  "contact details, your appointments and payments, and what you tell us.\n"
	  "\n"
	  "## How we use it\n"
	  "\n"
	  "- to book, remind you of and run your appointments\n"
	  "- to take payment and claim rebates you ask us to\n"
	  "- to meet our legal and professional duties\n"
	  "\n"
	  "We never sell your information or use it for advertising. Messages about your care are "
	  "sent only through providers bound to keep them confidential.\n"
	  "\n"
	  "## Your choices\n"
	  "\n"
	  "You can see and correct your details in your account, and ask us for a copy of what we "
	  "hold about you or to close your account. Contact the clinic to do so, or to make a "
	  "complaint." },
	{ "accessibility", "Accessibility",
	  "We want everyone to be able to book and manage appointments here, whatever device or "
	  "assistive technology they use.\n"
	  "\n"
	  "- every page works with a keyboard and with a screen reader\n"
	  "- every page works without JavaScript\n"
	  "- text can be enlarged to 200% without losing content\n"
	  "- forms say what went wrong, next to the field\n"
	  "\n"
	  "We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA.\n"
	  "\n"
	  "If something here does not work for you, contact the clinic: we will help you book "
	  "another way and fix the problem." },
};
const size_t org_npages = sizeof org_pages / sizeof org_pages[0];

static struct db_stmt org_stmt_page_get = DB_STMT("org_page_get", 1,
	"SELECT body FROM site_pages WHERE slug = $1");
/* The returned row says whether the text changed: an identical save is no change (and gets
 * no audit entry from the caller). */
static struct db_stmt org_stmt_page_save = DB_STMT("org_page_save", 4,
	"WITH old AS (SELECT body FROM site_pages WHERE slug = $2) "
	"INSERT INTO site_pages (org_id, slug, body, updated_by) VALUES ($1::uuid, $2, $3, $4::uuid) "
	"ON CONFLICT (org_id, slug) DO UPDATE SET body = excluded.body, updated_at = now(), "
	" updated_by = excluded.updated_by "
	"RETURNING (SELECT body FROM old) IS DISTINCT FROM $3");

const struct org_page *
org_page_find(const char *slug)
{
	for (size_t i = 0; i < org_npages; i++)
		if (slug != NULL && strcmp(org_pages[i].slug, slug) == 0)
			return &org_pages[i];
	return NULL;
}

int
org_page_text(struct db *db, const struct org_page *page, struct buf *out, bool *custom)
{
	const char *p[] = { page->slug };
	PGresult *res = NULL;
	int rc = db_query(db, &org_stmt_page_get, p, &res);

	if (rc != DB_OK)
		return rc;
	*custom = PQntuples(res) == 1;
	buf_puts(out, *custom ? PQgetvalue(res, 0, 0) : page->default_text);
	PQclear(res);
	return DB_OK;
}

int
org_page_save(struct db *db, const char *org_id, const struct org_page *page, const char *text,
    const char *user_id, bool *changed)
{
	const char *p[] = { org_id, page->slug, text, user_id };
	char v[8];
	int rc = db_query_value(db, &org_stmt_page_save, p, v, sizeof v);

	*changed = rc == DB_OK && strcmp(v, "t") == 0;
	return rc;
}
