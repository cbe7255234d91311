/* response.c: status, headers and body, and their CGI-style serialisation. */
#include "http/http.h"

#include <string.h>
#include <strings.h>

#include <json-c/json.h>

/* Sent on every response (AUTH-6). No inline script or style is ever needed: the design
 * system ships CSS and JS as files, so the policy can stay strict. */
static const struct http_header_line http_security_headers[] = {
	{ "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
	  "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
	  "frame-ancestors 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "strict-origin-when-cross-origin" },
	{ "Cross-Origin-Opener-Policy", "same-origin" },
	{ "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()" },
};
/* Only under TLS: a browser ignores HSTS over plain HTTP anyway, and dev runs plain. */
#define HTTP_HSTS "max-age=31536000; includeSubDomains"

/* Whether the handler set header name itself: its value then replaces a security default
 * (the invitation page's stricter Referrer-Policy). */
static bool
http_response_has_header(const struct response *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return true;
	return false;
}

static const struct {
	int         code;
	const char *text;
} http_statuses[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
	{ 301, "Moved Permanently" }, { 302, "Found" }, { 303, "See Other" },
	{ 304, "Not Modified" }, { 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 409, "Conflict" },
	{ 410, "Gone" }, { 413, "Content Too Large" }, { 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
	{ 501, "Not Implemented" }, { 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

const char *
http_status_text(int status)
{
	for (size_t i = 0; i < sizeof http_statuses / sizeof *http_statuses; i++)
		if (http_statuses[i].code == status)
			return http_statuses[i].text;
	return "Unknown";
}

void
http_response_init(struct response *resp, struct arena *arena)
{
	memset(resp, 0, sizeof *resp);
	resp->status = 200;
	resp->content_type = "text/html; charset=utf-8";
	resp->arena = arena;
}

void
http_response_free(struct response *resp)
{
	buf_free(&resp->body);
}

void
http_response_header(struct response *resp, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL) {
		log_warn("response header refused", "header %s has CR, LF or colon", name);
		return;
	}
	if (resp->nheaders == HTTP_MAX_RESPONSE_HEADERS) {
		log_warn("response header dropped", "more than %d headers; dropped %s",
		    HTTP_MAX_RESPONSE_HEADERS, name);
		return;
	}
	resp->headers[resp->nheaders].name = arena_strdup(resp->arena, name);
	resp->headers[resp->nheaders].value = arena_strdup(resp->arena, value);
	resp->nheaders++;
}

void
http_response_cookie(struct response *resp, const struct request *req, const char *name,
    const char *value, const char *path, long max_age)
{
	char line[HTTP_COOKIE_MAX];
	int n;

	/* HttpOnly: no script reads them; SameSite=Lax: other sites' forms and frames send none;
	 * Secure whenever the request came over TLS */
	n = snprintf(line, sizeof line, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
	    name, value, path, max_age, req->tls ? "; Secure" : "");
	if (n < 0 || (size_t)n >= sizeof line || strpbrk(value, ";, \t") != NULL) {
		log_warn("cookie refused", "cookie %s is too long or has a separator", name);
		return;
	}
	http_response_header(resp, "Set-Cookie", line);
}

void
http_response_clear_body(struct response *resp)
{
	buf_reset(&resp->body);
	resp->insert = NULL;
	resp->insert_len = resp->insert_at = 0;
}

void
http_response_set(struct response *resp, int status, const char *content_type, const char *body,
    size_t len)
{
	resp->status = status;
	resp->content_type = content_type;
	http_response_clear_body(resp);
	buf_append(&resp->body, body, len);
}

void
http_response_json(struct response *resp, int status, struct json_object *obj)
{
	size_t len;
	const char *text = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	http_response_set(resp, status, "application/json", text, len);
}

void
http_response_redirect(struct response *resp, int status, const char *location)
{
	resp->status = status;
	http_response_clear_body(resp);
	http_response_header(resp, "Location", location);
}

void
http_response_error_json(struct response *resp, int status, const char *message,
    struct json_object *details)
{
	struct json_object *obj = json_object_new_object();

	json_object_object_add(obj, "error", json_object_new_string(message));
	if (details != NULL)
		json_object_object_add(obj, "details", details);
	http_response_json(resp, status, obj);
	json_object_put(obj);
}

void
http_response_error_html(struct response *resp, int status, const char *message)
{
	struct buf *b = &resp->body;
	const char *title = http_status_text(status);

	/* Fixed, self-contained markup: error pages must render even when templates cannot. */
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	http_response_clear_body(resp);
	buf_puts(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_append_html(b, title, strlen(title));
	buf_puts(b, " — Kairos</title>\n</head>\n<body>\n<main>\n<h1>");
	buf_append_html(b, title, strlen(title));
	buf_puts(b, "</h1>\n<p>");
	buf_append_html(b, message, strlen(message));
	buf_puts(b, "</p>\n<p><a href=\"/\">Go to the home page</a></p>\n</main>\n</body>\n</html>\n");
}

static void
http_header_out(struct buf *out, const char *name, const char *value)
{
	buf_puts(out, name);
	buf_puts(out, ": ");
	buf_puts(out, value);
	buf_puts(out, "\r\n");
}

void
http_response_serialise_head(const struct response *resp, const struct request *req,
    struct buf *out)
{
	/* appends, not printf: this runs for every answer */
	buf_puts(out, "Status: ");
	buf_append_int(out, resp->status);
	buf_putc(out, ' ');
	buf_puts(out, http_status_text(resp->status));
	buf_puts(out, "\r\n");
	if (resp->status != 204 && resp->status != 304)
		http_header_out(out, "Content-Type", resp->content_type);
	buf_puts(out, "Content-Length: ");
	buf_append_int(out, (long long)http_response_length(resp));
	buf_puts(out, "\r\n");
	for (size_t i = 0; i < sizeof http_security_headers / sizeof *http_security_headers; i++)
		if (!http_response_has_header(resp, http_security_headers[i].name))
			http_header_out(out, http_security_headers[i].name, http_security_headers[i].value);
	if (req->tls)
		http_header_out(out, "Strict-Transport-Security", HTTP_HSTS);
	if (req->request_id[0] != '\0')
		http_header_out(out, "X-Request-Id", req->request_id);
	for (size_t i = 0; i < resp->nheaders; i++)
		http_header_out(out, resp->headers[i].name, resp->headers[i].value);
	buf_puts(out, "\r\n");
}

size_t
http_response_length(const struct response *resp)
{
	return resp->body.len + (resp->insert != NULL ? resp->insert_len : 0);
}

size_t
http_response_wire_iov(const struct response *resp, const struct request *req,
    struct iovec iov[HTTP_WIRE_IOV_MAX])
{
	size_t n = 0, at = resp->body.len;

	if (resp->insert != NULL && resp->insert_at < at)
		at = resp->insert_at;
	if (req->method == HTTP_HEAD)
		return 0;
	if (at > 0)
		iov[n++] = (struct iovec){ resp->body.data, at };
	if (resp->insert != NULL && resp->insert_len > 0)
		iov[n++] = (struct iovec){ (void *)resp->insert, resp->insert_len };
	if (resp->body.len > at)
		iov[n++] = (struct iovec){ resp->body.data + at, resp->body.len - at };
	return n;
}
