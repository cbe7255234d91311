/* smtp.c: email over SMTP with libcurl (../shared/spec/wire-formats.md, "SMTP").
 *
 * We build the RFC 5322 message ourselves (headers, multipart/alternative, base64 UTF-8
 * bodies) so the Message-ID is ours: it is the provider id, and a receiving server sees the
 * same one if a send is retried after a lost answer. smtp:// must upgrade with STARTTLS
 * (CURLUSESSL_ALL: no silent fallback to plain text) unless the operator opted out for a
 * local test server; smtps:// is TLS from the first byte.
 *
 * Outcomes: a 5xx reply (550 no such user, 554 refused, 535 bad login) will not change by
 * retrying: rejected. A 4xx reply (451 try later), no connection, a timeout, or a server
 * without the required STARTTLS: retried (with backoff, until a dead letter). */
#include "notify/notify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

/* RFC 2047: an encoded word is at most 75 characters: "=?UTF-8?B?" + base64 + "?=", so
 * at most 60 base64 characters, 45 bytes of text. */
#define SMTP_WORD_BYTES      45
#define SMTP_WORD_FRAME      12	/* "=?UTF-8?B?" and "?=" */
/* 57 bytes of body become one base64 line of NOTIFY_SMTP_MAX_LINE characters. */
#define SMTP_LINE_BYTES      (NOTIFY_SMTP_MAX_LINE / 4 * 3)
/* The last reply line from the server we keep for the error text. */
#define SMTP_MAX_REPLY       256
#define SMTP_MAX_HEADER      400	/* From / To / Subject as encoded; addresses ≤ 320 */

/* Whether s can go into a header or an SMTP command as it is: printable ASCII, no <>. */
static bool
smtp_plain_address(const char *s)
{
	if (s == NULL || *s == '\0' || strchr(s, '@') == NULL)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == '<' || *s == '>')
			return false;
	return true;
}

static bool
smtp_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void
smtp_base64(struct buf *out, const unsigned char *p, size_t n)
{
	char enc[SMTP_LINE_BYTES / 3 * 4 + 1];

	while (n > 0) {
		size_t take = n < SMTP_LINE_BYTES ? n : SMTP_LINE_BYTES;
		int len = EVP_EncodeBlock((unsigned char *)enc, p, (int)take);

		buf_append(out, enc, (size_t)len);
		buf_puts(out, "\r\n");
		p += take;
		n -= take;
	}
}

/* text as RFC 2047 encoded words, folded between words so no line passes
 * NOTIFY_SMTP_MAX_LINE (the first shares its line with `lead` characters, "Subject: "),
 * never splitting a UTF-8 character across two words. */
static void
smtp_encoded_words(struct buf *out, const char *text, size_t lead)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text);
	char enc[SMTP_WORD_BYTES / 3 * 4 + 1];

	while (n > 0) {
		/* "=?UTF-8?B?" and "?=" take SMTP_WORD_FRAME of the line; base64 goes by 4 for 3 */
		size_t room = (NOTIFY_SMTP_MAX_LINE - lead - SMTP_WORD_FRAME) / 4 * 3, take;
		int len;

		if (room > SMTP_WORD_BYTES)
			room = SMTP_WORD_BYTES;
		take = utf8_cut((const char *)p, n, room);	/* whole characters */
		if (take == 0)
			take = n < room ? n : room;	/* not UTF-8: cut anyway */
		len = EVP_EncodeBlock((unsigned char *)enc, p, (int)take);
		buf_printf(out, "%s=?UTF-8?B?%.*s?=", p == (const unsigned char *)text ? "" : "\r\n ",
		    len, enc);
		p += take;
		n -= take;
		lead = 1;	/* the folding space */
	}
}

/* A header value: as it is when plain ASCII, else encoded words. */
static void
smtp_header_text(struct buf *out, const char *text, size_t lead)
{
	if (smtp_ascii(text))
		buf_puts(out, text);
	else
		smtp_encoded_words(out, text, lead);
}

