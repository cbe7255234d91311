/* net/: the outbound client against a small HTTP stand-in in this process (loopback only,
 * one thread per connection, every wait bounded). The stand-in answers from a script set
 * before each call, counts connections and records each request, so the tests assert
 * attempts, typed errors, what reached the server and what was logged. Durations are
 * printed as diag; the only time assertions are lower bounds (waits that must have
 * happened), which a slow machine cannot break. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/core.h"
#include "net/net.h"
#include "tap.h"

#define STAND_MAX_REQUESTS 256
#define STAND_MAX_CONNS    128
#define STAND_MAX_SCRIPT   16
#define STAND_MAX_HEAD     (64 * 1024)
#define STAND_MAX_HANG_MS  3000	/* no answer is held longer: the test stays bounded */

struct stand_request {
	char      *head;	/* request line and headers, as received */
	char      *body;
	long long  at_us;	/* monotonic arrival */
};

static struct {
	int                  fd, port;
	pthread_t            acceptor;
	pthread_mutex_t      mu;
	pthread_t            conns[STAND_MAX_CONNS];
	int                  nconns;
	struct stand_request req[STAND_MAX_REQUESTS];
	int                  nreq;
	const char          *script[STAND_MAX_SCRIPT];	/* answers for the coming requests */
	int                  nscript, next;
} stand = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The coming requests' answers, NULL-terminated; after them, "200". */
static void
stand_script(const char *first, ...)
{
	va_list ap;
	const char *s;

	pthread_mutex_lock(&stand.mu);
	stand.nscript = stand.next = 0;
	va_start(ap, first);
	for (s = first; s != NULL && stand.nscript < STAND_MAX_SCRIPT; s = va_arg(ap, const char *))
		stand.script[stand.nscript++] = s;
	va_end(ap);
	pthread_mutex_unlock(&stand.mu);
}

static int
stand_count(void)
{
	int n;

	pthread_mutex_lock(&stand.mu);
	n = stand.nreq;
	pthread_mutex_unlock(&stand.mu);
	return n;
}

static int
stand_connections(void)
{
	int n;

	pthread_mutex_lock(&stand.mu);
	n = stand.nconns;
	pthread_mutex_unlock(&stand.mu);
	return n;
}

static void
stand_send(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void
stand_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Answers one request on fd per action; false when the connection is to close. */
static bool
stand_answer(int fd, const char *action, int n)
{
	char head[768], body[64];
	int status = atoi(action);
	const char *extra = "";

	if (strncmp(action, "hang ", 5) == 0) {
		long ms = atol(action + 5);

		stand_sleep_ms(ms < STAND_MAX_HANG_MS ? ms : STAND_MAX_HANG_MS);
		return false;
	}
	if (strcmp(action, "close") == 0)
		return false;
	if (strncmp(action, "big ", 4) == 0) {
		size_t size = (size_t)atol(action + 4), chunk = 16 * 1024;
		char *junk = xmalloc(chunk);

		memset(junk, 'x', chunk);
		snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", size);
		stand_send(fd, head, strlen(head));
		for (size_t sent = 0; sent < size; sent += chunk)
			stand_send(fd, junk, size - sent < chunk ? size - sent : chunk);
		free(junk);
		return false;
	}
	if ((extra = strchr(action, ' ')) != NULL)
		extra++;	/* "429 Retry-After: 1": a header line to add */
	else
		extra = "";
	snprintf(body, sizeof body, "{\"n\":%d}", n);
	snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nX-Message-Id: abc-%d\r\n%s%s%s\r\n", status, strlen(body), n,
	    status == 302 ? "Location: /elsewhere?token=LOCATIONSECRET\r\n" : "", extra,
	    *extra ? "\r\n" : "");
	/* one send for head and body: two would meet Nagle and delayed ACKs (40 ms a call) */
	snprintf(head + strlen(head), sizeof head - strlen(head), "%s", body);
	stand_send(fd, head, strlen(head));
	return true;
}

