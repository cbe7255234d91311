/* book_text.c: the booking wizard's words for money, dates, times and the clinic's codes
 * (book.h). */
#include "web/web.h"
#include "web/book.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

char *
book_printf(struct arena *a, const char *fmt, ...)
{
	char tmp[BOOK_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return arena_strdup(a, tmp);
}

/* Keys are string literals (book.h): json-c keeps them as they are instead of copying each
 * (a page of 50 cards adds thousands). */
void
book_put(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add_ex(o, key, json_object_new_string(value ? value : ""),
	    JSON_C_OBJECT_KEY_IS_CONSTANT);
}

void
book_bool(struct json_object *o, const char *key, bool v)
{
	json_object_object_add_ex(o, key, json_object_new_boolean(v), JSON_C_OBJECT_KEY_IS_CONSTANT);
}

/* A word for a code the clinic typed ("adhd" → "ADHD", "eating_disorders" → "Eating
 * disorders"; a language code → its English name). Arena-owned or static. */
const char *
book_label(struct arena *a, const char *code)
{
	static const struct { const char *code, *label; } known[] = {
		{ "adhd", "ADHD" }, { "ocd", "OCD" }, { "ptsd", "PTSD" }, { "asd", "Autism (ASD)" },
		{ "lgbtiq", "LGBTIQA+" }, { "lgbtiqa", "LGBTIQA+" },
		{ "ar", "Arabic" }, { "de", "German" }, { "el", "Greek" }, { "en", "English" },
		{ "es", "Spanish" }, { "fr", "French" }, { "hi", "Hindi" }, { "it", "Italian" },
		{ "ja", "Japanese" }, { "ko", "Korean" }, { "pa", "Punjabi" }, { "pt", "Portuguese" },
		{ "ru", "Russian" }, { "ta", "Tamil" }, { "tl", "Tagalog" }, { "tr", "Turkish" },
		{ "ur", "Urdu" }, { "vi", "Vietnamese" }, { "zh", "Chinese" }, { "yue", "Cantonese" },
		{ "cmn", "Mandarin" }, { "auslan", "Auslan" },
	};
	char *out;

	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (strcmp(code, known[i].code) == 0)
			return known[i].label;
	out = arena_strdup(a, code);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
	if (*out >= 'a' && *out <= 'z')
		*out = (char)(*out - 'a' + 'A');
	return out;
}

/* "Anxiety, Depression" from codes. */
const char *
book_labels(struct arena *a, const char *const *codes, size_t n)
{
	struct buf b = BUF_ARENA(a);

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, book_label(a, codes[i]));
	}
	return buf_cstr(&b);
}

const char *
book_money(struct arena *a, const struct catalogue_money *m)
{
	static const struct { const char *code, *symbol; } symbols[] = {
		{ "AUD", "$" }, { "NZD", "$" }, { "USD", "$" }, { "CAD", "$" }, { "GBP", "£" },
		{ "EUR", "€" }, { "INR", "₹" },
	};
	const char *symbol = NULL;
	long long v = m->amount < 0 ? -m->amount : m->amount;

	for (size_t i = 0; i < sizeof symbols / sizeof *symbols; i++)
		if (strcmp(m->currency, symbols[i].code) == 0)
			symbol = symbols[i].symbol;
	/* every currency these clinics use has two minor digits */
	return symbol ? book_printf(a, "%s%s%lld.%02lld", m->amount < 0 ? "−" : "", symbol,
	    v / 100, v % 100) : book_printf(a, "%s %s%lld.%02lld", m->currency,
	    m->amount < 0 ? "−" : "", v / 100, v % 100);
}

/* A row of partials/price; from: the lowest of several ("From $200.00"). */
static void
book_price_row(struct arena *a, struct json_object *rows, const char *label,
    const struct catalogue_money *m, bool main, bool from)
{
	struct json_object *r = json_object_new_object();

	book_put(r, "label", label);
	book_put(r, "amount", from ? book_printf(a, "From %s", book_money(a, m)) : book_money(a, m));
	book_bool(r, "main", main);
	json_object_array_add(rows, r);
}

