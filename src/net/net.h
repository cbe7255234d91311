/* net: the one outbound HTTP client (ARCHITECTURE.md: "Every third-party call goes through
 * net/"). Notify's providers use it today; payments, PMS and calendars are meant to.
 *
 * A struct net_client is one provider's endpoint: a base URL from that module's settings
 * (tests point it at a local stand-in), timeouts, a retry policy and a rate limit. A call,
 * net_request(), sends one struct net_request and fills a struct net_response and a typed
 * struct net_err. See docs/net.md for the rules in prose.
 *
 * Retries. A failed attempt is tried again (after backoff with jitter, or the server's
 * Retry-After) only when the call's retry mode allows it for that failure:
 *   NET_RETRY_NEVER   never.
 *   NET_RETRY_UNSENT  only when the request surely never left: the name did not resolve,
 *                     the connection was refused or timed out, the TLS handshake failed.
 *                     Right for a POST that creates something and has no idempotency key.
 *   NET_RETRY_ANY     also after it may have arrived: a broken or timed-out exchange, 5xx,
 *                     and 429 (honouring Retry-After). Only for calls that are safe twice.
 *   NET_RETRY_AUTO    (the zero value) ANY for GET, HEAD, PUT, DELETE and OPTIONS and for
 *                     any call with an idempotency key; UNSENT for the rest (POST, PATCH).
 * Every attempt, every backoff and every Retry-After wait fits inside the call's budget
 * (budget_ms): a wait that would not fit is not waited, and the last error is returned
 * with retry_after_s set, for a durable queue (notify's outbox) to schedule the next try.
 * Redirects are never followed: an API that answers 3xx is misconfigured (NET_REDIRECT).
 * One re-send is libcurl's own: a kept-alive connection the server closed before any byte
 * of an answer (an idle timeout racing our reuse) gets the request again on a new one.
 *
 * Rate limit: a token bucket per host (scheme://host:port) per process, shared by every
 * client of that host in the process; a call waits for a token before each attempt, and
 * fails with NET_THROTTLED, having sent nothing, when the token would come after its
 * budget. Processes do not share buckets (a limit across workers is the durable queue's
 * business, or divide the provider's limit by the number of processes).
 *
 * Keep-alive: each thread has one libcurl handle (so at most one transfer per handle, as
 * libcurl requires) that every client on that thread shares; it keeps up to
 * NET_MAX_CONNECTIONS connections alive, with their TLS sessions and DNS answers.
 *
 * Thread safety: net_client_init is not (call it before starting threads). net_request on
 * the same or different clients from any number of threads at once is: the client is read
 * only after init, the buckets are under a mutex, and each thread has its own handle.
 * curl_global_init must have run before the first call (main and the tests do it).
 *
 * Logging: one line per call ("net call": client name, method, host, path without the
 * query, status, error, attempts, duration, and the request id the caller passed), and one
 * warning per retried attempt. Never a header value (they carry credentials), never the
 * query string (it may), never a body (it carries patients' messages). Error messages
 * obey the same rule. */
#ifndef KAIROS_NET_NET_H
#define KAIROS_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Defaults for a client's zero fields. */
#define NET_DEFAULT_CONNECT_TIMEOUT_MS 3000L	/* a TCP+TLS handshake, even overseas */
#define NET_DEFAULT_TIMEOUT_MS         10000L	/* one attempt, connect to last byte */
#define NET_DEFAULT_MAX_ATTEMPTS       3
#define NET_DEFAULT_BACKOFF_BASE_MS    200L	/* the first wait; doubled each attempt */
#define NET_DEFAULT_BACKOFF_MAX_MS     5000L
#define NET_DEFAULT_MAX_RESPONSE       (1024 * 1024)	/* no API answer we read is bigger */
#define NET_DEFAULT_USER_AGENT         "kairos"
#define NET_DEFAULT_IDEMPOTENCY_HEADER "Idempotency-Key"	/* Stripe's spelling */

/* Hard limits. */
#define NET_MAX_ATTEMPTS       10	/* more is a retry storm, not resilience */
#define NET_MAX_RETRY_AFTER_S  60	/* a longer Retry-After is the durable queue's to wait */
#define NET_MAX_HEADERS        16	/* a call's own request headers */
#define NET_MAX_HOST           256	/* "https://host:port" of a base URL */
#define NET_MAX_HOSTS          32	/* rate-limited hosts in one process */
#define NET_MAX_CONNECTIONS    16	/* kept alive per thread, across all hosts */
#define NET_MAX_RESPONSE_HEADERS (16 * 1024)	/* kept of the last answer's header lines */
#define NET_MAX_ERROR          256
#define NET_MAX_REQUEST_ID     64

enum net_error {
	NET_OK = 0,
	NET_BAD_REQUEST,	/* ours: a bad base URL, method, or too many headers; nothing sent */
	NET_RESOLVE,	/* the host name did not resolve; nothing sent */
	NET_CONNECT,	/* refused, unreachable, or the connect timed out; nothing sent */
	NET_TLS,	/* the TLS handshake or the certificate failed; nothing sent */
	NET_TIMEOUT,	/* the exchange took longer than the attempt's time; may have arrived */
	NET_BROKEN,	/* the connection broke mid-exchange; may have arrived */
	NET_TOO_LARGE,	/* the answer's body went past max_response (status and part kept) */
	NET_REDIRECT,	/* 3xx: not followed */
	NET_HTTP_4XX,	/* 4xx other than 429: the server refused it; never retried */
	NET_RATE_LIMITED,	/* 429 from the server (retry_after_s says when, if it did) */
	NET_HTTP_5XX,	/* 5xx: the server failed; may have acted */
	NET_THROTTLED,	/* our own per-host rate limit left no room in the budget; nothing sent */
	NET_INTERNAL,	/* libcurl could not start; nothing sent */
};