static void *
stand_conn(void *arg)
{
	int fd = (int)(long)arg;
	char *buf = xmalloc(STAND_MAX_HEAD + 1);
	size_t len = 0;

	for (;;) {
		char *end, *cl;
		size_t headlen, bodylen = 0;
		const char *action = "200";
		ssize_t r;
		int n;

		while ((end = len ? memmem(buf, len, "\r\n\r\n", 4) : NULL) == NULL) {
			if (len == STAND_MAX_HEAD || (r = recv(fd, buf + len, STAND_MAX_HEAD - len, 0)) <= 0)
				goto done;
			len += (size_t)r;
		}
		headlen = (size_t)(end - buf) + 4;
		buf[len] = '\0';
		if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL && cl < end)
			bodylen = (size_t)atol(cl + 17);
		while (len < headlen + bodylen) {
			if (len == STAND_MAX_HEAD || (r = recv(fd, buf + len, STAND_MAX_HEAD - len, 0)) <= 0)
				goto done;
			len += (size_t)r;
		}
		pthread_mutex_lock(&stand.mu);
		n = stand.nreq;
		if (n < STAND_MAX_REQUESTS) {
			stand.req[n].head = xstrndup(buf, headlen);
			stand.req[n].body = xstrndup(buf + headlen, bodylen);
			stand.req[n].at_us = clock_mono_us();
			stand.nreq++;
		}
		if (stand.next < stand.nscript)
			action = stand.script[stand.next++];
		pthread_mutex_unlock(&stand.mu);
		memmove(buf, buf + headlen + bodylen, len - headlen - bodylen);
		len -= headlen + bodylen;
		if (!stand_answer(fd, action, n))
			break;
	}
done:
	free(buf);
	close(fd);
	return NULL;
}

static void *
stand_accept(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(stand.fd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;	/* shut down */
		}
		pthread_mutex_lock(&stand.mu);
		if (stand.nconns < STAND_MAX_CONNS &&
		    pthread_create(&stand.conns[stand.nconns], NULL, stand_conn, (void *)(long)c) == 0)
			stand.nconns++;
		else
			close(c);
		pthread_mutex_unlock(&stand.mu);
	}
}

static void
stand_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;

	stand.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (stand.fd < 0 || bind(stand.fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(stand.fd, 64) < 0 || getsockname(stand.fd, (struct sockaddr *)&a, &len) < 0) {
		printf("Bail out! cannot listen on loopback: %s\n", strerror(errno));
		exit(1);
	}
	stand.port = ntohs(a.sin_port);
	pthread_create(&stand.acceptor, NULL, stand_accept, NULL);
}

static void
stand_stop(void)
{
	int n;

	shutdown(stand.fd, SHUT_RDWR);
	pthread_join(stand.acceptor, NULL);
	close(stand.fd);
	pthread_mutex_lock(&stand.mu);
	n = stand.nconns;
	pthread_mutex_unlock(&stand.mu);
	for (int i = 0; i < n; i++)
		pthread_join(stand.conns[i], NULL);
	for (int i = 0; i < stand.nreq; i++) {
		free(stand.req[i].head);
		free(stand.req[i].body);
	}
}

/* A port nothing listens on: bound, then closed. */
static int
closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	bind(fd, (struct sockaddr *)&a, sizeof a);
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static char base[128];

static void
client(struct net_client *c, const char *name)
{
	char why[NET_MAX_ERROR];

	c->name = name;
	c->base_url = base;
	if (c->backoff_base_ms == 0)
		c->backoff_base_ms = 20;	/* quick retries: the tests count, they do not wait */
	if (net_client_init(c, why, sizeof why) < 0)
		printf("Bail out! %s\n", why), exit(1);
}

/* One call; err and resp kept for the checks. */
static struct net_response resp;
static struct net_err err;

