/* http: requests and responses as Kairos sees them, independent of how they arrived.
 *
 * request.c turns CGI/FastCGI-style params ("KEY=VALUE" strings) and a body into a
 * struct request, enforcing every input limit below; response.c collects status, headers
 * and body and serialises them; router.c matches method + path against a route table;
 * fcgi.c glues these to libfcgi; prefork.c is the master/worker process manager. */
#ifndef KAIROS_HTTP_H
#define KAIROS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>
#include <sys/types.h>

#include "core/core.h"

struct json_object;

/* Input limits. nginx enforces its own, larger ones first; these hold without it. */
#define HTTP_MAX_PATH_BYTES      2048	/* decoded path */
#define HTTP_MAX_QUERY_BYTES     8192	/* raw query string */
#define HTTP_MAX_PARAMS          256	/* per source: query, form, cookies */
#define HTTP_MAX_PARAM_NAME      128	/* bytes of one decoded name */
#define HTTP_MAX_COOKIE_BYTES    8192	/* raw Cookie header */
#define HTTP_JSON_MAX_DEPTH      32	/* nesting of a JSON body */
#define HTTP_REQUEST_ID_MAX      64	/* accepted X-Request-Id length */
#define HTTP_MAX_ROUTE_PARAMS    8	/* :captures in one pattern */
#define HTTP_MAX_RESPONSE_HEADERS 24
#define HTTP_COOKIE_MAX           4096	/* one Set-Cookie line */
#define HTTP_ENV_INDEX_SLOTS      256	/* hash slots over the FastCGI params (a power of 2) */
#define HTTP_ENV_INDEX_MAX        160	/* params indexed; with more, lookups scan them all */
#define HTTP_JSON_FAULTS_MAX      10	/* members at fault named in one body; the rest counted */
#define HTTP_JSON_PATH_MAX        160	/* bytes of a fault's dotted path (cut at a character) */

enum http_method {
	HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS,
	HTTP_METHOD_OTHER
};

/* One name/value pair; both NUL-terminated (value may also contain NULs: use value_len). */
struct http_param {
	const char *name;
	const char *value;
	size_t      value_len;
};

struct http_params {
	struct http_param *items;	/* in arrival order; repeated names kept */
	size_t             count;
};

/* A member of a JSON body that is well-formed but not acceptable: a string value that is
 * not UTF-8, or a member name its object already has. The body is refused either way; the
 * path lets an input spec name the field ("signup.name", "items.2"; "" for the top level). */
enum http_json_fault_kind { HTTP_JSON_NOT_UTF8, HTTP_JSON_DUPLICATE };

struct http_json_fault {
	enum http_json_fault_kind kind;
	const char               *path;	/* arena-owned; array items by index */
};

struct http_json_faults {
	struct http_json_fault items[HTTP_JSON_FAULTS_MAX];
	size_t                 count;	/* listed in items */
	size_t                 total;	/* found, listed or not */
};

/* How a route answers, and so how errors on it are rendered. */
enum http_kind { HTTP_KIND_HTML, HTTP_KIND_JSON };

/* Why parsing failed: an HTTP status and a message safe to show the client. */
struct http_error {
	int         status;
	const char *message;
	const char *field;	/* the offending parameter or header, or NULL */
};