/* The caption of a price of p's funding. */
static const char *
book_price_caption(struct arena *a, const struct catalogue_price *p)
{
	if (strcmp(p->funding, "medicare") == 0)
		return "Price with a Medicare rebate";
	if (strcmp(p->funding, "insurer") == 0)
		return book_printf(a, "Price with %s", p->insurer ? p->insurer : "your insurer");
	if (strcmp(p->funding, "concession") == 0)
		return "Concession price";
	return "Price";
}

static const char *
book_fee_label(struct arena *a, const struct catalogue_price *p)
{
	return strcmp(p->funding, "package") == 0 ? book_printf(a, "Package of %d sessions",
	    p->package_sessions) : "Fee";
}

/* partials/price for p, or NULL when no price rule matched. */
struct json_object *
book_price(struct arena *a, const struct catalogue_price *p)
{
	struct json_object *price, *rows;
	bool rebate;

	if (!p->found)
		return NULL;
	rebate = p->rebate.amount > 0;
	price = json_object_new_object();
	rows = json_object_new_array();
	book_put(price, "caption", book_price_caption(a, p));
	book_price_row(a, rows, book_fee_label(a, p), &p->fee, !rebate, false);
	if (rebate) {
		struct catalogue_money back = p->rebate;

		back.amount = -back.amount;
		book_price_row(a, rows, strcmp(p->funding, "medicare") == 0 ? "Medicare rebate" :
		    "Insurer rebate", &back, false, false);
		book_price_row(a, rows, "You pay after the rebate", &p->gap, true, false);
	}
	json_object_object_add(price, "rows", rows);
	return price;
}

struct json_object *
book_price_span(struct arena *a, const struct catalogue_price_span *s)
{
	const struct catalogue_price *low = &s->low;
	struct json_object *price, *rows;
	bool rebate;

	if (!low->found || !s->varies)
		return book_price(a, low);
	rebate = strcmp(low->funding, "medicare") == 0 || strcmp(low->funding, "insurer") == 0;
	price = json_object_new_object();
	rows = json_object_new_array();
	book_put(price, "caption", book_printf(a, "%s, depending on the %s", book_price_caption(a, low),
	    s->by_centre && !s->by_type ? "centre" : s->by_type && !s->by_centre ? "type of session" :
	    "centre and type of session"));
	book_price_row(a, rows, book_fee_label(a, low), &low->fee, !rebate, true);
	if (rebate)	/* the rebate itself differs with the fee: the gap is what matters */
		book_price_row(a, rows, "You pay after the rebate", &low->gap, true, true);
	json_object_object_add(price, "rows", rows);
	return price;
}

const char *const book_weekdays[7] = { "Sunday", "Monday", "Tuesday", "Wednesday",
	"Thursday", "Friday", "Saturday" };
const char *const book_months[12] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };

/* "9:00 am" */
const char *
book_clock(struct arena *a, const struct tz_civil *c)
{
	return book_printf(a, "%d:%02d %s", c->hour % 12 ? c->hour % 12 : 12, c->minute,
	    c->hour < 12 ? "am" : "pm");
}

/* t in z: "Tue 1 Dec, 9:00 am" (short), or "Tuesday 1 December 2026, 9:00 am". */
const char *
book_when(struct arena *a, const struct tz_zone *z, tz_instant t, bool full)
{
	struct tz_local l;
	int wd;

	if (tz_utc_to_local(z, t, &l) != TZ_OK)
		return "";
	wd = tz_weekday(l.civil.year, l.civil.month, l.civil.day);
	if (full)
		return book_printf(a, "%s %d %s %d, %s", book_weekdays[wd], l.civil.day,
		    book_months[l.civil.month - 1], l.civil.year, book_clock(a, &l.civil));
	return book_printf(a, "%.3s %d %.3s, %s", book_weekdays[wd], l.civil.day,
	    book_months[l.civil.month - 1], book_clock(a, &l.civil));
}

/* The local date of t in z, as days since 1970-01-01. */
int64_t
book_local_day(const struct tz_zone *z, tz_instant t)
{
	struct tz_local l;

	if (tz_utc_to_local(z, t, &l) != TZ_OK)
		return 0;
	return tz_days_from_civil(l.civil.year, l.civil.month, l.civil.day);
}

const char *
book_date(struct arena *a, int64_t day)
{
	int y, m, d;

	tz_civil_from_days(day, &y, &m, &d);
	return book_printf(a, "%04d-%02d-%02d", y, m, d);
}
