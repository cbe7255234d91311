/* test-phone: phone numbers as people type them, read into E.164 (src/core/phone.h), and
 * the cost of one parse. */
#include "core/clock.h"
#include "core/phone.h"
#include "tap.h"

#include <string.h>

#define PHONE_BENCH_PARSES 2000	/* enough parses for a steady per-parse figure */

/* Whether s, read in region, is the number want. */
static void
reads_as(const char *s, const char *region, const char *want)
{
	char out[PHONE_E164_SIZE];
	enum phone_result r = phone_parse(s, strlen(s), region, out);

	if (!ok(r == PHONE_OK && strcmp(out, want) == 0, "%s: \"%s\" is %s", region ? region : "-", s, want))
		diag("result %d, out \"%s\"", (int)r, out);
}

static void
refused(const char *s, size_t n, const char *region, enum phone_result want, const char *why)
{
	char out[PHONE_E164_SIZE] = "junk";
	enum phone_result r = phone_parse(s, n, region, out);

	if (!ok(r == want && out[0] == '\0', "%s: refused, %s", region ? region : "-", why))
		diag("result %d (want %d), out \"%s\"", (int)r, (int)want, out);
}

#define REFUSED(s, region, want, why) refused((s), strlen(s), (region), (want), (why))

/* Whether s, read in region, is the number want and can receive texts. */
static void
mobile(const char *s, const char *region, const char *want)
{
	char out[PHONE_E164_SIZE];
	enum phone_result r = phone_parse_mobile(s, strlen(s), region, out);

	if (!ok(r == PHONE_OK && strcmp(out, want) == 0, "%s: \"%s\" is %s, and takes texts", region, s, want))
		diag("result %d, out \"%s\"", (int)r, out);
}

/* Whether s is a number in use that cannot receive texts. */
static void
not_mobile(const char *s, const char *region, const char *why)
{
	char out[PHONE_E164_SIZE] = "junk";
	enum phone_result r = phone_parse_mobile(s, strlen(s), region, out);

	if (!ok(r == PHONE_NOT_MOBILE && out[0] == '\0', "%s: %s is refused as no mobile", region, why))
		diag("result %d (want %d), out \"%s\"", (int)r, (int)PHONE_NOT_MOBILE, out);
}

