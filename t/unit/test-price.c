/* catalogue/price.c: which price rule prices a session — the most specific one that
 * matches (location and session type, then location, then session type, then neither);
 * funding must match exactly, the insurer case aside; a rule naming a location or session
 * type never prices a request that names none; no match is -1. catalogue_price_span: what
 * the price may come to before a centre and a session type are chosen (step 1). */
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
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "insurer", "bupa"), 5,
	    "insurer bupa: Bupa's rule (the case a patient types does not matter)");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "insurer", "hCf"), 6, "insurer hCf: HCF's");
	/* folded as PostgreSQL's lower() folds them, accents included (0027's unique index) */
	ok(catalogue_insurer_same("Émile Health", "émile health") &&
	    catalogue_insurer_same("ÉMILE HEALTH", "émile health") &&
	    catalogue_insurer_same("Østfold Ωmega", "østfold ωMEGA"),
	    "insurer names with accented and Greek capitals match their lower case");
	ok(!catalogue_insurer_same("Émile", "Emile") && !catalogue_insurer_same("émile", "émil") &&
	    !catalogue_insurer_same("bupa", "bupa\xff") && !catalogue_insurer_same(NULL, "x"),
	    "... but not without the accent, a shorter name, bytes that are not UTF-8, or none");
	is_int(catalogue_price_pick(rules, N, NULL, ANY, "insurer", "Bupa Health"), -1,
	    "but another name is another insurer");
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

	/* the span step 1 shows: private, a service offered at A and B in person and by video.
	 * In person: A 26000 (rule 3), B 22000 (0); telehealth: from nowhere or B 20000 (1), at
	 * A 24000 (2). */
	{
		static const char *const both[] = { LOC_A, LOC_B };
		struct catalogue_price_span sp;

		catalogue_price_span(rules, N, both, 2, NULL, ANY, true, true, "private", NULL, &sp);
		ok(sp.low.found && sp.varies && sp.by_centre && sp.by_type,
		    "any centre, any type: varies by centre and by type");
		is_int((int)sp.low.fee.amount, 20000, "... from the lowest fee (telehealth)");
		catalogue_price_span(rules, N, both, 2, NULL, IN, true, true, "private", NULL, &sp);
		ok(sp.varies && sp.by_centre && !sp.by_type, "in person, any centre: by centre only");
		is_int((int)sp.low.fee.amount, 22000, "... from B's 22000");
		catalogue_price_span(rules, N, both, 2, LOC_A, ANY, true, true, "private", NULL, &sp);
		ok(sp.varies && !sp.by_centre && sp.by_type, "at A, any type: by type only");
		is_int((int)sp.low.fee.amount, 24000, "... from A's telehealth 24000");
		catalogue_price_span(rules, N, both, 2, LOC_B, IN, true, true, "private", NULL, &sp);
		ok(sp.low.found && !sp.varies, "centre and type chosen: one price");
		is_int((int)sp.low.fee.amount, 22000, "... the one catalogue_price_pick picks");
		catalogue_price_span(rules, N, both + 1, 1, NULL, ANY, false, true, "private", NULL, &sp);
		ok(sp.low.found && !sp.varies, "telehealth only, offered at B: one price");
		is_int((int)sp.low.fee.amount, 20000, "... 20000");
		catalogue_price_span(rules, N, both, 2, NULL, ANY, true, true, "medicare", NULL, &sp);
		ok(sp.low.found && !sp.varies && sp.low.gap.amount == 12200,
		    "Medicare has one rule for all: one price, gap 12200");
		catalogue_price_span(rules, N, both, 2, NULL, ANY, true, true, "concession", NULL, &sp);
		ok(sp.low.found && sp.varies && sp.low.fee.amount == 9000 && sp.by_centre,
		    "concession only by video at B: priced from 9000, varying (elsewhere: none)");
		catalogue_price_span(rules, N, both, 2, NULL, ANY, true, true, "insurer", "nib", &sp);
		ok(!sp.low.found && !sp.varies, "an insurer with no rule: no price anywhere");
		catalogue_price_span(rules, N, NULL, 0, NULL, ANY, true, false, "private", NULL, &sp);
		ok(sp.low.found && !sp.varies && sp.low.fee.amount == 22000,
		    "offered nowhere yet: the general price");
	}
	/* the lowest fee and the lowest gap may come from different rules */
	{
		static const struct catalogue_price_rule mc[] = {
			{ NULL,  ANY, "medicare", NULL, 22000, 9800, 0, "AUD" },
			{ LOC_A, ANY, "medicare", NULL, 25000, 14000, 0, "AUD" },
		};
		static const char *const a_and_b[] = { LOC_A, LOC_B };
		struct catalogue_price_span sp;

		catalogue_price_span(mc, 2, a_and_b, 2, NULL, IN, true, false, "medicare", NULL, &sp);
		ok(sp.varies && sp.low.fee.amount == 22000 && sp.low.gap.amount == 11000,
		    "from fee 22000 (B) and from gap 11000 (A)");
	}
	return tap_done();
}