static int
call(const struct net_client *c, const struct net_request *req)
{
	long long t0 = clock_mono_us();
	int rc = net_request(c, req, &resp, &err);

	diag("%s %s: %s, status %ld, %d attempt(s), %lld ms", req->method, req->path,
	    net_error_name(err.code), err.status, err.attempts, (clock_mono_us() - t0) / 1000);
	return rc;
}

static void
test_pure(void)
{
	struct buf form = BUF_INIT;
	struct net_client bad = { .base_url = "ftp://example.org" };
	char why[NET_MAX_ERROR];

	is_int(net_retry_after_parse("120", 0), 120, "Retry-After in seconds");
	is_int(net_retry_after_parse(" 7 ", 0), 7, "with spaces around it");
	is_int(net_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 10), 10,
	    "Retry-After as an HTTP date, 10 s ahead");
	is_int(net_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 10), 0,
	    "a date in the past: now");
	is_int(net_retry_after_parse("soon", 0), -1, "neither: -1");
	is_int(net_retry_after_parse("-3", 0), -1, "a negative number: -1");
	is_int(net_retry_after_parse("99999999999", 0), 24 * 3600, "an absurd wait: capped at a day");

	is_int(net_backoff_ms(200, 5000, 1, 0), 100, "first backoff, least jitter: half of base");
	is_int(net_backoff_ms(200, 5000, 1, UINT32_MAX), 200, "first backoff, most jitter: base");
	is_int(net_backoff_ms(200, 5000, 3, UINT32_MAX), 800, "doubles per attempt");
	is_int(net_backoff_ms(200, 5000, 30, UINT32_MAX), 5000, "capped at max");

	net_form_add(&form, "To", "+61 400 000 000");
	net_form_add(&form, "Body", "a&b=c/é~");
	is_str(buf_cstr(&form), "To=%2B61%20400%20000%20000&Body=a%26b%3Dc%2F%C3%A9~",
	    "form bodies are percent-encoded");
	buf_free(&form);

	ok(net_client_init(&bad, why, sizeof why) < 0, "an ftp base URL is refused: %s", why);
	bad.base_url = "https://user:pw@example.org";
	ok(net_client_init(&bad, why, sizeof why) < 0, "a base URL with credentials is refused");
	bad.base_url = "https://example.org?key=1";
	ok(net_client_init(&bad, why, sizeof why) < 0, "a base URL with a query is refused");
	bad.base_url = "https://example.org/api/";
	ok(net_client_init(&bad, why, sizeof why) == 0, "https with a prefix is fine");
	is_str(bad.origin, "https://example.org:443", "its origin has the port");
	is_int((long long)bad.base_len, (long long)strlen("https://example.org/api"),
	    "its trailing slash is dropped");
}

