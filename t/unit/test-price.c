/* catalogue/price.c: which price rule prices a session — the most specific one that
 * matches (location and session type, then location, then session type, then neither);
 * funding and insurer must match exactly; a rule naming a location or session type never
 * prices a request that names none; no match is -1. */
#include "catalogue/catalogue.h"
#include "tap.h"

#define LOC_A "11111111-1111-4111-8111-111111111111"
#define LOC_B "22222222-2222-4222-8222-222222222222"
#define ANY   BOOKING_SESSION_ANY
#define IN    BOOKING_IN_PERSON
#define TELE  BOOKING_TELEHEALTH

static const struct catalogue_price_rule rules[] = {
	/* 0 */ { NULL,  ANY,  "private",  NULL,  22000, 0,    0, "AUD" },
	/* 1 */ { NULL,  TELE, "private",  NULL,  20000, 0,    0, "AUD" },
	/* 2 */ { LOC_A, ANY,  "private",  NULL,  24000, 0,    0, "AUD" },
	/* 3 */ { LOC_A, IN,   "private",  NULL,  26000, 0,    0, "AUD" },
	/* 4 */ { NULL,  ANY,  "medicare", NULL,  22000, 9800, 0, "AUD" },
	/* 5 */ { NULL,  ANY,  "insurer",  "Bupa", 22000, 6000, 0, "AUD" },
	/* 6 */ { NULL,  ANY,  "insurer",  "HCF",  22000, 5000, 0, "AUD" },
	/* 7 */ { LOC_B, TELE, "concession", NULL, 9000, 0,    0, "AUD" },
	/* 8 */ { NULL,  ANY,  "package",  NULL,  100000, 0,  5, "AUD" },
};
#define N (sizeof rules / sizeof rules[0])

int
main(void)
{
	/* specificity, each level */
	is_int(catalogue_price_pick(rules, N, LOC_A, IN, "private", NULL), 3,
	    "location and session type beat everything");
	is_int(catalogue_price_pick(rules, N, LOC_A, TELE, "private", NULL), 2,
	    "location beats session type (telehealth at A: the location rule)");
	is_int(catalogue_price_pick(rules, N, LOC_A, ANY, "private", NULL), 2,
	    "location only, no session type asked");
	is_int(catalogue_price_pick(rules, N, LOC_B, TELE, "private", NULL), 1,
	    "session type when no rule names the location");
	is_int(catalogue_price_pick(rules, N, LOC_B, IN, "private", NULL), 0,
	    "the general rule when nothing more specific matches");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "private", NULL), 0,
	    "nothing chosen: only the rule naming neither applies");
	is_int(catalogue_price_pick(rules, N, NULL, TELE, "private", NULL), 1,
	    "session type only");

	/* the order of the table does not matter */
	{
		struct catalogue_price_rule rev[N];

		for (size_t i = 0; i < N; i++)
			rev[i] = rules[N - 1 - i];
		is_int(catalogue_price_pick(rev, N, LOC_A, IN, "private", NULL), (int)(N - 1 - 3),
		    "reversed table: still the most specific");
		is_int(catalogue_price_pick(rev, N, LOC_B, IN, "private", NULL), (int)(N - 1 - 0),
		    "reversed table: still the general rule");
	}

	/* funding and insurer */
	is_int(catalogue_price_pick(rules, N, LOC_A, IN, "medicare", NULL), 4,
	    "Medicare: its own rule, not a private one");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "insurer", "HCF"), 6, "insurer HCF");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "insurer", "Bupa"), 5, "insurer Bupa");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "insurer", "Medibank"), -1,
	    "an insurer with no rule: no price");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "insurer", NULL), -1,
	    "insurer funding without a name: no price");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "package", NULL), 8, "package");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, NULL, NULL), -1, "no funding: no price");

	/* a rule naming a location or session type never prices a request naming none */
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "concession", NULL), -1,
	    "concession at B, telehealth: not for a request naming neither");
	is_int(catalogue_price_pick(rules, N, LOC_B, ANY, "concession", NULL), -1,
	    "nor for B without a session type");
	is_int(catalogue_price_pick(rules, N, NULL, TELE, "concession", NULL), -1,
	    "nor for telehealth without a location");
	is_int(catalogue_price_pick(rules, N, LOC_B, TELE, "concession", NULL), 7,
	    "but for B and telehealth");
	is_int(catalogue_price_pick(rules, N, LOC_A, TELE, "concession", NULL), -1,
	    "and not for another location");
	is_int(catalogue_price_pick(rules, 0, LOC_A, IN, "private", NULL), -1, "no rules");
	return tap_done();
}
