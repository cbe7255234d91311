/* router: literal and :capture segments, 404, 405 with Allow, HEAD as GET. */
#include <string.h>

#include "http/http.h"
#include "tap.h"

struct my_route {
	struct http_route r;
	int id;
};

static const struct my_route routes[] = {
	{ { HTTP_GET, "/" }, 1 },
	{ { HTTP_GET, "/api/pms/connections" }, 2 },
	{ { HTTP_POST, "/api/pms/connections" }, 3 },
	{ { HTTP_POST, "/api/pms/connections/:id/pair" }, 4 },
	{ { HTTP_DELETE, "/api/pms/connections/:id" }, 5 },
	{ { HTTP_GET, "/a/:x/b/:y" }, 6 },
};

static enum http_match
route(const char *method, const char *path, int *id, struct request *req, struct buf *allow)
{
	char m[64], p[256];
	char *env[] = { m, p, NULL };
	struct http_error err;
	enum http_match rc;
	size_t i = 0;

	snprintf(m, sizeof m, "REQUEST_METHOD=%s", method);
	snprintf(p, sizeof p, "REQUEST_URI=%s", path);
	http_request_init(req, env, NULL, NULL, &err);
	rc = http_router_match(routes, sizeof routes / sizeof *routes, sizeof *routes, req, &i,
	    allow);
	*id = rc == HTTP_MATCH_FOUND ? routes[i].id : 0;
	return rc;
}

int
main(void)
{
	struct buf allow = BUF_INIT;
	struct request req;
	int id;

	ok(route("GET", "/", &id, &req, &allow) == HTTP_MATCH_FOUND && id == 1, "root");
	http_request_free(&req);
	ok(route("POST", "/api/pms/connections", &id, &req, &allow) == HTTP_MATCH_FOUND && id == 3,
	    "method picks between routes of one path");
	http_request_free(&req);
	ok(route("POST", "/api/pms/connections/7f3e/pair", &id, &req, &allow) == HTTP_MATCH_FOUND
	    && id == 4, "a :capture matches one segment");
	is_str(http_param(&req.route, "id"), "7f3e", "and is available by name");
	http_request_free(&req);
	ok(route("GET", "/a/1/b/2", &id, &req, &allow) == HTTP_MATCH_FOUND && id == 6 &&
	    req.route.count == 2, "two captures");
	is_str(http_param(&req.route, "y"), "2", "second capture");
	http_request_free(&req);
	ok(route("HEAD", "/api/pms/connections", &id, &req, &allow) == HTTP_MATCH_FOUND && id == 2,
	    "HEAD is served by the GET route");
	http_request_free(&req);
	ok(route("GET", "/api/pms/connections/x/pair/extra", &id, &req, &allow) ==
	    HTTP_MATCH_NOT_FOUND, "extra segments do not match");
	http_request_free(&req);
	ok(route("GET", "/api/pms/connections//pair", &id, &req, &allow) ==
	    HTTP_MATCH_WRONG_METHOD && strcmp(allow.data, "DELETE") == 0,
	    "// is normalised before matching, so \"pair\" is the :id of the DELETE route");
	http_request_free(&req);
	ok(route("GET", "/api/pms/connection", &id, &req, &allow) == HTTP_MATCH_NOT_FOUND,
	    "a prefix of a literal does not match");
	http_request_free(&req);
	ok(route("GET", "/api/pms/connectionsX", &id, &req, &allow) == HTTP_MATCH_NOT_FOUND,
	    "a literal followed by more characters does not match");
	http_request_free(&req);
	ok(route("PUT", "/api/pms/connections", &id, &req, &allow) == HTTP_MATCH_WRONG_METHOD,
	    "a known path with another method is 405");
	is_str(allow.data, "GET, HEAD, POST", "Allow lists every method of the path");
	http_request_free(&req);
	ok(route("GET", "/api/pms/connections/9/pair", &id, &req, &allow) ==
	    HTTP_MATCH_WRONG_METHOD, "405 for a pattern path too");
	is_str(allow.data, "POST", "Allow for the pattern path");
	http_request_free(&req);
	buf_free(&allow);
	return tap_done();
}
