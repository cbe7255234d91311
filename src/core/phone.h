/* phone: people's phone numbers, read as they type them and kept in one canonical form.
 *
 * A number may come in international format (+61 412 345 678) or in the clinic's national
 * format (0412 345 678 in Australia, 98765 43210 in India), with spaces, dashes, dots or
 * brackets. It is accepted only when it is a number in use for its country (Google's
 * libphonenumber metadata) and comes back as E.164, so one person has one number: the same
 * throttle bucket, the same account, however it was typed. "+610412345678" (a trunk 0 kept
 * after the country code) reads as +61412345678.
 *
 * A number that codes and messages go to must also be able to receive them
 * (phone_parse_mobile): the library's number type is MOBILE, or FIXED_LINE_OR_MOBILE where the
 * numbering plan does not tell them apart (the US and Canada: a code to a US landline is
 * queued and never read, which no check can prevent). Every other type is refused, though each
 * is a number in use: landlines; 13, 1300 and 1800 numbers, toll-free and premium ones; VoIP
 * (their SMS support depends on the provider, and most cannot receive one); personal numbers
 * (British 070: forwarding, notorious for fraud), pagers, UAN and voicemail.
 *
 * Nothing typed is silently dropped: letters, an extension, a NUL or any character other
 * than ASCII digits, spaces, - . ( ) / and one leading + are refused, never cut away.
 *
 * The library is C++; this header is the C boundary, and no exception crosses it. */
#ifndef KAIROS_CORE_PHONE_H
#define KAIROS_CORE_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PHONE_E164_SIZE   17	/* "+", at most 15 digits (ITU-T E.164), the NUL */
#define PHONE_INPUT_MAX   40	/* bytes of typed input: room for the longest number with
				 * spaces and brackets; anything longer is refused, not cut */
#define PHONE_REGION_SIZE 3	/* ISO 3166-1 alpha-2 and the NUL */

enum phone_result {
	PHONE_OK = 0,
	PHONE_EMPTY,		/* nothing but blanks */
	PHONE_TOO_LONG,		/* more than PHONE_INPUT_MAX bytes */
	PHONE_BAD_CHARACTER,	/* a letter, an extension, a NUL, a non-ASCII digit, ... */
	PHONE_NOT_A_NUMBER,	/* the digits do not read as a phone number at all */
	PHONE_NO_COUNTRY,	/* national format, and no default region to read it in */
	PHONE_INVALID,		/* not a number in use in its country (too short, unassigned) */
	PHONE_NOT_MOBILE,	/* in use, but cannot receive texts (phone_parse_mobile only) */
	PHONE_ERROR		/* the library failed (out of memory): not the person's fault */
};

/* Loads the library's metadata (some milliseconds, once per process). Call it before
 * forking workers, so each worker shares the loaded copy instead of paying on its first
 * request; phone_parse calls it itself otherwise. 0, or -1 when the library failed. */
int phone_init(void);

/* Whether region is an ISO 3166-1 alpha-2 code the library has numbers for ("AU", "IN"). */
bool phone_region_known(const char *region);

/* Reads s[0..n) (n bytes: a NUL inside is refused, not a terminator) as a phone number.
 * A national number is read as region's (ISO 3166-1 alpha-2, e.g. "AU"; NULL or "" allows
 * international format only). On PHONE_OK, out holds the E.164 form; otherwise out is "". */
enum phone_result phone_parse(const char *s, size_t n, const char *region,
	char out[PHONE_E164_SIZE]);

/* phone_parse, and then the number must be one that can receive text messages (SMS,
 * WhatsApp): PHONE_NOT_MOBILE when it is in use but cannot (a landline, 1300). */
enum phone_result phone_parse_mobile(const char *s, size_t n, const char *region,
	char out[PHONE_E164_SIZE]);

/* A mobile number of region as its people write it (national, "0412 345 678") and with
 * its country code (international, "+61 412 345 678"), for hints by phone fields. Each is
 * written into a buffer of PHONE_EXAMPLE_SIZE. 0, or -1 (both "") for an unknown region. */
#define PHONE_EXAMPLE_SIZE 32
int phone_example(const char *region, char national[PHONE_EXAMPLE_SIZE],
	char international[PHONE_EXAMPLE_SIZE]);

/* The message to show by a phone field for r (NULL for PHONE_OK). Static strings. */
const char *phone_message(enum phone_result r);

/* phone_parse of a C string, as the valid_* checks go: NULL when s is a valid number (its
 * E.164 form then in out), else the message for the field. NULL s reads as empty. */
const char *phone_check(const char *s, const char *region, char out[PHONE_E164_SIZE]);

#ifdef __cplusplus
}
#endif

#endif
