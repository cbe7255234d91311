/* SendGrid Event Webhook signatures: the official test vectors of SendGrid's own SDK
 * (sendgrid-nodejs, packages/eventwebhook/src/eventwebhook.spec.js), what must fail, and
 * the freshness window of the timestamp. */
#include <string.h>

#include "notify/notify.h"
#include "tap.h"

/* Single event: JSON.stringify([{…}]) + "\r\n", as SendGrid posts it. */
static const char key1[] =
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
static const char sig1[] =
	"MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
static const char ts1[] = "1600112502";
static const char body1[] =
	"[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":\"Bounced Address\","
	"\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\","
	"\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\","
	"\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";

/* Two events, "},\r\n{" between them and "\r\n" at the end. */
static const char key2[] =
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUvwaX/JScE7Fc9CJD2afQ9Ok3Q==";
static const char sig2[] =
	"MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5";
static const char ts2[] = "1619651159";
static const char body2[] =
	"[{\"email\":\"invalid@gmail.com\",\"event\":\"processed\",\"send_at\":0,"
	"\"sg_event_id\":\"cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA\","
	"\"sg_message_id\":\"qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0\","
	"\"smtp-id\":\"<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>\",\"timestamp\":1619651146},\r\n"
	"{\"email\":\"invalid@gmail.com\",\"event\":\"bounce\",\"ip\":\"167.89.101.76\",\"reason\":\"552 5.2.2 The email "
	"account that you tried to reach is over quota and inactive. Please direct the recipient to "
	"https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp\","
	"\"sg_event_id\":\"Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w\","
	"\"sg_message_id\":\"qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0\","
	"\"smtp-id\":\"<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>\",\"status\":\"5.2.2\","
	"\"timestamp\":1619651147,\"tls\":1,\"type\":\"blocked\"}]\r\n";

/* The spec's "invalid key" and "bad signature" (one character changed) cases. */
static const char other_key[] =
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
static const char bad_sig[] =
	"MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=";

#define OK1(k, t, b, s) notify_sendgrid_signature_ok(k, t, b, strlen(b), s)

int
main(void)
{
	char body[sizeof body1], why[64];

	ok(OK1(key1, ts1, body1, sig1), "the official single-event vector verifies");
	ok(OK1(key2, ts2, body2, sig2), "the official multi-event vector verifies");
	ok(!OK1(other_key, ts1, body1, sig1), "another key fails");
	ok(!OK1(key1, ts1, "payload", sig1), "another payload fails");
	ok(!OK1(key1, ts1, body1, bad_sig), "another signature fails");
	ok(!OK1(key1, "timestamp", body1, sig1), "a timestamp that is not a number fails");
	ok(!OK1(key1, "1600112503", body1, sig1), "another timestamp fails");
	ok(!notify_sendgrid_signature_ok(key1, ts1, body1, strlen(body1) - 2, sig1),
	    "the body without its trailing CRLF fails (the raw bytes are signed)");
	memcpy(body, body1, sizeof body);
	body[30] ^= 1;
	ok(!OK1(key1, ts1, body, sig1), "a body with one bit changed fails");
	ok(!OK1(key1, ts1, body1, NULL), "a missing signature fails");
	ok(!OK1(key1, NULL, body1, sig1), "a missing timestamp fails");
	ok(!OK1(key1, ts1, body1, ""), "an empty signature fails");
	ok(!OK1(key1, ts1, body1, "not base64 at all!"), "a signature that is not base64 fails");
	ok(!OK1(key1, ts1, body1, key1), "a key given as a signature fails");
	ok(!OK1("", ts1, body1, sig1), "an empty key fails");
	ok(!OK1("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O", ts1, body1, sig1), "a truncated key fails");

	ok(notify_sendgrid_public_key_ok(key1, why, sizeof why), "the official key loads");
	ok(!notify_sendgrid_public_key_ok("c2VjcmV0", why, sizeof why), "base64 of something else does not");
	is_str(why, "not a DER SubjectPublicKeyInfo", "saying why");
	/* generated for this test with openssl: an RSA key and a P-384 key are not P-256 keys */
	ok(!notify_sendgrid_public_key_ok(
	    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKACi2o1mE+KrHpdN8Xb2sskYpJyZNdxJqBv0c+1sTUCGibGGCeHq09YCDtd6VXr5j/9pBZUP7t0R2Fa5n0JCsECAwEAAQ==",
	    why, sizeof why), "an RSA key does not");
	is_str(why, "not an ECDSA P-256 key", "saying why");
	ok(!notify_sendgrid_public_key_ok(
	    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEPsopDSpbPinSheV+4Xo+MbOBigSM6/z8dgJfCAK+lFVoeUb95Lb1WSizRXqsXut6MUM+VTLAlBNw76zqCE3QWzr+0Up2jx2/FuGzYQSYseHHMwDrtw12bxVJN05wO92p",
	    why, sizeof why), "nor does a P-384 key");
	is_str(why, "not an ECDSA P-256 key", "saying why");

	ok(notify_sendgrid_timestamp_fresh("1600112502", 1600112502LL), "a timestamp of now is fresh");
	ok(notify_sendgrid_timestamp_fresh("1600112502", 1600112502LL + NOTIFY_SENDGRID_WEBHOOK_MAX_AGE),
	    "so is one at the edge of the window");
	ok(!notify_sendgrid_timestamp_fresh("1600112502", 1600112503LL + NOTIFY_SENDGRID_WEBHOOK_MAX_AGE),
	    "one older is stale");
	ok(!notify_sendgrid_timestamp_fresh("1600112502", 1600112501LL - NOTIFY_SENDGRID_WEBHOOK_MAX_AGE),
	    "one too far in the future is refused too");
	ok(!notify_sendgrid_timestamp_fresh("99999999999999999999", 1600112502LL), "an overflowing one is refused");
	ok(!notify_sendgrid_timestamp_fresh("-1600112502", -1600112502LL), "a negative one is refused");
	ok(!notify_sendgrid_timestamp_fresh("", 0), "an empty one is refused");
	return tap_done();
}
