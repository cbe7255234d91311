/* home.c: the front page. For now it names the clinic; the booking wizard starts here. */
#include "web/web.h"

#include <string.h>

static struct db_stmt web_stmt_home_org = DB_STMT("web_home_org", 0,
	"SELECT name FROM organisations ORDER BY is_default DESC, created_at LIMIT 1");

void
web_home(struct web_app *app, struct request *req, struct response *resp)
{
	const char *name = "Kairos";
	struct buf *b = &resp->body;
	PGresult *res = NULL;

	(void)req;
	if (db_query(&app->db, &web_stmt_home_org, NULL, &res) != DB_OK) {
		log_error("home query failed", "%s", app->db.error);
		web_unavailable(resp, HTTP_KIND_HTML);
		return;
	}
	if (PQntuples(res) == 1)
		name = PQgetvalue(res, 0, 0);
	/* Replaced by templates/home.mustache once the view layer lands (issue 3). */
	buf_puts(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	buf_append_html(b, name, strlen(name));
	buf_puts(b, "</title>\n</head>\n<body>\n<main>\n<h1>");
	buf_append_html(b, name, strlen(name));
	buf_puts(b, "</h1>\n<p>Book an appointment online.</p>\n</main>\n</body>\n</html>\n");
	PQclear(res);
}
