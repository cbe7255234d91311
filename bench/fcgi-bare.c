/* fcgi-bare: the transport limit. A libfcgi responder that does nothing but answer "ok",
 * forked into N processes on one unix socket — what nginx + FastCGI can do on this machine
 * before any application work. bench/run puts it behind the same nginx as Kairos.
 *
 * Given a libpq connection string as well, each worker holds one connection and every
 * request runs the statement Kairos's `/` runs (one prepared query by primary key) and
 * answers with its result: the transport plus one PostgreSQL round trip and nothing else,
 * the most any page with one query can reach here. Given a body size too, the answer is
 * padded to that many bytes and each request writes a log line of Kairos's size to stderr;
 * given a file of header lines as well (what Kairos sent for `/`), they are sent in place
 * of the Content-Type: everything `/` must do (query, headers, page, log line) with no
 * application code at all.
 *
 * Given a file of SQL statements as well, one a line, each request runs them in order on
 * its worker's connection instead of `/`'s query (prepared once, as Kairos runs its
 * statements; "BEGIN" and "COMMIT" as they are) and answers as above: the same round trips
 * and writes as a Kairos endpoint, with no application code (bench/run catalogue's floor
 * rows). Statements go pipelined (libpq's pipeline mode), one round trip for each group of
 * lines; a line "--" ends a group, as Kairos's db sends a transaction's BEGIN and tenant with
 * its first statement and its queued writes with its COMMIT. A statement's parameters follow
 * it on its line, each after a tab ("\N" for NULL), and are sent with every execution as
 * Kairos sends its own: the floor runs Kairos's very statements, not literal copies that
 * PostgreSQL could fold at PREPARE.
 *
 *   fcgi-bare SOCKET WORKERS [CONNINFO [BODY_BYTES [HEADERS_FILE [SQL_FILE]]]] */
#include "http/fcgi_send.h"

#include <fcgiapp.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char reply[] = "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";

#define BARE_MAX_BODY		(1024 * 1024)
#define BARE_MAX_HEADERS	8192
#define BARE_LOG_LINE		168	/* bytes in one of Kairos's request log lines for `/` */

#define BARE_MAX_STATEMENTS	16
#define BARE_MAX_STATEMENT	4096
#define BARE_MAX_PARAMS		16

static char *pad;	/* BODY_BYTES of filler, or NULL */
/* SQL_FILE's statements, or none: then `/`'s query */
static char statements[BARE_MAX_STATEMENTS][BARE_MAX_STATEMENT];
/* each statement's parameters: pointers into its line, NULL for "\N" */
static const char *params[BARE_MAX_STATEMENTS][BARE_MAX_PARAMS];
static int nparams[BARE_MAX_STATEMENTS];
static int nstatements;
static size_t padlen;
#define BARE_DEFAULT_HEADERS	"Content-Type: text/plain\r\n"
static char headers[BARE_MAX_HEADERS] = BARE_DEFAULT_HEADERS;	/* CRLF lines */
static size_t headers_len = sizeof BARE_DEFAULT_HEADERS - 1;

/* Reads header lines from path, each sent as it is with CRLF; 0, or -1 when it can't. */
static int
bare_headers(const char *path)
{
	char line[BARE_MAX_HEADERS];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	headers_len = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strcspn(line, "\r\n");

		if (n == 0)
			continue;
		if (headers_len + n + 2 >= sizeof headers) {
			fclose(f);
			return -1;
		}
		memcpy(headers + headers_len, line, n);
		memcpy(headers + headers_len + n, "\r\n", 2);
		headers_len += n + 2;
	}
	fclose(f);
	return 0;
}

/* Files line as statement i: its SQL, and the parameters after its tabs; 0, or -1 when it
 * has more than BARE_MAX_PARAMS. */
