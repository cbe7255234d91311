/* price.c: which price rule prices a session (BOOK-2). Pure, so the order is unit-tested
 * (t/unit/test-price.c); docs/booking.md, "Prices", states it for admins. */
#include "catalogue/catalogue.h"

#include <string.h>

static bool
price_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
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
	if (strcmp(funding, "insurer") == 0 && !price_same(r->insurer, insurer))
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
	/* migration 0015's price_rules_one keeps one active rule per combination, so ranks
	 * never tie among active rules; the first wins if a caller passes duplicates */
	for (size_t i = 0; i < n; i++) {
		int rank = price_rank(&r[i], location_id, st, funding, insurer);

		if (rank > best_rank) {
			best = (int)i;
			best_rank = rank;
		}
	}
	return best;
}