int
main(void)
{
	char out[PHONE_E164_SIZE], longest[PHONE_INPUT_MAX + 2];
	long long t0, t1;

	t0 = clock_mono_us();
	ok(phone_init() == 0, "the metadata loads");
	t1 = clock_mono_us();
	diag("phone_init (the library's metadata): %lld us", t1 - t0);
	ok(phone_init() == 0, "and a second call is harmless");

	/* Australia: international, national, with the trunk 0 kept after the country code */
	reads_as("+61412345678", "AU", "+61412345678");
	reads_as("+61 412 345 678", "AU", "+61412345678");
	reads_as("0412 345 678", "AU", "+61412345678");
	reads_as("0412-345-678", "AU", "+61412345678");
	reads_as("(04) 1234 5678", "AU", "+61412345678");
	reads_as("0412.345.678", "AU", "+61412345678");
	reads_as("(02) 9876 5432", "AU", "+61298765432");
	reads_as("+610400000001", "AU", "+61400000001");
	reads_as("+61 (0)400 000 001", "AU", "+61400000001");
	reads_as("+610400000001", "IN", "+61400000001");
	reads_as("+61400000001", "AU", "+61400000001");
	REFUSED("+6140000000", "AU", PHONE_INVALID, "an Australian mobile one digit short");
	REFUSED("+614000000011", "AU", PHONE_INVALID, "an Australian mobile one digit long");
	REFUSED("0512 345 678", "AU", PHONE_INVALID, "no Australian number starts 05");

	/* New Zealand */
	reads_as("+64 21 123 4567", "AU", "+64211234567");
	reads_as("021 123 4567", "NZ", "+64211234567");
	reads_as("(09) 379-4567", "NZ", "+6493794567");
	REFUSED("021 12", "NZ", PHONE_INVALID, "a New Zealand mobile too short");

	/* India: ten digits, no trunk 0 needed */
	reads_as("98765 43210", "IN", "+919876543210");
	reads_as("098765-43210", "IN", "+919876543210");
	reads_as("+91 98765 43210", "AU", "+919876543210");
	REFUSED("52345 67890", "IN", PHONE_INVALID, "no Indian number starts 52");
	REFUSED("98765 4321", "IN", PHONE_INVALID, "an Indian mobile one digit short");

	/* United Kingdom */
	reads_as("07400 123456", "GB", "+447400123456");
	reads_as("+44 (0)7400 123456", "AU", "+447400123456");
	reads_as("020 7946 0018", "GB", "+442079460018");
	REFUSED("07400 12345", "GB", PHONE_INVALID, "a British mobile one digit short");

	/* United States */
	reads_as("(201) 555-0123", "US", "+12015550123");
	reads_as("201.555.0123", "US", "+12015550123");
	reads_as("+1 201 555 0123", "AU", "+12015550123");
	REFUSED("(555) 555-0123", "US", PHONE_INVALID, "no US area code 555");
	REFUSED("(201) 555-012", "US", PHONE_INVALID, "a US number one digit short");

	/* the country of a national number */
	reads_as("0412 345 678", "AU", "+61412345678");
	REFUSED("0412 345 678", NULL, PHONE_NO_COUNTRY, "national format, no default region");
	REFUSED("0412 345 678", "", PHONE_NO_COUNTRY, "national format, empty region");
	REFUSED("98765 43210", "AU", PHONE_INVALID, "an Indian national number read in Australia");
	ok(phone_region_known("AU") && phone_region_known("NZ") && phone_region_known("IN") &&
	    phone_region_known("GB") && phone_region_known("US"), "AU, NZ, IN, GB and US are regions");
	ok(!phone_region_known("XX") && !phone_region_known("au") && !phone_region_known("AUS") &&
	    !phone_region_known("") && !phone_region_known(NULL) && !phone_region_known("ZZ"),
	    "unknown, lower case, alpha-3, empty, NULL and the library's ZZ are not");

	/* hostile or careless input: refused, never cut */
	REFUSED("", "AU", PHONE_EMPTY, "empty");
	REFUSED("   ", "AU", PHONE_EMPTY, "blanks");
	ok(phone_parse(NULL, 0, "AU", out) == PHONE_EMPTY && out[0] == '\0', "NULL reads as empty");
	REFUSED("+", "AU", PHONE_NOT_A_NUMBER, "a lone +");
	REFUSED("--()", "AU", PHONE_EMPTY, "only layout characters");
	refused("0412345678\0" "99", 13, "AU", PHONE_BAD_CHARACTER, "a NUL inside (not read as the end)");
	refused("\0" "0412345678", 11, "AU", PHONE_BAD_CHARACTER, "a NUL first");
	REFUSED("0412345678x", "AU", PHONE_BAD_CHARACTER, "a trailing letter (the library would drop it)");
	REFUSED("0412 345 678 ext 12", "AU", PHONE_BAD_CHARACTER, "an extension");
	REFUSED("tel:+61412345678", "AU", PHONE_BAD_CHARACTER, "a tel: URI");
	REFUSED("call me", "AU", PHONE_BAD_CHARACTER, "words");
	REFUSED("+61 \xef\xbc\x94\xef\xbc\x91\xef\xbc\x92 345 678", "AU", PHONE_BAD_CHARACTER,
	    "full-width digits (the library would read them)");
	REFUSED("\xd9\xa0\xd9\xa4\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7\xd9\xa8",
	    "AU", PHONE_BAD_CHARACTER, "Arabic-Indic digits");
	REFUSED("0412\xff" "345678", "AU", PHONE_BAD_CHARACTER, "a byte that is not UTF-8");
	REFUSED("0412\t345678", "AU", PHONE_BAD_CHARACTER, "a tab");
	REFUSED("0412345678+", "AU", PHONE_BAD_CHARACTER, "a + after the digits");
	REFUSED("++61412345678", "AU", PHONE_BAD_CHARACTER, "two +");
	REFUSED("+0412345678", "AU", PHONE_INVALID, "country code 0");
	REFUSED("+999 412345678", "AU", PHONE_INVALID, "no country 999");
	REFUSED("+6141234567890123", "AU", PHONE_INVALID, "16 digits: beyond E.164");
	memset(longest, '1', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	REFUSED(longest, "AU", PHONE_TOO_LONG, "one byte over PHONE_INPUT_MAX");
	longest[0] = '+';
	longest[1] = '6';
	memset(longest + 2, ' ', PHONE_INPUT_MAX - 12);
	memcpy(longest + PHONE_INPUT_MAX - 10, "1412345678", 11);	/* exactly PHONE_INPUT_MAX bytes */
	ok(strlen(longest) == PHONE_INPUT_MAX, "(the next input is PHONE_INPUT_MAX bytes)");
	reads_as(longest, "AU", "+61412345678");
	{
		static char huge[1 << 20];

		memset(huge, '4', sizeof huge - 1);
		REFUSED(huge, "AU", PHONE_TOO_LONG, "a megabyte of digits");
	}
	REFUSED("0412 345 678", "au", PHONE_ERROR, "a region not in shape is the caller's mistake");

	/* numbers that can receive texts (issue 12 item 2): mobiles, and the numbers the
	 * library cannot tell from them (the US and Canada); not landlines, 1300/13, toll-free,
	 * VoIP, personal (forwarding) numbers or pagers, though each is a number in use */
	mobile("0412 345 678", "AU", "+61412345678");
	mobile("+61400000001", "AU", "+61400000001");
	mobile("021 123 4567", "NZ", "+64211234567");
	mobile("98765 43210", "IN", "+919876543210");
	mobile("07400 123456", "GB", "+447400123456");
	mobile("(201) 555-0123", "US", "+12015550123");
	mobile("+1 201 555 0123", "AU", "+12015550123");
	not_mobile("(02) 9876 5432", "AU", "an Australian landline");
	not_mobile("+61 3 9000 0000", "AU", "an Australian landline with its country code");
	not_mobile("1300 123 456", "AU", "an Australian 1300 number (shared cost)");
	not_mobile("13 12 34", "AU", "an Australian 13 number");
	not_mobile("1800 123 456", "AU", "an Australian 1800 number (toll-free)");
	not_mobile("(09) 379-4567", "NZ", "a New Zealand landline");
	not_mobile("0800 123 456", "NZ", "a New Zealand 0800 number");
	not_mobile("011 2345 6789", "IN", "an Indian landline");
	not_mobile("020 7946 0018", "GB", "a London landline");
	not_mobile("056 1234 5678", "GB", "a British VoIP number");
	not_mobile("070 1234 5678", "GB", "a British personal (forwarding) number");
	not_mobile("(800) 555-0123", "US", "a US toll-free number");
	ok(phone_parse_mobile("0412 345", 8, "AU", out) == PHONE_INVALID,
	    "a number not in use is still PHONE_INVALID, not PHONE_NOT_MOBILE");
	ok(phone_parse_mobile("0412x", 5, "AU", out) == PHONE_BAD_CHARACTER, "... and a letter still a bad character");
	ok(phone_parse("(02) 9876 5432", 14, "AU", out) == PHONE_OK, "phone_parse still takes a landline");
	is_str(phone_message(PHONE_NOT_MOBILE), "Enter a mobile number: this number cannot receive text messages",
	    "the message names what to do and why");

	/* examples for hints, from the library's metadata */
	{
		char nat[PHONE_EXAMPLE_SIZE], intl[PHONE_EXAMPLE_SIZE];

		ok(phone_example("AU", nat, intl) == 0, "an Australian example");
		is_str(nat, "0412 345 678", "national");
		is_str(intl, "+61 412 345 678", "international");
		ok(phone_example("IN", nat, intl) == 0 && phone_parse(nat, strlen(nat), "IN", out) == PHONE_OK,
		    "an Indian example (%s) reads back", nat);
		ok(phone_example("XX", nat, intl) == -1 && *nat == '\0' && *intl == '\0', "none for XX");
	}

	/* the messages by the field */
	ok(phone_message(PHONE_OK) == NULL, "no message for a good number");
	for (int r = PHONE_EMPTY; r <= PHONE_ERROR; r++)
		ok(phone_message((enum phone_result)r) != NULL && *phone_message((enum phone_result)r) != '\0',
		    "a message for result %d", r);
	ok(phone_check("0412 345 678", "AU", out) == NULL && strcmp(out, "+61412345678") == 0,
	    "phone_check: NULL and the E.164 form");
	ok(phone_check(NULL, "AU", out) != NULL && out[0] == '\0', "phone_check: NULL is empty");

	/* the cost of one parse, metadata loaded (a diagnostic: tests never fail on timing) */
	t0 = clock_mono_us();
	for (int i = 0; i < PHONE_BENCH_PARSES; i++)
		phone_parse(i % 2 ? "0412 345 678" : "+91 98765 43210", i % 2 ? 12 : 15, "AU", out);
	t1 = clock_mono_us();
	diag("one parse: %.1f us (mean of %d, national and international)",
	    (double)(t1 - t0) / PHONE_BENCH_PARSES, PHONE_BENCH_PARSES);
	return tap_done();
}