static int
bare_statement_split(const char *line, int i)
{
	char *p;

	snprintf(statements[i], BARE_MAX_STATEMENT, "%s", line);
	nparams[i] = 0;
	for (p = strchr(statements[i], '\t'); p != NULL; p = strchr(p, '\t')) {
		if (nparams[i] == BARE_MAX_PARAMS)
			return -1;
		*p++ = '\0';
		params[i][nparams[i]++] = strcmp(p, "\\N") == 0 || strncmp(p, "\\N\t", 3) == 0 ?
		    NULL : p;
	}
	return 0;
}

/* Reads SQL_FILE's statements, one a line; 0, or -1 when it can't. */
static int
bare_statements(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[BARE_MAX_STATEMENT];

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strcspn(line, "\r\n");

		if (n == 0)
			continue;
		if (nstatements == BARE_MAX_STATEMENTS) {
			fclose(f);
			return -1;
		}
		line[n] = '\0';
		if (bare_statement_split(line, nstatements) < 0) {
			fclose(f);
			return -1;
		}
		nstatements++;
	}
	fclose(f);
	return nstatements > 0 ? 0 : -1;
}

static bool
bare_group_end(const char *sql)
{
	return strcmp(sql, "--") == 0;
}

static bool
bare_simple(const char *sql)
{
	return strcmp(sql, "BEGIN") == 0 || strcmp(sql, "COMMIT") == 0;
}

/* Connects and prepares; the organisation is the first one, as on the bench stack. */
static PGconn *
bare_db(const char *conninfo, char *org, size_t orgsz)
{
	PGconn *db = PQconnectdb(conninfo);
	PGresult *res;

	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "fcgi-bare: %s", PQerrorMessage(db));
		exit(1);
	}
	res = PQexec(db, "SELECT id FROM organisations ORDER BY created_at LIMIT 1");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "fcgi-bare: no organisation: %s", PQerrorMessage(db));
		exit(1);
	}
	snprintf(org, orgsz, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = PQprepare(db, "org", "SELECT name, timezone FROM organisations WHERE id = $1", 1, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "fcgi-bare: prepare: %s", PQerrorMessage(db));
		exit(1);
	}
	PQclear(res);
	for (int i = 0; i < nstatements; i++) {
		char name[16];

		if (bare_simple(statements[i]) || bare_group_end(statements[i]))
			continue;
		snprintf(name, sizeof name, "s%d", i);
		res = PQprepare(db, name, statements[i], nparams[i], NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			fprintf(stderr, "fcgi-bare: prepare %s: %s", statements[i], PQerrorMessage(db));
			exit(1);
		}
		PQclear(res);
	}
	return db;
}

/* SQL_FILE's statements in order, each group pipelined in one round trip; true when each
 * went through. */
static bool
bare_run_statements(PGconn *db)
{
	bool good = true;
	int i = 0;

	while (i < nstatements && good) {
		int sent = 0;
		PGresult *res;

		if (!PQenterPipelineMode(db))
			return false;
		for (; i < nstatements && !bare_group_end(statements[i]); i++, sent++) {
			char name[16];

			snprintf(name, sizeof name, "s%d", i);
			if (!(bare_simple(statements[i]) ?
			    PQsendQueryParams(db, statements[i], 0, NULL, NULL, NULL, NULL, 0) :
			    PQsendQueryPrepared(db, name, nparams[i], params[i], NULL, NULL, 0)))
				return false;
		}
		i++;	/* past the "--" */
		if (!PQpipelineSync(db))
			return false;
		for (int k = 0; k < sent; k++) {
			while ((res = PQgetResult(db)) != NULL) {
				ExecStatusType st = PQresultStatus(res);

				good = good && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
				PQclear(res);
			}
		}
		res = PQgetResult(db);	/* the Sync's */
		good = good && PQresultStatus(res) == PGRES_PIPELINE_SYNC;
		PQclear(res);
		if (!PQexitPipelineMode(db))
			return false;
	}
	if (!good)
		PQclear(PQexec(db, "ROLLBACK"));
	return good;
}

