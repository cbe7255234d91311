/* WhatsApp: Meta's webhook signature (X-Hub-Signature-256) against vectors computed outside
 * Kairos, the template id mapping, and the variable rules. */
#include <string.h>

#include <json-c/json.h>

#include "notify/notify.h"
#include "tap.h"

int
main(void)
{
	/* printf '%s' 'The quick brown fox jumps over the lazy dog' | openssl dgst -sha256 -hmac key
	 * (also the HMAC-SHA256 example of RFC 4231's users, e.g. Wikipedia) */
	const char *fox = "The quick brown fox jumps over the lazy dog";
	const char *fox_sig = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
	/* printf '%s' '{"object":"whatsapp_business_account","entry":[]}' |
	 *   openssl dgst -sha256 -hmac kairos-test-app-secret */
	const char *hook = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}";
	const char *hook_sig = "sha256=b219734c99dc178d6a31034fd4307b089bfec4f282b240d32ba7a48881228524";
	char sig[NOTIFY_META_SIGNATURE_SIZE], id[NOTIFY_WA_MAX_ID], upper[NOTIFY_META_SIGNATURE_SIZE];
	const char *map = "otp=HX0123456789abcdef0123456789abcdef,appointment-confirmed.phi-free=appt_generic";

	notify_meta_signature("key", fox, strlen(fox), sig);
	is_str(sig, fox_sig, "HMAC-SHA256 of the fox with key \"key\", as openssl dgst computes it");
	ok(notify_meta_signature_ok("key", fox, strlen(fox), fox_sig), "verifies");
	notify_meta_signature("kairos-test-app-secret", hook, strlen(hook), sig);
	is_str(sig, hook_sig, "a webhook body signed with an app secret");
	notify_meta_signature("key", "", 0, sig);
	is_str(sig, "sha256=5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0",
	    "an empty body");
	strcpy(upper, "sha256=F7BC83F430538424B13298E6AA6FB143EF4D59A14946175997479DBC2D1A3CD8");
	ok(notify_meta_signature_ok("key", fox, strlen(fox), upper), "hex digits in upper case verify too");
	ok(!notify_meta_signature_ok("kez", fox, strlen(fox), fox_sig), "another secret fails");
	ok(!notify_meta_signature_ok("key", fox, strlen(fox) - 1, fox_sig), "a changed body fails");
	ok(!notify_meta_signature_ok("key", fox, strlen(fox), fox_sig + 7), "the hex without sha256= fails");
	ok(!notify_meta_signature_ok("key", fox, strlen(fox),
	    "sha1=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"), "another prefix fails");
	ok(!notify_meta_signature_ok("key", fox, strlen(fox),
	    "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd"), "a truncated one fails");
	ok(!notify_meta_signature_ok("key", fox, strlen(fox), NULL), "a missing one fails");
	ok(!notify_meta_signature_ok("", fox, strlen(fox), fox_sig), "an empty app secret never verifies");

	ok(notify_whatsapp_template_id(map, "otp", false, id) == 0 &&
	    strcmp(id, "HX0123456789abcdef0123456789abcdef") == 0, "a mapped template: its id");
	ok(notify_whatsapp_template_id(map, "appointment-confirmed.phi-free", false, id) == 0 &&
	    strcmp(id, "appt_generic") == 0, "the last pair too");
	ok(notify_whatsapp_template_id(map, "appointment-confirmed", false, id) < 0,
	    "a prefix of a mapped name is not that name; without derive: none");
	ok(notify_whatsapp_template_id(map, "appointment-confirmed", true, id) == 0 &&
	    strcmp(id, "appointment_confirmed") == 0, "with derive: - and . become _");
	ok(notify_whatsapp_template_id("", "otp.phi-free", true, id) == 0 &&
	    strcmp(id, "otp_phi_free") == 0, "an empty map derives");
	ok(notify_whatsapp_template_id(NULL, "otp", false, id) < 0, "no map, no derive: none");

	ok(notify_whatsapp_var_ok("Dr Priya Natarajan"), "a name is a good variable");
	ok(!notify_whatsapp_var_ok(""), "empty is not");
	ok(!notify_whatsapp_var_ok("two\nlines"), "nor a newline");
	ok(!notify_whatsapp_var_ok("a\ttab"), "nor a tab");
	ok(!notify_whatsapp_var_ok("five     spaces"), "nor five spaces in a row");
	ok(notify_whatsapp_var_ok("four    spaces"), "four are fine");

	/* Meta's webhooks: the handshake, and refusals before the database (db NULL) */
	{
		struct notify_webhook a;
		char hub[NOTIFY_META_SIGNATURE_SIZE];
		const char *bad = "{\"entry\": 3}";

		notify_meta_handshake("s3cret", "subscribe", "s3cret", "1158201444", "test", &a);
		ok(a.status == 200, "handshake: the right mode and token");
		notify_meta_handshake("s3cret", "subscribe", "s3cres", "1158201444", "test", &a);
		is_int(a.status, 403, "a wrong token of the same length: 403");
		notify_meta_handshake("s3cret", "unsubscribe", "s3cret", "1158201444", "test", &a);
		is_int(a.status, 403, "another mode: 403");
		notify_meta_handshake("s3cret", "subscribe", NULL, "1158201444", "test", &a);
		is_int(a.status, 403, "no token: 403");
		notify_meta_handshake("s3cret", "subscribe", "s3cret", "<script>", "test", &a);
		ok(a.status == 400 && strcmp(a.field, "hub.challenge") == 0,
		    "a challenge that is not letters and digits is not echoed: 400");
		notify_meta_webhook(NULL, "app-secret", bad, strlen(bad), "sha256=00", "test", &a);
		ok(a.status == 403 && a.json == NULL, "statuses: a forged signature is 403");
		notify_meta_signature("app-secret", bad, strlen(bad), hub);
		notify_meta_webhook(NULL, "app-secret", bad, strlen(bad), hub, "test", &a);
		ok(a.status == 400 && a.json != NULL && strstr(json_object_to_json_string(a.json),
		    "expected an object with an entry array") != NULL,
		    "signed, but not entry[]: 400 saying why");
		json_object_put(a.json);
	}
	return tap_done();
}