/* Everything here lives in `arena` (or is owned as noted) and dies with http_request_free. */
struct request {
	struct arena        arena;
	enum http_method    method;
	const char         *method_name;	/* as sent */
	const char         *path;		/* percent-decoded, normalised, never has ".." */
	const char         *log_path;	/* what the request's log line shows for path: NULL
					 * for path itself, a route's pattern when its path
					 * holds a secret (an invitation token) */
	bool                path_canonical;	/* the decoded path was already `path`: nginx's
						 * $uri is then this same string (docs/security.md) */
	const char         *raw_uri;	/* REQUEST_URI as sent */
	const char         *query_string;
	struct http_params  query;
	struct http_params  form;	/* application/x-www-form-urlencoded body */
	struct http_params  cookies;
	struct http_params  route;	/* :captures of the matched route */
	struct json_object *json;	/* application/json body; owned, put by http_request_free */
	struct json_object *json_faulty;	/* a body refused only for json_faults (built all
						 * the same, so a spec can name every field); owned */
	struct http_json_faults json_faults;
	const char         *body;
	size_t              body_len;
	const char         *content_type;	/* without parameters, lowercased; "" if none */
	const char         *client_addr;
	bool                tls;
	char                request_id[HTTP_REQUEST_ID_MAX + 1];
	char *const        *env;		/* the params, borrowed from the transport */
	unsigned char       env_index[HTTP_ENV_INDEX_SLOTS];	/* name hash → param + 1 */
	bool                env_indexed;	/* else http_env scans env */
	long long           start_us;	/* monotonic clock at arrival */
	ssize_t           (*body_read)(void *ctx, char *p, size_t n);
	void               *body_ctx;
	bool                body_done;	/* http_request_read_body ran */
	enum http_kind      kind;	/* how answers are rendered: the route's, else a guess */
	struct http_error   error;	/* set when http_request_init refused the request */
};

/* Reads up to n body bytes into p; returns bytes read, 0 at end, -1 on error. */
typedef ssize_t (*http_body_reader)(void *ctx, char *p, size_t n);

/* Parses the request line, headers, query and cookies from env (borrowed: it must outlive
 * req); the body stays unread until http_request_read_body. Always sets request_id.
 * Returns 0, or -1 with *err set. */
int  http_request_init(struct request *req, char *const *env, http_body_reader read,
	void *read_ctx, struct http_error *err);
/* Reads and parses the body: at most max_body bytes (413 beyond), form or JSON by
 * Content-Type. Called by the handler once the route is known, so an unknown path is a
 * 404 whatever its body. 0 or -1 with *err. */
int  http_request_read_body(struct request *req, size_t max_body, struct http_error *err);
/* Reads and discards what is left of the body, so the transport stays in step. */
void http_request_drain(struct request *req);
void http_request_free(struct request *req);

/* A param's value by name from the transport (e.g. "REQUEST_METHOD"), or NULL. */
const char *http_env(const struct request *req, const char *name);
/* A request header by its HTTP name ("X-Request-Id"), or NULL. */
const char *http_header(const struct request *req, const char *name);
/* The first value for name, or NULL. */
/* The value of the first parameter named name, or NULL. A value with a NUL inside (%00)
 * reads as absent: as a C string it would be cut at the NUL. http_param_has_nul tells such
 * a value from a missing one, so a form can say what is wrong with it. A value that is not
 * UTF-8 (http_parse_form keeps one) reads as absent too: no handler may store or echo it. */
const char *http_param(const struct http_params *params, const char *name);
bool        http_param_has_nul(const struct http_params *params, const char *name);
/* Whether the client prefers JSON (Accept or an /api/ path) — for errors before routing. */
enum http_kind http_request_kind_guess(const struct request *req);

/* Appends s[0..n) to out percent-encoded: RFC 3986's unreserved bytes and those in keep
 * ("/" for a path, "" for a query's names and values) as they are, the rest as %XX. */
void  http_percent_encode(struct buf *out, const char *s, size_t n, const char *keep);
/* Decodes %XX (and '+' as space when plus_is_space) from s[0..n) into an arena string.
 * Returns NULL on a malformed escape. *out_len gets the decoded length. */
char *http_percent_decode(struct arena *a, const char *s, size_t n, bool plus_is_space,
	size_t *out_len);
/* Parses application/x-www-form-urlencoded text into params allocated from a. A value that
 * is not UTF-8 refuses the whole query (400 naming it). */
int  http_parse_urlencoded(struct arena *a, const char *s, size_t n, struct http_params *out,
	struct http_error *err);
