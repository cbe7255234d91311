/* price.c: which price rule prices a session (BOOK-2). Pure, so the order is unit-tested
 * (t/unit/test-price.c); docs/booking.md, "Prices", states it for admins. */
#include "catalogue/catalogue.h"

#include "core/utf8.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

/* A UTF-8 locale every Debian system has (locales or not): for case folding only. */
#define PRICE_CTYPE_LOCALE "C.UTF-8"

static bool
price_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The character classes PostgreSQL's lower() folds by: glibc's, in a UTF-8 locale (the
 * database's is one), so "émile" is "Émile" here as in price_rules_insurer_one. NULL when
 * the locale is missing (then only ASCII letters fold). */
static locale_t
price_ctype(void)
{
	static locale_t ctype;
	static bool tried;

	if (!tried) {
		tried = true;
		ctype = newlocale(LC_CTYPE_MASK, PRICE_CTYPE_LOCALE, (locale_t)0);
	}
	return ctype;
}

bool
catalogue_insurer_same(const char *a, const char *b)
{
	/* a patient types the name on step 1; the clinic's rule spells it its own way */
	locale_t ctype = price_ctype();
	size_t na, nb, ka, kb;

	if (a == NULL || b == NULL)
		return false;
	if (ctype == (locale_t)0)
		return strcasecmp(a, b) == 0;
	na = strlen(a);
	nb = strlen(b);
	while (na > 0 && nb > 0) {
		unsigned long ca = utf8_decode(a, na, &ka), cb = utf8_decode(b, nb, &kb);

		if (ka == 0 || kb == 0)
			return false;
		if (ca != cb && towlower_l((wint_t)ca, ctype) != towlower_l((wint_t)cb, ctype))
			return false;
		a += ka, na -= ka;
		b += kb, nb -= kb;
	}
	return na == 0 && nb == 0;
}

/* How specific a matching rule is, or -1 when it does not apply. A location outranks a
 * session type: a centre's fee follows its rent and its region's rebates, while telehealth
 * and in-person sessions at one centre usually cost the same unless a rule says otherwise. */
static int
price_rank(const struct catalogue_price_rule *r, const char *location_id,
    enum booking_session_type st, const char *funding, const char *insurer)
{
	int rank = 0;

	if (!price_same(r->funding, funding))
		return -1;
	if (strcmp(funding, "insurer") == 0 && !catalogue_insurer_same(r->insurer, insurer))
		return -1;
	if (r->location_id != NULL) {
		if (!price_same(r->location_id, location_id))
			return -1;
		rank += 2;
	}
	if (r->session_type != BOOKING_SESSION_ANY) {
		if (st == BOOKING_SESSION_ANY || r->session_type != st)
			return -1;
		rank += 1;
	}
	return rank;
}

int
catalogue_price_pick(const struct catalogue_price_rule *r, size_t n, const char *location_id,
    enum booking_session_type st, const char *funding, const char *insurer)
{
	int best = -1, best_rank = -1;

	if (funding == NULL)
		return -1;
	/* migration 0027's price_rules_one and price_rules_insurer_one (the insurer's name
	 * without case, as catalogue_insurer_same) keep one active rule per combination, so
	 * ranks never tie among active rules; the first wins if a caller passes duplicates */
	for (size_t i = 0; i < n; i++) {
		int rank = price_rank(&r[i], location_id, st, funding, insurer);

		if (rank > best_rank) {
			best = (int)i;
			best_rank = rank;
		}
	}
	return best;
}

void
catalogue_price_set(struct catalogue_price *p, const struct catalogue_price_rule *r,
    const char *funding)
{
	p->found = true;
	p->funding = funding;
	p->insurer = r->insurer;
	p->package_sessions = r->package_sessions;
	p->fee.amount = r->fee;
	p->rebate.amount = r->rebate;
	p->gap.amount = r->fee - r->rebate;
	snprintf(p->fee.currency, CATALOGUE_CURRENCY_SIZE, "%s", r->currency);
	memcpy(p->rebate.currency, p->fee.currency, CATALOGUE_CURRENCY_SIZE);
	memcpy(p->gap.currency, p->fee.currency, CATALOGUE_CURRENCY_SIZE);
}

/* Whether the rules at indexes i and j (-1: none) price a session alike: two rules of the
 * same amounts are one price to the patient. */
static bool
price_alike(const struct catalogue_price_rule *r, int i, int j)
{
	if (i < 0 || j < 0)
		return i == j;
	return r[i].fee == r[j].fee && r[i].rebate == r[j].rebate &&
	    r[i].package_sessions == r[j].package_sessions && price_same(r[i].currency, r[j].currency);
}

/* The state of a span while its choices are added. */
struct price_walk {
	const struct catalogue_price_rule *r;
	size_t                             n;
	const char                        *funding, *insurer;
	struct catalogue_price_span       *out;
	int                                first;	/* the first choice's rule (-1: no price) */
	bool                               any;		/* a choice was added */
};

/* Adds the choice (location_id, st); returns its rule (-1: no price). */
static int
price_walk_add(struct price_walk *w, const char *location_id, enum booking_session_type st)
{
	struct catalogue_price *low = &w->out->low;
	int i = catalogue_price_pick(w->r, w->n, location_id, st, w->funding, w->insurer);
	long long gap;

	if (!w->any)
		w->first = i;
	else if (!price_alike(w->r, w->first, i))
		w->out->varies = true;
	w->any = true;
	if (i < 0)
		return i;
	gap = w->r[i].fee - w->r[i].rebate;
	if (!low->found) {
		catalogue_price_set(low, &w->r[i], w->funding);
	} else {
		long long gap_low = gap < low->gap.amount ? gap : low->gap.amount;

		if (w->r[i].fee < low->fee.amount)
			catalogue_price_set(low, &w->r[i], w->funding);
		low->gap.amount = gap_low;
	}
	return i;
}

/* The choices of one session type: the centre asked for, else each centre the service is
 * offered at (and, for telehealth, none: a practitioner's own hours). ncentres 0 with no
 * centre asked for: one choice at no centre. */
static void
price_walk_type(struct price_walk *w, const char *const *centres, size_t ncentres,
    const char *location_id, enum booking_session_type st)
{
	int first = -2;	/* the rule of this type's first centre; -2: none walked yet */

	if (ncentres == 0) {
		(void)price_walk_add(w, location_id, st);
		return;
	}
	if (st == BOOKING_TELEHEALTH)
		first = price_walk_add(w, NULL, st);
	for (size_t c = 0; c < ncentres; c++) {
		int i = price_walk_add(w, centres[c], st);

		if (first == -2)
			first = i;
		else if (!price_alike(w->r, first, i))
			w->out->by_centre = true;
	}
}

void
catalogue_price_span(const struct catalogue_price_rule *r, size_t n, const char *const *centres,
    size_t ncentres, const char *location_id, enum booking_session_type st, bool in_person,
    bool telehealth, const char *funding, const char *insurer, struct catalogue_price_span *out)
{
	struct price_walk w = { .r = r, .n = n, .funding = funding, .insurer = insurer, .out = out,
		.first = -1 };
	size_t nc = location_id != NULL ? 0 : ncentres;
	bool ip = st == BOOKING_SESSION_ANY ? in_person : st == BOOKING_IN_PERSON;
	bool th = st == BOOKING_SESSION_ANY ? telehealth : st == BOOKING_TELEHEALTH;

	memset(out, 0, sizeof *out);
	if (funding == NULL)
		return;
	if (ip)
		price_walk_type(&w, centres, nc, location_id, BOOKING_IN_PERSON);
	if (th)
		price_walk_type(&w, centres, nc, location_id, BOOKING_TELEHEALTH);
	/* a centre whose in-person and telehealth prices differ: the type decides */
	for (size_t c = 0; ip && th && c < (nc > 0 ? nc : 1); c++) {
		const char *at = nc > 0 ? centres[c] : location_id;

		if (!price_alike(r, catalogue_price_pick(r, n, at, BOOKING_IN_PERSON, funding, insurer),
		    catalogue_price_pick(r, n, at, BOOKING_TELEHEALTH, funding, insurer)))
			out->by_type = true;
	}
}
