/* valid.c: see valid.h. */
#include "core/valid.h"
#include "core/clock.h"
#include "core/utf8.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *
valid_email(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	const char *at, *dot;

	if (n == 0)
		return "Enter an email address";
	at = strchr(s, '@');
	if (n > VALID_EMAIL_MAX || !utf8_valid(s, n) || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL || (dot = strrchr(at, '.')) == NULL || dot == at + 1 ||
	    dot[1] == '\0' || strpbrk(s, " \t\r\n<>()[],;:\\\"") != NULL)
		return "Enter an email address like name@example.com";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "Enter an email address like name@example.com";
	return NULL;
}

const char *
valid_birth_date(const char *s)
{
	struct tm tm = { 0 }, now_tm;
	int y, m, d, used = 0;
	time_t now = (time_t)clock_now(), t;

	if (s == NULL || *s == '\0')
		return "Enter your date of birth";
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10 ||
	    s[4] != '-' || s[7] != '-')
		return "Enter your date of birth as a real date, like 1990-03-27";
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	t = timegm(&tm);
	/* timegm normalises 31 February into March: a changed field means no such day */
	if (t == (time_t)-1 || tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
		return "Enter your date of birth as a real date, like 1990-03-27";
	gmtime_r(&now, &now_tm);
	if (y < 1900)
		return "Enter a date of birth after 1900";
	if (y > now_tm.tm_year + 1900 || (y == now_tm.tm_year + 1900 && (m - 1 > now_tm.tm_mon ||
	    (m - 1 == now_tm.tm_mon && d >= now_tm.tm_mday))))
		return "Your date of birth must be in the past";
	return NULL;
}

const char *
valid_text(const char *s, size_t max, const char *what_empty)
{
	size_t n = s ? strlen(s) : 0, chars = 0;

	if (n == 0 || strspn(s, " \t") == n)
		return what_empty;
	if (!utf8_valid(s, n))
		return "Use only ordinary letters and punctuation";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return "Use only ordinary letters and punctuation";
		if ((c & 0xc0) != 0x80)
			chars++;
	}
	if (chars > max)
		return "That is too long";
	return NULL;
}

bool
valid_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (s == NULL || strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}