static void
smtp_part(struct buf *out, const char *type, const char *body)
{
	buf_printf(out, "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	    type);
	smtp_base64(out, (const unsigned char *)body, strlen(body));
}

int
notify_smtp_message(const struct notify_outgoing *m, const char *from, const char *from_name,
    const char *date, const char *message_id, const char *boundary, struct buf *out)
{
	char subject[SMTP_MAX_HEADER];
	size_t i;

	if (!smtp_plain_address(m->recipient) || !smtp_plain_address(from) ||
	    strpbrk(from_name ? from_name : "", "\r\n") != NULL)
		return -1;
	/* a line break in a subject means nothing to a mail reader and could start a header */
	snprintf(subject, sizeof subject, "%s", m->subject ? m->subject : "");
	for (i = 0; subject[i]; i++)
		if ((unsigned char)subject[i] < ' ')
			subject[i] = ' ';

	buf_printf(out, "Date: %s\r\nMessage-ID: <%s>\r\nFrom: ", date, message_id);
	if (from_name != NULL && *from_name != '\0') {
		if (smtp_ascii(from_name)) {
			buf_putc(out, '"');
			for (const char *p = from_name; *p; p++) {
				if (*p == '"' || *p == '\\')
					buf_putc(out, '\\');
				buf_putc(out, *p);
			}
			buf_putc(out, '"');
		} else
			smtp_encoded_words(out, from_name, strlen("From: "));
		buf_printf(out, " <%s>\r\n", from);
	} else
		buf_printf(out, "<%s>\r\n", from);
	buf_printf(out, "To: <%s>\r\nSubject: ", m->recipient);
	smtp_header_text(out, subject, strlen("Subject: "));
	buf_puts(out, "\r\nMIME-Version: 1.0\r\n");
	if (m->body_html == NULL || *m->body_html == '\0') {
		smtp_part(out, "text/plain", m->body_text);
		return 0;
	}
	buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
	buf_printf(out, "--%s\r\n", boundary);
	smtp_part(out, "text/plain", m->body_text);
	buf_printf(out, "--%s\r\n", boundary);
	smtp_part(out, "text/html", m->body_html);
	buf_printf(out, "--%s--\r\n", boundary);
	return 0;
}

/* RFC 5322 date of now, in UTC, with English names whatever the locale. */
static void
smtp_date(char *out, size_t size)
{
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec" };
	time_t now = (time_t)clock_now();
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", day[tm.tm_wday], tm.tm_mday,
	    mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

struct smtp_upload {
	const struct buf *msg;
	size_t            off;
};

static size_t
smtp_read_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct smtp_upload *u = ctx;
	size_t left = u->msg->len - u->off, take = size * n < left ? size * n : left;

	memcpy(p, u->msg->data + u->off, take);
	u->off += take;
	return take;
}

/* Keeps the server's last error reply ("550 5.1.1 <x@y>: Recipient address rejected"): a
 * 4xx or 5xx line, not the "221 Bye" to the QUIT that follows it. Only what the server says
 * is kept: what we send includes the AUTH exchange. */
static int
smtp_debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *ctx)
{
	char *last = ctx;

	(void)c;
	if (type == CURLINFO_HEADER_IN && size > 0 && (data[0] == '4' || data[0] == '5')) {
		while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
			size--;
		if (size >= SMTP_MAX_REPLY)
			size = SMTP_MAX_REPLY - 1;
		memcpy(last, data, size);
		last[size] = '\0';
	}
	return 0;
}

/* What the send and the check share: the server, TLS as configured, login, timeouts. */
static void
smtp_curl_setup(CURL *c, const struct notify_smtp *s, char *last_reply, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, s->allow_plaintext ? (long)CURLUSESSL_NONE
	    : (long)CURLUSESSL_ALL);
	if (s->username != NULL && *s->username != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, smtp_debug_cb);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, last_reply);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);	/* for the debug callback; it prints nothing */
}

/* Why a transfer failed, in words an operator can act on, into out: "smtp 550: <the
 * server's reply>", or "smtp: <what went wrong>" (without "smtp" unless tagged). */
static void
smtp_failure(const struct notify_smtp *s, CURLcode cc, long code, const char *last_reply,
    const char *errbuf, bool tagged, char *out, size_t size)
{
	char tag[32] = "";

	if (tagged)
		snprintf(tag, sizeof tag, code >= 400 && *last_reply ? "smtp %ld: " : "smtp: ", code);
	if (cc == CURLE_USE_SSL_FAILED)
		snprintf(out, size, "%sthe server does not offer STARTTLS, which is required%s", tag,
		    s->allow_plaintext ? "" : " (KAIROS_SMTP_ALLOW_PLAINTEXT is for local test servers only)");
	else if (code >= 400 && *last_reply != '\0')
		snprintf(out, size, "%s%s", tag, last_reply);
	else
		snprintf(out, size, "%s%s", tag, *errbuf ? errbuf : curl_easy_strerror(cc));
}