/* The same for a form body, except that a value that is not UTF-8 is kept as sent:
 * the form's input spec gives that field its error and the page keeps the other fields.
 * A name that is not UTF-8 still refuses the whole body (there is no field to put it by). */
int  http_parse_form(struct arena *a, const char *s, size_t n, struct http_params *out,
	struct http_error *err);
/* v's text when v is a JSON string holding no NUL character; NULL for any other value and
 * for a string with a \u0000 inside, which as a C string would be cut at the NUL (and the
 * cut value checked and used). Every JSON string a handler reads as text goes through it.
 * Borrowed from v. */
const char *http_json_text(struct json_object *v);
/* Checks that s[0..n) is exactly one RFC 8259 JSON text, valid UTF-8, without unpaired
 * surrogate escapes, nested at most max_depth deep. 0, or -1 with *why a client message. */
int  http_json_check(const char *s, size_t n, unsigned max_depth, const char **why);
/* The same check, but a string value that is not UTF-8 and a member name its object already
 * has are listed in *faults (cleared first; paths from a) instead of ending the check: 0 then
 * means well-formed, and the body is acceptable only if faults->total is 0. A name that is
 * not UTF-8 is still a -1 (it has no path to put an error by). http_json_check refuses a
 * duplicate name too ("JSON has a member twice"): last-one-wins would let two readers of
 * one body see different values. */
int  http_json_check_members(const char *s, size_t n, unsigned max_depth, struct arena *a,
	struct http_json_faults *faults, const char **why);
/* The whole-body message for faults: its first fault's ("JSON is not valid UTF-8"). */
const char *http_json_fault_message(const struct http_json_faults *faults);
/* Normalises a decoded path: "//" collapsed, "." removed, trailing "/" dropped (except "/").
 * Returns NULL if it is not absolute or has a ".." segment. This is the one definition of
 * a canonical path: a decoded path is canonical when it is its own normal form, and only
 * canonical paths are routed (the rest are redirected; web/dispatch.c), because only for
 * those is nginx's $uri, on which its rate-limited locations match, the same string. */
char *http_path_normalise(struct arena *a, const char *path, size_t n);

/* ---- responses ---- */

struct http_header_line {
	const char *name;
	const char *value;
};

struct response {
	int                     status;
	const char             *content_type;	/* static or arena string */
	struct buf              body;		/* owned; freed by http_response_free */
	/* Bytes sent after the first insert_at bytes of body, borrowed, not copied: a page laid
	 * out around content the handler already has (web_page_around). Whoever set them keeps
	 * them alive until the answer is sent; NULL: none. Any function here that replaces the
	 * body drops them. */
	const char             *insert;
	size_t                  insert_len, insert_at;
	struct http_header_line headers[HTTP_MAX_RESPONSE_HEADERS];
	size_t                  nheaders;
	struct arena           *arena;	/* the request's, for header strings */
};

void http_response_init(struct response *resp, struct arena *arena);
void http_response_free(struct response *resp);
/* Adds a header; name and value are copied into the arena. Dropped (and logged) past the
 * limit or if either contains CR or LF (header injection). */
void http_response_header(struct response *resp, const char *name, const char *value);
/* Adds a Set-Cookie: HttpOnly, SameSite=Lax, Secure under TLS; max_age 0 deletes it. A value
 * with a separator or a line over HTTP_COOKIE_MAX is refused (logged). */
void http_response_cookie(struct response *resp, const struct request *req, const char *name,
	const char *value, const char *path, long max_age);
/* Empties the body and drops its insert: whatever replaces the body replaces all of it. */
void http_response_clear_body(struct response *resp);
/* Replaces the body with text/html, application/json, ... */
void http_response_set(struct response *resp, int status, const char *content_type,
	const char *body, size_t len);
void http_response_json(struct response *resp, int status, struct json_object *obj);
void http_response_redirect(struct response *resp, int status, const char *location);
/* {"error": message, "details": details or omitted}; details is consumed (put). */
void http_response_error_json(struct response *resp, int status, const char *message,
	struct json_object *details);
