/* The RFC 5322 message the SMTP provider sends: headers, RFC 2047 subjects and names,
 * multipart/alternative, base64 UTF-8 bodies, and refusal of header injection. (Delivery
 * itself is tested against a real SMTP server in t/integration/notify-smtp.t.) */
#include <string.h>

#include "notify/notify.h"
#include "tap.h"

static int
build(const struct notify_outgoing *m, const char *from_name, struct buf *out)
{
	buf_truncate(out, 0);
	return notify_smtp_message(m, "clinic@example.org", from_name, "Sat, 21 Nov 2026 07:00:00 +0000",
	    "id-1@example.org", "=_kairos_b", out);
}

/* Whether every line of s ends in CRLF and is at most 78 characters. */
static bool
lines_ok(const char *s)
{
	while (*s) {
		const char *nl = strstr(s, "\r\n");

		if (nl == NULL || nl - s > 78 || memchr(s, '\n', (size_t)(nl - s)) != NULL)
			return false;
		s = nl + 2;
	}
	return true;
}

int
main(void)
{
	struct notify_outgoing m = { .id = "id-1", .channel = "email", .recipient = "ann@example.org",
		.subject = "Your appointment", .body_text = "Hello Ann", .attempts = 1 };
	struct buf out = BUF_INIT;

	ok(build(&m, "Kairos Clinic", &out) == 0, "a text message builds");
	is_str(buf_cstr(&out),
	    "Date: Sat, 21 Nov 2026 07:00:00 +0000\r\n"
	    "Message-ID: <id-1@example.org>\r\n"
	    "From: \"Kairos Clinic\" <clinic@example.org>\r\n"
	    "To: <ann@example.org>\r\n"
	    "Subject: Your appointment\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "SGVsbG8gQW5u\r\n", "exactly the headers and a base64 body");

	m.subject = "Rendez-vous confirmé — Zoë";
	m.body_html = "<p>Hello <b>Ann</b></p>";
	ok(build(&m, "Clinique Zoë", &out) == 0, "text + html builds");
	ok(strstr(buf_cstr(&out), "Subject: =?UTF-8?B?UmVuZGV6LXZvdXMgY29uZmlybcOpIOKAlCBab8Or?=\r\n") != NULL,
	    "a non-ASCII subject is one RFC 2047 encoded word");
	ok(strstr(buf_cstr(&out), "From: =?UTF-8?B?Q2xpbmlxdWUgWm/Dqw==?= <clinic@example.org>\r\n") != NULL,
	    "so is a non-ASCII sender name");
	ok(strstr(buf_cstr(&out), "Content-Type: multipart/alternative; boundary=\"=_kairos_b\"\r\n\r\n"
	    "--=_kairos_b\r\nContent-Type: text/plain; charset=UTF-8\r\n") != NULL,
	    "multipart/alternative, text first");
	ok(strstr(buf_cstr(&out), "--=_kairos_b\r\nContent-Type: text/html; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nPHA+SGVsbG8gPGI+QW5uPC9iPjwvcD4=\r\n--=_kairos_b--\r\n") != NULL,
	    "then html, and the closing boundary");
	ok(lines_ok(buf_cstr(&out)), "every line ends in CRLF within 78 characters");

	m.subject = "ÄÖÜ äöü ÄÖÜ äöü ÄÖÜ äöü ÄÖÜ äöü ÄÖÜ äöü ÄÖÜ äöü ÄÖÜ äöü";
	{
		char big[3000];

		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		m.body_text = big;
		ok(build(&m, NULL, &out) == 0, "a long subject and body build");
		ok(lines_ok(buf_cstr(&out)), "folded: the subject into several encoded words, the body into lines");
		ok(strstr(buf_cstr(&out), "From: <clinic@example.org>\r\n") != NULL, "without a name, the bare address");
		m.body_text = "Hello Ann";
	}
	/* each encoded word holds whole characters: two-byte Ä never split */
	ok(strstr(buf_cstr(&out), "?=\r\n =?UTF-8?B?") != NULL, "the words are folded onto continuation lines");

	m.subject = "Line one\r\nBcc: everyone@example.org";
	ok(build(&m, "Kairos", &out) == 0, "a subject with a line break builds");
	ok(strstr(buf_cstr(&out), "Subject: Line one  Bcc: everyone@example.org\r\n") != NULL,
	    "with the break as spaces: no injected header");
	m.subject = "Hi";
	m.recipient = "ann@example.org\r\nBcc: everyone@example.org";
	ok(build(&m, "Kairos", &out) < 0, "a recipient with a line break is refused");
	m.recipient = "ann@example.org> NOTIFY=NEVER";
	ok(build(&m, "Kairos", &out) < 0, "one that would extend the RCPT command is refused");
	m.recipient = "ann@example.org";
	ok(build(&m, "Kairos\r\nBcc: x@example.org", &out) < 0, "a sender name with a line break is refused");
	ok(build(&m, "The \"Best\" Clinic", &out) == 0 &&
	    strstr(buf_cstr(&out), "From: \"The \\\"Best\\\" Clinic\" <clinic@example.org>\r\n") != NULL,
	    "quotes in a name are escaped");
	buf_free(&out);
	return tap_done();
}
