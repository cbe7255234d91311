/* Twilio request signatures: Twilio's own published test vector, and what must fail. */
#include <string.h>

#include "notify/notify.h"
#include "tap.h"

int
main(void)
{
	/* From Twilio's security documentation (../shared/spec/wire-formats.md). */
	struct http_param p[] = {
		{ "To", "+18005551212", 12 },
		{ "CallSid", "CA1234567890ABCDE", 17 },
		{ "Digits", "1234", 4 },
		{ "From", "+14158675310", 12 },
		{ "Caller", "+14158675310", 12 },
	};
	struct http_params form = { p, 5 };
	const char *url = "https://mycompany.com/myapp.php?foo=1&bar=2";
	char sig[NOTIFY_TWILIO_SIGNATURE_SIZE];

	notify_twilio_signature("12345", url, &form, sig);
	is_str(sig, "GvWf1cFY/Q7PnoempGyD5oXAezc=", "the official vector (params given unsorted)");
	ok(notify_twilio_signature_ok("12345", url, &form, "GvWf1cFY/Q7PnoempGyD5oXAezc="),
	    "verifies");
	ok(!notify_twilio_signature_ok("12346", url, &form, "GvWf1cFY/Q7PnoempGyD5oXAezc="),
	    "another token fails");
	ok(!notify_twilio_signature_ok("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", &form,
	    "GvWf1cFY/Q7PnoempGyD5oXAezc="), "another URL fails");
	p[2].value = "1235";
	ok(!notify_twilio_signature_ok("12345", url, &form, "GvWf1cFY/Q7PnoempGyD5oXAezc="),
	    "a changed parameter fails");
	p[2].value = "1234";
	ok(!notify_twilio_signature_ok("12345", url, &form, "GvWf1cFY/Q7PnoempGyD5oXAez"),
	    "a truncated signature fails");
	ok(!notify_twilio_signature_ok("12345", url, &form, NULL), "a missing signature fails");
	ok(!notify_twilio_signature_ok("12345", url, &form, ""), "an empty signature fails");

	/* The status callback's reader refuses before it reads or touches the database (db
	 * NULL): a forged request, then a signed one without the fields it needs. */
	{
		struct notify_webhook a;

		notify_twilio_status_webhook(NULL, "12345", url, &form, "GvWf1cFY/Q7PnoempGyD5oXAezd=",
		    "test", &a);
		ok(a.status == 403 && a.json == NULL && strcmp(a.error, "Invalid signature") == 0,
		    "status callback: a forged signature is 403");
		notify_twilio_status_webhook(NULL, "12345", url, &form, sig, "test", &a);
		ok(a.status == 400 && a.field != NULL && strcmp(a.field, "MessageSid") == 0,
		    "signed, but without MessageSid: 400 naming it");
	}
	return tap_done();
}