enum net_retry {
	NET_RETRY_AUTO = 0,
	NET_RETRY_NEVER,
	NET_RETRY_UNSENT,
	NET_RETRY_ANY,
};

enum net_auth {
	NET_AUTH_NONE = 0,
	NET_AUTH_BASIC,	/* username:password */
	NET_AUTH_BEARER,	/* Authorization: Bearer token */
};

/* One host's token bucket (net.c). */
struct net_bucket;

/* One provider's endpoint. The caller sets the fields above the line (zero means the
 * default) and calls net_client_init; strings are borrowed and must outlive the client. */
struct net_client {
	const char   *name;	/* the provider, in log lines: "twilio" */
	const char   *base_url;	/* http(s)://host[:port][/prefix], no trailing slash needed */
	long          connect_timeout_ms;
	long          timeout_ms;	/* one attempt, connect included */
	long          budget_ms;	/* the whole call: attempts and waits; default timeout_ms */
	int           max_attempts;	/* 1: no retries */
	long          backoff_base_ms, backoff_max_ms;
	double        rate_per_s;	/* per host per process; 0: no limit */
	double        burst;	/* tokens a host may save up; default 1 (evenly spaced) */
	size_t        max_response;	/* bytes of body */
	enum net_auth auth;
	const char   *username, *password;	/* NET_AUTH_BASIC */
	const char   *token;	/* NET_AUTH_BEARER */
	const char   *user_agent;
	const char   *idempotency_header;	/* the header net_request.idempotency_key goes in */
	/* ---- set by net_client_init ---- */
	char               origin[NET_MAX_HOST];	/* scheme://host:port, for the log and the bucket */
	size_t             base_len;	/* base_url without trailing slashes */
	struct net_bucket *bucket;	/* NULL when rate_per_s is 0 */
};

/* Validates c->base_url and fills in defaults and the rest. 0, or -1 with why (a bad URL,
 * a bad setting, or NET_MAX_HOSTS rate-limited hosts already). Not thread-safe. */
int  net_client_init(struct net_client *c, char *why, size_t size);

/* One call. Strings are borrowed for the call. */
struct net_request {
	const char     *method;	/* "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS" */
	const char     *path;	/* appended to the base URL: "/v3/mail/send?x=1" */
	const char     *headers[NET_MAX_HEADERS + 1];	/* "Name: value", NULL-terminated */
	const char     *content_type;	/* of body: "application/json"; NULL when none */
	const char     *body;
	size_t          body_len;
	const char     *idempotency_key;	/* sent in the client's idempotency header */
	enum net_retry  retry;
	const char     *request_id;	/* the Kairos request or job this call serves (logged) */
	long            budget_ms;	/* 0: the client's */
};

/* The last attempt's answer. Free with net_response_free(); init before use. */
struct net_response {
	long       status;	/* 0 when no HTTP answer arrived */
	struct buf body;	/* up to max_response bytes (the part read, when NET_TOO_LARGE) */
	struct buf headers;	/* the answer's header lines, raw; read with net_response_header */
};

void net_response_init(struct net_response *r);
void net_response_free(struct net_response *r);

/* The value of header `name` in r (case-insensitive, trimmed), copied into out (truncated
 * to size - 1 bytes). Its full length, or -1 (and out "") when r has no such header. */
long net_response_header(const struct net_response *r, const char *name, char *out, size_t size);

/* Why a call failed. message never holds a header value, a query string or a body. */
struct net_err {
	enum net_error code;
	long           status;	/* the last HTTP status, or 0 */
	int            attempts;	/* attempts that were made (0: none was sent) */
	int            retry_after_s;	/* what the server asked for (429, 503), or 0 */
	bool           maybe_sent;	/* an attempt may have reached the server */
	char           message[NET_MAX_ERROR];	/* "twilio POST /2010-04-01/…: HTTP 503" */
};

/* Performs req against c, retrying as described at the top. 0 when a 2xx answer arrived
 * whole; -1 otherwise, with err set (err->code) and resp holding whatever answer the last
 * attempt got (a 4xx body to read the provider's reason from). resp must be initialised;
 * its contents are replaced. */
int  net_request(const struct net_client *c, const struct net_request *req,
	struct net_response *resp, struct net_err *err);

/* A short stable name of an error ("connect", "http_5xx"), for logs and tests. */
const char *net_error_name(enum net_error e);

/* Whether a failure with code e is one a retry may fix at all (a network error, 429, 5xx),
 * whatever the retry mode: for callers with a durable retry of their own. */
bool net_error_transient(enum net_error e);

/* Appends key=value to an application/x-www-form-urlencoded body, percent-encoded. */
void net_form_add(struct buf *form, const char *key, const char *value);

/* Seconds a Retry-After value asks for: delta-seconds, or an HTTP date compared with now
 * (Unix seconds). -1 when it is neither; 0 for a date in the past; at most a day. Whether
 * to wait that long is net_request's decision (NET_MAX_RETRY_AFTER_S), not this one's. */
long net_retry_after_parse(const char *value, long long now);

/* The wait before attempt n+1 after n failed attempts (n >= 1): base * 2^(n-1), capped at
 * max, then "equal jitter": half of it fixed and half scaled by rnd / UINT32_MAX, so
 * runners that failed together do not retry together. */
long net_backoff_ms(long base_ms, long max_ms, int n, uint32_t rnd);

/* Frees the calling thread's libcurl handle and closes its kept-alive connections. A
 * thread that made calls calls it before it ends; so does a process's main thread when it
 * is done (libcurl's handle is otherwise reported as a leak). */
void net_thread_end(void);

#endif