static void
test_retries(void)
{
	struct net_client c = { 0 }, never = { .max_attempts = 1 };
	struct net_request get = { .method = "GET", .path = "/r" };
	struct net_request post = { .method = "POST", .path = "/create", .body = "{}", .body_len = 2,
		.content_type = "application/json" };
	struct net_request keyed = post;
	char id[32];
	int n;

	client(&c, "retry");
	client(&never, "never");

	stand_script("503", "200", NULL);
	n = stand_count();
	ok(call(&c, &get) == 0, "GET: 503 then 200 succeeds");
	is_int(err.attempts, 2, "in two attempts");
	is_int(stand_count() - n, 2, "the stand-in saw two requests");
	is_int(resp.status, 200, "the answer is the 200");
	snprintf(id, sizeof id, "{\"n\":%d}", n + 1);
	is_str(buf_cstr(&resp.body), id, "with its body");
	is_int(net_response_header(&resp, "x-message-id", id, sizeof id), 5, "a header, any case");
	is_str(id, "abc-1", "its value");
	ok(net_response_header(&resp, "Retry-After", id, sizeof id) == -1 && id[0] == '\0',
	    "a header that is not there: -1");

	stand_script("503", "200", NULL);
	n = stand_count();
	ok(call(&c, &post) < 0, "POST without an idempotency key: a 503 is not retried");
	is_int(err.code, NET_HTTP_5XX, "NET_HTTP_5XX");
	is_int(err.attempts, 1, "one attempt");
	ok(err.maybe_sent, "and it may have arrived");
	is_int(stand_count() - n, 1, "the stand-in saw one request");
	snprintf(id, sizeof id, "{\"n\":%d}", n);
	is_str(buf_cstr(&resp.body), id, "the 503's body is there to read");

	keyed.idempotency_key = "pay-123";
	stand_script("500", "200", NULL);
	n = stand_count();
	ok(call(&c, &keyed) == 0, "POST with an idempotency key: retried after a 500");
	is_int(stand_count() - n, 2, "two requests");
	ok(strstr(stand.req[n].head, "\r\nIdempotency-Key: pay-123\r\n") &&
	    strstr(stand.req[n + 1].head, "\r\nIdempotency-Key: pay-123\r\n"),
	    "both carry the same Idempotency-Key");
	ok(strstr(stand.req[n].head, "\r\nContent-Type: application/json\r\n") != NULL,
	    "and the content type");

	stand_script("503", "503", "503", "503", NULL);
	n = stand_count();
	ok(call(&c, &get) < 0, "GET: 503 every time fails");
	is_int(err.attempts, NET_DEFAULT_MAX_ATTEMPTS, "after max_attempts (%d)", NET_DEFAULT_MAX_ATTEMPTS);
	is_int(stand_count() - n, NET_DEFAULT_MAX_ATTEMPTS, "the stand-in saw as many");
	ok(strstr(err.message, "HTTP 503") && strstr(err.message, "3 attempts"),
	    "the message says so: %s", err.message);

	stand_script("503", "200", NULL);
	n = stand_count();
	ok(call(&never, &get) < 0 && err.attempts == 1 && stand_count() - n == 1,
	    "max_attempts 1: no retry");

	stand_script("404", "200", NULL);
	n = stand_count();
	ok(call(&c, &get) < 0 && err.code == NET_HTTP_4XX && err.attempts == 1,
	    "a 404 is NET_HTTP_4XX, never retried");
	get.retry = NET_RETRY_NEVER;
	stand_script("503", "200", NULL);
	ok(call(&c, &get) < 0 && err.attempts == 1, "NET_RETRY_NEVER: a GET's 503 is not retried");
	get.retry = NET_RETRY_AUTO;
}

static void
test_retry_after(void)
{
	struct net_client c = { .budget_ms = 8000 };
	struct net_request get = { .method = "GET", .path = "/ra" };
	char date[64];
	long long t0;
	time_t when;
	struct tm tm;
	int n;

	client(&c, "retry-after");
	stand_script("429 Retry-After: 1", "200", NULL);
	t0 = clock_mono_us();
	ok(call(&c, &get) == 0, "429 with Retry-After: 1, then 200");
	is_int(err.attempts, 2, "two attempts");
	ok(clock_mono_us() - t0 >= 1000000, "and it waited the second it was asked to");

	when = time(NULL) + 3;	/* 2-3 s from when the 429 is read: a stall of 2 s still waits */
	gmtime_r(&when, &tm);
	strftime(date, sizeof date, "429 Retry-After: %a, %d %b %Y %H:%M:%S GMT", &tm);
	stand_script(date, "200", NULL);
	t0 = clock_mono_us();
	ok(call(&c, &get) == 0, "429 with Retry-After as an HTTP date, then 200");
	is_int(err.attempts, 2, "two attempts");
	ok(clock_mono_us() - t0 >= 1000000, "it waited until (about) that date, at least a second");

	stand_script("429 Retry-After: 120", "200", NULL);
	n = stand_count();
	ok(call(&c, &get) < 0, "429 asking for 120 s: not waited");
	is_int(err.code, NET_RATE_LIMITED, "NET_RATE_LIMITED");
	is_int(err.retry_after_s, 120, "retry_after_s tells the caller's queue when");
	is_int(stand_count() - n, 1, "one request");

	stand_script("503 Retry-After: 2", "200", NULL);
	n = stand_count();
	t0 = clock_mono_us();
	ok(call(&c, &get) == 0, "a GET's 503 with Retry-After: 2 within an 8 s budget");
	is_int(stand_count() - n, 2, "was retried");
	ok(clock_mono_us() - t0 >= 2000000, "after the 2 s it was asked to wait");

	c = (struct net_client){ .budget_ms = 1000 };
	client(&c, "short");
	stand_script("429 Retry-After: 3", "200", NULL);
	n = stand_count();
	t0 = clock_mono_us();
	ok(call(&c, &get) < 0 && err.code == NET_RATE_LIMITED, "Retry-After: 3 past a 1 s budget: not waited");
	is_int(err.retry_after_s, 3, "retry_after_s 3");
	is_int(stand_count() - n, 1, "one request");
	diag("returned after %lld ms", (clock_mono_us() - t0) / 1000);
}

