/* book.h: what the booking wizard's pages (book.c) share with the text they show
 * (book_text.c): money, dates and times as a patient reads them, and labels for the
 * clinic's codes. Private to web/. Strings returned are arena-owned or static. */
#ifndef KAIROS_WEB_BOOK_H
#define KAIROS_WEB_BOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "catalogue/catalogue.h"
#include "core/core.h"
#include "core/tz.h"

struct json_object;

#define BOOK_TEXT_MAX 512	/* bytes of one formatted string (a label, a date, a sum) */

/* vsnprintf into the arena, cut at BOOK_TEXT_MAX. */
char *book_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* o[key] = value ("" for NULL), o[key] = v. key must be a string literal: it is kept, not
 * copied. */
void  book_put(struct json_object *o, const char *key, const char *value);
void  book_bool(struct json_object *o, const char *key, bool v);

/* A word for a code the clinic typed ("adhd" → "ADHD", "eating_disorders" → "Eating
 * disorders", a language code → its English name); "Anxiety, Depression" for a list. */
const char *book_label(struct arena *a, const char *code);
const char *book_labels(struct arena *a, const char *const *codes, size_t n);

/* "$220.00", "−$98.50" (AUD, NZD, USD, CAD, GBP, EUR, INR by symbol; others by code). */
const char *book_money(struct arena *a, const struct catalogue_money *m);
/* partials/price for p ({caption, rows [{label, amount, main}]}), or NULL when no price rule
 * matched. A new object, the caller's. */
struct json_object *book_price(struct arena *a, const struct catalogue_price *p);
/* The same for what a price may come to before a centre and a type are chosen: the one
 * price when every choice has it, else "From" the lowest fee (and gap, with a rebate) and
 * what it depends on; NULL when no choice has a price. A new object, the caller's. */
struct json_object *book_price_span(struct arena *a, const struct catalogue_price_span *s);

extern const char *const book_weekdays[7];	/* "Sunday" … */
extern const char *const book_months[12];	/* "January" … */
/* "9:00 am" */
const char *book_clock(struct arena *a, const struct tz_civil *c);
/* t in z: "Tue 1 Dec, 9:00 am", or with full "Tuesday 1 December 2026, 9:00 am"; "" out of
 * z's range. */
const char *book_when(struct arena *a, const struct tz_zone *z, tz_instant t, bool full);
/* The local date of t in z, as days since 1970-01-01. */
int64_t     book_local_day(const struct tz_zone *z, tz_instant t);
/* Days since 1970-01-01 as YYYY-MM-DD (back: catalogue_day). */
const char *book_date(struct arena *a, int64_t day);

#endif
