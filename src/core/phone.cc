// phone.cc: see phone.h. The only C++ in Kairos: libphonenumber (Debian's
// libphonenumber-dev) behind a C interface. Every entry point catches everything the
// library or the standard library may throw, so no exception unwinds into C frames.
#include "core/phone.h"

#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

// The library's singleton: built on first use, then never freed (it lives as long as the
// process, as the library intends), so after phone_init a parse only reads it.
const PhoneNumberUtil *
phone_util()
{
	return PhoneNumberUtil::GetInstance();
}

// Only what people use to lay out a number: ASCII digits, blanks and - . ( ) /, and one
// "+" before the first digit. libphonenumber itself would read past letters ("0412345678x"
// as 0412345678), an extension ("ext 12") or full-width digits: here they are refused, so
// what is stored is exactly what was typed, only laid out the one canonical way.
enum phone_result
phone_shape(const char *s, size_t n)
{
	bool digit = false, plus = false;

	if (n > PHONE_INPUT_MAX)
		return PHONE_TOO_LONG;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			digit = true;
		else if (c == '+' && !digit && !plus)
			plus = true;
		else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/')
			return PHONE_BAD_CHARACTER;
	}
	if (!digit)
		return plus ? PHONE_NOT_A_NUMBER : PHONE_EMPTY;
	return PHONE_OK;
}

bool
phone_region_shape(const char *region)
{
	return region != nullptr && region[0] >= 'A' && region[0] <= 'Z' &&
	    region[1] >= 'A' && region[1] <= 'Z' && region[2] == '\0';
}

} // namespace

extern "C" int
phone_init(void)
{
	try {
		return phone_util() != nullptr ? 0 : -1;
	} catch (...) {
		return -1;
	}
}

extern "C" bool
phone_region_known(const char *region)
{
	if (!phone_region_shape(region))
		return false;
	try {
		return phone_util()->GetCountryCodeForRegion(region) != 0;
	} catch (...) {
		return false;
	}
}

namespace {

// Whether number can receive a text message (phone.h says which types, and why).
bool
phone_textable(const PhoneNumberUtil *u, const PhoneNumber &number)
{
	switch (u->GetNumberType(number)) {
	case PhoneNumberUtil::MOBILE:
	case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
		return true;
	default:
		return false;
	}
}

// phone_parse and phone_parse_mobile, which adds that the number must take texts.
enum phone_result
phone_read(const char *s, size_t n, const char *region, bool mobile, char out[PHONE_E164_SIZE])
{
	enum phone_result r;
	bool international;

	out[0] = '\0';
	if (s == nullptr)
		return PHONE_EMPTY;
	if ((r = phone_shape(s, n)) != PHONE_OK)
		return r;
	international = std::memchr(s, '+', n) != nullptr;
	if (!international && (region == nullptr || *region == '\0'))
		return PHONE_NO_COUNTRY;
	if (!international && !phone_region_shape(region))
		return PHONE_ERROR;	// a caller's mistake: config checks the region at start
	try {
		const PhoneNumberUtil *u = phone_util();
		PhoneNumber number;
		std::string e164;

		// "ZZ" is the library's "unknown region": international format only
		switch (u->Parse(std::string(s, n), international ? "ZZ" : region, &number)) {
		case PhoneNumberUtil::NO_PARSING_ERROR:
			break;
		case PhoneNumberUtil::NOT_A_NUMBER:
			return PHONE_NOT_A_NUMBER;
		default:	// a country code that does not exist, too few or too many digits
			return PHONE_INVALID;
		}
		if (number.has_extension())
			return PHONE_BAD_CHARACTER;
		if (!u->IsValidNumber(number))
			return PHONE_INVALID;
		if (mobile && !phone_textable(u, number))
			return PHONE_NOT_MOBILE;
		u->Format(number, PhoneNumberUtil::E164, &e164);
		if (e164.size() < 2 || e164.size() >= PHONE_E164_SIZE || e164[0] != '+')
			return PHONE_INVALID;
		std::memcpy(out, e164.c_str(), e164.size() + 1);
		return PHONE_OK;
	} catch (...) {
		out[0] = '\0';
		return PHONE_ERROR;
	}
}

} // namespace

extern "C" enum phone_result
phone_parse(const char *s, size_t n, const char *region, char out[PHONE_E164_SIZE])
{
	return phone_read(s, n, region, false, out);
}

extern "C" enum phone_result
phone_parse_mobile(const char *s, size_t n, const char *region, char out[PHONE_E164_SIZE])
{
	return phone_read(s, n, region, true, out);
}

extern "C" int
phone_example(const char *region, char national[PHONE_EXAMPLE_SIZE],
    char international[PHONE_EXAMPLE_SIZE])
{
	national[0] = international[0] = '\0';
	if (!phone_region_shape(region))
		return -1;
	try {
		const PhoneNumberUtil *u = phone_util();
		PhoneNumber number;
		std::string nat, intl;

		if (!u->GetExampleNumberForType(region, PhoneNumberUtil::MOBILE, &number))
			return -1;
		u->Format(number, PhoneNumberUtil::NATIONAL, &nat);
		u->Format(number, PhoneNumberUtil::INTERNATIONAL, &intl);
		if (nat.size() >= PHONE_EXAMPLE_SIZE || intl.size() >= PHONE_EXAMPLE_SIZE)
			return -1;
		std::memcpy(national, nat.c_str(), nat.size() + 1);
		std::memcpy(international, intl.c_str(), intl.size() + 1);
		return 0;
	} catch (...) {
		national[0] = international[0] = '\0';
		return -1;
	}
}

extern "C" const char *
phone_message(enum phone_result r)
{
	switch (r) {
	case PHONE_OK:
		return nullptr;
	case PHONE_EMPTY:
		return "Enter a mobile number";
	case PHONE_TOO_LONG:
		return "That is too long for a phone number";
	case PHONE_BAD_CHARACTER:
		return "Enter the number with digits only (spaces, dashes and brackets are fine)";
	case PHONE_NOT_A_NUMBER:
		return "Enter a phone number: its digits, and the country code if it is from abroad";
	case PHONE_NO_COUNTRY:
		return "Enter the number with its country code, starting with +";
	case PHONE_INVALID:
		return "That is not a number in use: check the digits and the country code";
	case PHONE_NOT_MOBILE:
		return "Enter a mobile number: this number cannot receive text messages";
	case PHONE_ERROR:
		break;
	}
	return "We could not check that number just now. Try again in a moment";
}

extern "C" const char *
phone_check(const char *s, const char *region, char out[PHONE_E164_SIZE])
{
	return phone_message(phone_parse(s, s != nullptr ? std::strlen(s) : 0, region, out));
}