static void
test_failures(void)
{
	struct net_client c = { .timeout_ms = 300 }, small = { .max_response = 64 * 1024 };
	struct net_client refused = { 0 };
	struct net_request get = { .method = "GET", .path = "/f" };
	struct net_request post = { .method = "POST", .path = "/f", .body = "x=1", .body_len = 3 };
	char refused_base[128];
	int n;

	client(&c, "hang");
	client(&small, "small");

	stand_script("hang 2000", NULL);
	n = stand_count();
	ok(call(&c, &post) < 0, "a hang past the timeout fails");
	is_int(err.code, NET_TIMEOUT, "NET_TIMEOUT");
	ok(err.maybe_sent, "the request may have arrived");
	is_int(err.attempts, 1, "one attempt: no budget left for another");
	is_int(stand_count() - n, 1, "the stand-in saw one request");
	ok(strstr(err.message, "Timeout") != NULL, "libcurl's words: %s", err.message);

	stand_script("big 1048576", NULL);
	ok(call(&small, &get) < 0, "a 1 MiB answer past a 64 KiB limit fails");
	is_int(err.code, NET_TOO_LARGE, "NET_TOO_LARGE");
	is_int(err.status, 200, "with the status that came");
	is_int(err.attempts, 1, "never retried");
	ok(resp.body.len <= 64 * 1024, "no more than the limit was kept (%zu bytes)", resp.body.len);

	stand_script("302", NULL);
	n = stand_count();
	ok(call(&small, &get) < 0, "a redirect is not followed");
	is_int(err.code, NET_REDIRECT, "NET_REDIRECT");
	is_int(err.status, 302, "status 302");
	is_int(stand_count() - n, 1, "one request: the Location was not asked for");
	ok(strstr(err.message, "LOCATIONSECRET") == NULL, "the Location is not in the message");

	/* on a fresh connection: on a kept-alive one that dies before any answer libcurl
	 * itself sends the request once more (net.h) */
	net_thread_end();
	stand_script("close", "200", NULL);
	n = stand_count();
	ok(call(&small, &post) < 0, "POST: the connection closed without an answer");
	is_int(err.code, NET_BROKEN, "NET_BROKEN");
	is_int(stand_count() - n, 1, "not retried: it may have arrived");

	snprintf(refused_base, sizeof refused_base, "http://127.0.0.1:%d", closed_port());
	refused.base_url = refused_base;
	refused.name = "refused";
	refused.backoff_base_ms = 20;
	{
		char why[NET_MAX_ERROR];

		net_client_init(&refused, why, sizeof why);
	}
	ok(call(&refused, &get) < 0, "a refused connection fails");
	is_int(err.code, NET_CONNECT, "NET_CONNECT");
	ok(!err.maybe_sent, "nothing was sent");
	is_int(err.attempts, NET_DEFAULT_MAX_ATTEMPTS, "GET: retried to max_attempts");
	ok(call(&refused, &post) < 0 && err.attempts == NET_DEFAULT_MAX_ATTEMPTS,
	    "POST without a key: also retried, since it surely never left");
	post.retry = NET_RETRY_NEVER;
	ok(call(&refused, &post) < 0 && err.attempts == 1, "NET_RETRY_NEVER: one attempt");

	{
		struct net_request evil = { .method = "GET", .path = "/f",
			.headers = { "X-A: b\r\nX-Injected: 1", NULL } };

		n = stand_count();
		ok(call(&small, &evil) < 0 && err.code == NET_BAD_REQUEST && stand_count() == n,
		    "a header with a line break: NET_BAD_REQUEST, nothing sent");
		evil = (struct net_request){ .method = "TRACE", .path = "/f" };
		ok(call(&small, &evil) < 0 && err.code == NET_BAD_REQUEST, "an unknown method too");
		evil = (struct net_request){ .method = "GET", .path = "/a b" };
		ok(call(&small, &evil) < 0 && err.code == NET_BAD_REQUEST, "a path with a space too");
	}
}