/* A complete, self-contained HTML error page. */
void http_response_error_html(struct response *resp, int status, const char *message);
/* Status line text for a code ("Not Found"); "Unknown" for codes we never send. */
const char *http_status_text(int status);
/* A response as the worker sends it, CGI-style: the head ("Status: 200 OK\r\n...", security
 * headers and X-Request-Id added, the blank line) appended to out; then the body's pieces to
 * send after it, sent from where they are (a 77 KB page is not copied once more): resp's own
 * bytes, with its borrowed insert between them. http_response_wire_iov fills at most
 * HTTP_WIRE_IOV_MAX iovecs (none for HEAD or an empty body) and returns how many. HEAD keeps
 * the GET length. */
#define HTTP_WIRE_IOV_MAX 3
void http_response_serialise_head(const struct response *resp, const struct request *req,
	struct buf *out);
size_t http_response_wire_iov(const struct response *resp, const struct request *req,
	struct iovec iov[HTTP_WIRE_IOV_MAX]);
/* The length of resp's body as sent: its own bytes and its insert. */
size_t http_response_length(const struct response *resp);

/* ---- routing ---- */

struct http_route {
	enum http_method method;
	const char      *pattern;	/* "/api/pms/connections/:id/pair" */
};

enum http_match { HTTP_MATCH_FOUND, HTTP_MATCH_NOT_FOUND, HTTP_MATCH_WRONG_METHOD };

/* Matches req against n routes laid out `stride` bytes apart, each starting with a struct
 * http_route (so callers embed it in their own route type). HEAD matches GET routes.
 * On FOUND sets *index and req->route; on WRONG_METHOD writes the Allow list into allow. */
enum http_match http_router_match(const void *routes, size_t n, size_t stride,
	struct request *req, size_t *index, struct buf *allow);
const char *http_method_name(enum http_method m);

/* ---- FastCGI transport (fcgi.c) ---- */

/* Fills resp for req. Called for every request, also one http_request_init refused
 * (req->error.status is then set), so one place renders every answer. fcgi.c frees req
 * and resp afterwards. */
typedef void (*http_handler)(void *ctx, struct request *req, struct response *resp);

/* Creates the listening unix socket (mode as given), refusing if a live server owns the
 * path. Returns the fd (non-blocking, close-on-exec) or -1 with a logged reason. */
int  http_fcgi_listen(const char *path, unsigned mode);
/* Accepts and answers requests on listen_fd until stop_fd becomes readable; the request in
 * flight when it does is finished first. Each request: parse, handler (which reads the
 * body), drain, write, one JSON log line. 0 when stopped, -1 on a fatal socket error. */
int  http_fcgi_serve(int listen_fd, int stop_fd, http_handler handler, void *ctx);

/* ---- the master process (prefork.c) ---- */

struct http_prefork {
	int       listen_fd;
	/* Runs in a fresh child: set up (templates, ...), call http_prefork_ready(), then
	 * serve until stop_fd is readable. Its return value is the child's exit status. */
	int     (*worker_main)(void *ctx, int listen_fd, int stop_fd);
	/* On SIGHUP, in the master: re-read configuration. 0 on success; on failure the old
	 * configuration stays and workers are not replaced. */
	int     (*reload)(void *ctx);
	/* How many workers to run (asked at start and after each reload). */
	unsigned (*worker_count)(void *ctx);
	/* Seconds in-flight requests get on SIGTERM before workers are killed. */
	unsigned (*shutdown_timeout)(void *ctx);
	void     *ctx;
};

/* Runs the master until SIGTERM or SIGINT; returns the process exit status. */
int  http_prefork_run(const struct http_prefork *pf);
/* Called by a worker once it can serve: the master replaces old workers only then. */
void http_prefork_ready(void);

/* http's keys (src/http/settings.c). */
extern const struct config_table http_settings;

#endif
