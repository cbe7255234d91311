/* valid: the shapes of people's details, checked once for pages and the JSON API alike (phone
 * numbers: core/phone.h). Each returns NULL when the value is acceptable, else a message to
 * show by the field. */
#ifndef KAIROS_CORE_VALID_H
#define KAIROS_CORE_VALID_H

#include <stdbool.h>
#include <stddef.h>

#define VALID_NAME_MAX   200	/* characters of a person's name (users.name) */
#define VALID_EMAIL_MAX  254	/* RFC 5321's path limit */

/* addr-spec shape: one "@", a dotted domain, no spaces or controls, valid UTF-8. */
const char *valid_email(const char *s);
/* A real calendar date YYYY-MM-DD from 1900-01-01 up to yesterday. */
const char *valid_birth_date(const char *s);
/* Whether s is a UUID in its text form, 8-4-4-4-12 hex digits (any case). Ids in URLs and
 * bodies are checked with it before they reach SQL, so a malformed one is a 4xx, not a
 * failed query. */
bool valid_uuid(const char *s);
/* 1..max characters of valid UTF-8 without control characters (names, subjects). */
const char *valid_text(const char *s, size_t max, const char *what_empty);

#endif