static void
test_methods(void)
{
	static const char *const methods[] = { "PUT", "PATCH", "DELETE" };
	struct net_client c = { .auth = NET_AUTH_BASIC, .username = "AC123", .password = "tok" };

	client(&c, "methods");
	for (size_t i = 0; i < 3; i++) {
		struct net_request req = { .method = methods[i], .path = "/m", .body = "a=1",
			.body_len = 3, .content_type = "application/x-www-form-urlencoded" };
		int n = stand_count();
		char want[32];

		stand_script("200", NULL);
		call(&c, &req);
		snprintf(want, sizeof want, "%s /m HTTP/1.1\r\n", methods[i]);
		ok(stand_count() == n + 1 && strncmp(stand.req[n].head, want, strlen(want)) == 0 &&
		    strcmp(stand.req[n].body, "a=1") == 0, "%s with a body arrives as such", methods[i]);
		/* "AC123:tok" in base64 */
		ok(strstr(stand.req[n].head, "\r\nAuthorization: Basic QUMxMjM6dG9r\r\n") != NULL,
		    "with Basic auth");
	}
}

static void
test_keepalive_and_rate(void)
{
	struct net_client c = { 0 }, limited = { .rate_per_s = 5 }, same = { .rate_per_s = 50 };
	struct net_client tight = { .rate_per_s = 0.2, .budget_ms = 200 };
	char tight_base[128];
	struct net_request get = { .method = "GET", .path = "/k" };
	long long first, last;
	int conns, n;

	client(&c, "keepalive");
	net_thread_end();	/* start from no kept-alive connection */
	conns = stand_connections();
	stand_script(NULL);
	for (int i = 0; i < 5; i++)
		call(&c, &get);
	is_int(stand_connections() - conns, 1, "five calls in a row use one connection");

	/* Measured around the calls, not at the stand-in: the bucket spaces the starts, and a
	 * late first arrival would shorten the gap between arrivals, never the calls' span. */
	client(&limited, "limited");	/* the first bucket of this host: one token saved up */
	n = stand_count();
	first = clock_mono_us();
	for (int i = 0; i < 4; i++)
		call(&limited, &get);
	last = clock_mono_us();
	diag("4 calls at 5/s took %lld ms", (last - first) / 1000);
	is_int(stand_count() - n, 4, "4 calls at 5/s all arrive");
	ok(last - first >= 590000, "and take at least 3 x 200 ms: the first at once, then spaced");

	/* the same host through a second client: the same bucket, at the lower rate */
	client(&same, "same-host");
	first = clock_mono_us();
	call(&same, &get);
	call(&limited, &get);
	call(&same, &get);
	last = clock_mono_us();
	diag("3 calls through two clients of one host took %lld ms", (last - first) / 1000);
	ok(last - first >= 390000, "two clients of one host share its bucket, at the lower rate (5/s, not 50/s)");

	/* another origin (localhost, not 127.0.0.1), so its own bucket */
	snprintf(tight_base, sizeof tight_base, "http://localhost:%d", stand.port);
	tight.name = "tight";
	tight.base_url = tight_base;
	{
		char why[NET_MAX_ERROR];

		net_client_init(&tight, why, sizeof why);
	}
	ok(call(&tight, &get) == 0, "at one call in 5 s, the first goes at once");
	n = stand_count();
	ok(call(&tight, &get) < 0, "the next, whose token comes after its 200 ms budget, fails");
	is_int(err.code, NET_THROTTLED, "NET_THROTTLED");
	is_int(err.attempts, 0, "no attempt was made");
	is_int(stand_count() - n, 0, "and nothing reached the stand-in");
}