static void
bare_query_reply(PGconn *db, const char *org, FCGX_Request *fr)
{
	const char *p[] = { org }, *name = "floor", *zone = "-";
	PGresult *res = NULL;
	bool good;

	/* SQL_FILE's statements are the whole round-trip work; else `/`'s query */
	if (nstatements > 0)
		good = bare_run_statements(db);
	else {
		res = PQexecPrepared(db, "org", 1, p, NULL, NULL, 0);
		good = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
		if (good) {
			name = PQgetvalue(res, 0, 0);
			zone = PQgetvalue(res, 0, 1);
		}
	}
	if (good) {
		size_t line = strlen(name) + strlen(zone) + 2, fill = padlen > line ? padlen - line : 0;
		char head[BARE_MAX_HEADERS + 128], body[256];
		struct iovec answer[3];
		int n;

		/* framed as Kairos frames its pages, with a length, so nginx need not chunk, and
		 * sent as Kairos sends them (http_fcgi_send) */
		n = snprintf(head, sizeof head, "Status: 200 OK\r\n%.*sContent-Length: %zu\r\n\r\n",
		    (int)headers_len, headers, line + fill);
		snprintf(body, sizeof body, "%s %s\n", name, zone);
		answer[0] = (struct iovec){ head, (size_t)n };
		answer[1] = (struct iovec){ body, strlen(body) };
		answer[2] = (struct iovec){ pad != NULL ? pad : body, pad != NULL ? fill : 0 };
		http_fcgi_send(fr, answer, 3);
		if (pad != NULL && write(2, pad, BARE_LOG_LINE) < 0)
			_exit(1);
	} else
		FCGX_FPrintF(fr->out, "Status: 503 Service Unavailable\r\n\r\n");
	PQclear(res);
}

int
main(int argc, char **argv)
{
	FCGX_Request req;
	char org[64];
	PGconn *db = NULL;
	int fd, workers;

	if (argc < 3 || argc > 7 || (workers = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: fcgi-bare SOCKET WORKERS [CONNINFO [BODY_BYTES [HEADERS_FILE [SQL_FILE]]]]\n");
		return 2;
	}
	if (argc == 7 && bare_statements(argv[6]) < 0) {
		fprintf(stderr, "fcgi-bare: can't use statements from %s (1 to %d lines, each with up"
		    " to %d parameters)\n", argv[6], BARE_MAX_STATEMENTS, BARE_MAX_PARAMS);
		return 2;
	}
	if (argc >= 6 && bare_headers(argv[5]) < 0) {
		fprintf(stderr, "fcgi-bare: can't use header lines from %s\n", argv[5]);
		return 2;
	}
	if (argc >= 5) {
		long n = atol(argv[4]);

		if (n < BARE_LOG_LINE || n > BARE_MAX_BODY) {
			fprintf(stderr, "fcgi-bare: BODY_BYTES must be %d to %d\n", BARE_LOG_LINE,
			    BARE_MAX_BODY);
			return 2;
		}
		padlen = (size_t)n;
		if ((pad = malloc(padlen)) == NULL) {
			perror("fcgi-bare");
			return 1;
		}
		memset(pad, 'x', padlen);
		pad[BARE_LOG_LINE - 1] = '\n';	/* the log line is the first BARE_LOG_LINE bytes */
	}
	FCGX_Init();
	unlink(argv[1]);
	if ((fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
		perror("FCGX_OpenSocket");
		return 1;
	}
	chmod(argv[1], 0600);
	for (int i = 0; i < workers; i++)
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);	/* go when the master goes */
			if (argc >= 4)
				db = bare_db(argv[3], org, sizeof org);
			FCGX_InitRequest(&req, fd, 0);
			while (FCGX_Accept_r(&req) >= 0) {
				if (db != NULL)
					bare_query_reply(db, org, &req);
				else
					FCGX_PutStr(reply, sizeof reply - 1, req.out);
				/* the same plain close as Kairos (src/http/fcgi.c), not the
				 * lingering one: the transport limit must be the best transport */
				FCGX_Detach(&req);
				FCGX_Finish_r(&req);
			}
			_exit(0);
		}
	while (wait(NULL) > 0)
		;
	return 0;
}