static int
smtp_send(const struct notify_provider *p, const struct notify_outgoing *m,
    struct notify_result *r)
{
	const struct notify_smtp *s = p->ctx;
	char date[64], id[sizeof r->provider_id], rnd[33], boundary[48];
	char last_reply[SMTP_MAX_REPLY] = "", errbuf[CURL_ERROR_SIZE] = "";
	const char *domain = strchr(s->from, '@');
	struct curl_slist *rcpt = NULL;
	struct buf msg = BUF_INIT, env = BUF_INIT;
	struct smtp_upload up = { &msg, 0 };
	long code = 0;
	CURLcode cc;
	CURL *c;

	/* The message's id at our domain: the same on every attempt of one message. */
	snprintf(id, sizeof id, "%s@%s", m->id, domain ? domain + 1 : "kairos.invalid");
	smtp_date(date, sizeof date);
	/* "=_" cannot occur in base64, so no body line can look like this boundary */
	rand_hex(rnd, 16);
	snprintf(boundary, sizeof boundary, "=_kairos_%s", rnd);
	if (notify_smtp_message(m, s->from, s->from_name, date, id, boundary, &msg) < 0) {
		r->outcome = NOTIFY_REJECTED;
		snprintf(r->error, sizeof r->error, "smtp: the recipient or sender is not a plain address");
		buf_free(&msg);
		return -1;
	}
	if ((c = curl_easy_init()) == NULL) {
		r->outcome = NOTIFY_RETRY;
		snprintf(r->error, sizeof r->error, "curl_easy_init failed");
		buf_free(&msg);
		return -1;
	}
	buf_printf(&env, "<%s>", m->recipient);
	rcpt = curl_slist_append(rcpt, env.data);
	buf_truncate(&env, 0);
	buf_printf(&env, "<%s>", s->from);
	smtp_curl_setup(c, s, last_reply, errbuf);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, env.data);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK) {
		r->outcome = NOTIFY_SENT;
		snprintf(r->provider_id, sizeof r->provider_id, "%s", id);
	} else {
		r->outcome = code >= 500 && code < 600 && cc != CURLE_USE_SSL_FAILED ? NOTIFY_REJECTED
		    : NOTIFY_RETRY;
		smtp_failure(s, cc, code, last_reply, errbuf, true, r->error, sizeof r->error);
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	buf_free(&env);
	buf_free(&msg);
	return r->outcome == NOTIFY_SENT ? 0 : -1;
}

/* The URL without user:password@, for messages. */
static void
smtp_public_url(const char *url, char *out, size_t size)
{
	const char *h = strstr(url, "://"), *at;

	if (h != NULL && (at = strchr(h + 3, '@')) != NULL && at < h + 3 + strcspn(h + 3, "/?#"))
		snprintf(out, size, "%.*s%s", (int)(h + 3 - url), url, at + 1);
	else
		snprintf(out, size, "%s", url);
}

/* Greeting, EHLO, STARTTLS and AUTH as configured, then QUIT: nothing is sent. */
static bool
smtp_check(const struct notify_provider *p, char *msg, size_t size)
{
	const struct notify_smtp *s = p->ctx;
	char last_reply[SMTP_MAX_REPLY] = "", errbuf[CURL_ERROR_SIZE] = "", url[512], why[512];
	long code = 0;
	CURLcode cc;
	CURL *c;

	smtp_public_url(s->url, url, sizeof url);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(msg, size, "cannot start an SMTP client");
		return false;
	}
	smtp_curl_setup(c, s, last_reply, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		smtp_failure(s, cc, code, last_reply, errbuf, false, why, sizeof why);
		snprintf(msg, size, "%s: %s", url, why);
		return false;
	}
	snprintf(msg, size, "%s reachable, %s%s", url,
	    strncmp(s->url, "smtps://", 8) == 0 ? "TLS" : s->allow_plaintext
	    ? "plain text (KAIROS_SMTP_ALLOW_PLAINTEXT)" : "STARTTLS",
	    s->username != NULL && *s->username != '\0' ? ", login accepted" : ", no login");
	return true;
}

const struct notify_provider notify_smtp_provider = {
	.name = "smtp", .send = smtp_send, .check = smtp_check,
};