/* Runs fn with stderr (where log lines go) in a file; its contents into out. */
static void
capture_log(void (*fn)(void), struct buf *out)
{
	char path[] = "/tmp/kairos-test-net-XXXXXX", chunk[4096];
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t r;

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		buf_append(out, chunk, (size_t)r);
	close(fd);
	unlink(path);
}

static int logged_n;

static void
logged_calls(void)
{
	struct net_client bearer = { .auth = NET_AUTH_BEARER, .token = "BEARERSECRET-123" };
	struct net_request post = { .method = "POST", .path = "/v1/send?api_key=QUERYSECRET",
		.headers = { "apiSecret: HEADERSECRET", NULL }, .body = "{\"text\":\"PATIENTBODY\"}",
		.body_len = 22, .content_type = "application/json", .request_id = "req-7f3a",
		.retry = NET_RETRY_ANY };

	client(&bearer, "logged");
	logged_n = stand_count();
	stand_script("503", "200", NULL);
	net_request(&bearer, &post, &resp, &err);
	stand_script("400", NULL);
	net_request(&bearer, &post, &resp, &err);
}

static void
test_logging(void)
{
	struct buf log = BUF_INIT;
	const char *l;

	capture_log(logged_calls, &log);
	l = buf_cstr(&log);
	diag("%zu bytes logged", log.len);
	ok(strstr(stand.req[logged_n].head, "\r\nAuthorization: Bearer BEARERSECRET-123\r\n") &&
	    strstr(stand.req[logged_n].head, "\r\napiSecret: HEADERSECRET\r\n") &&
	    strstr(stand.req[logged_n].head, "?api_key=QUERYSECRET") &&
	    strstr(stand.req[logged_n].body, "PATIENTBODY"),
	    "the secrets and the body did reach the stand-in");
	ok(strstr(l, "\"msg\":\"net call\"") != NULL, "a line per call");
	ok(strstr(l, "\"msg\":\"net retry\"") != NULL, "a line per retried attempt");
	ok(strstr(l, "request req-7f3a") != NULL, "carrying the request id");
	ok(strstr(l, "POST http://127.0.0.1:") && strstr(l, "/v1/send:"),
	    "method, host and path");
	ok(strstr(l, "status 400") != NULL && strstr(l, "http_4xx") != NULL, "status and error type");
	ok(strstr(l, "BEARERSECRET") == NULL, "never the bearer token");
	ok(strstr(l, "HEADERSECRET") == NULL, "never a header's value");
	ok(strstr(l, "QUERYSECRET") == NULL && strstr(l, "api_key") == NULL, "never the query string");
	ok(strstr(l, "PATIENTBODY") == NULL, "never the body");
	buf_free(&log);
}

int
main(void)
{
	alarm(120);	/* a hung test fails rather than holding the suite */
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	stand_start();
	snprintf(base, sizeof base, "http://127.0.0.1:%d/", stand.port);
	net_response_init(&resp);

	test_pure();
	test_retries();
	test_retry_after();
	test_failures();
	test_methods();
	test_keepalive_and_rate();
	test_logging();

	net_response_free(&resp);
	net_thread_end();
	stand_stop();
	curl_global_cleanup();
	return tap_done();
}
