/* test-fcgi-send.c: http_fcgi_send writes an answer as nginx reads it (FastCGI stdout
 * records, then the end of the stream and of the request) in at most two writes.
 *
 * Each case is a real libfcgi request: this process plays nginx on a unix socket (sends
 * BEGIN_REQUEST, PARAMS and STDIN, then reads the answer), a child accepts it with libfcgi
 * and answers with http_fcgi_send. On a SOCK_SEQPACKET socket every write the child makes
 * arrives as one message, so the test counts them; a SOCK_STREAM socket carries an answer
 * too long for one message. */
#include "http/fcgi_send.h"
#include "tap.h"

#include <fastcgi.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define REQUEST_ID	1
/* longest answer read back */
#define MAX_ANSWER	(2 * 1024 * 1024)
/* longest answer a SOCK_SEQPACKET message carries here (the socket's send buffer) */
#define MAX_COUNTED	(150 * 1024)

/* What came back: stdout's bytes, whether the records were well formed, and how many
 * messages (writes, on SOCK_SEQPACKET) carried stdout bytes. */
struct answer {
	char *out;
	size_t len;
	int writes;
	bool records_ok, ended;
};

static void
header(unsigned char *h, int type, size_t len)
{
	FCGI_Header fh = { .version = FCGI_VERSION_1, .type = (unsigned char)type,
		.requestIdB0 = REQUEST_ID, .contentLengthB1 = (unsigned char)(len >> 8),
		.contentLengthB0 = (unsigned char)len };

	memcpy(h, &fh, sizeof fh);
}

/* nginx's side of a request with no body: one write */
static void
send_request(int fd)
{
	unsigned char r[64] = { 0 }, *p = r;
	static const unsigned char param[] = { 11, 3, 'R', 'E', 'Q', 'U', 'E', 'S', 'T', '_', 'U',
		'R', 'I', '/', 'x', 'y' };

	header(p, FCGI_BEGIN_REQUEST, 8);
	p[9] = FCGI_RESPONDER;
	p += 16;
	header(p, FCGI_PARAMS, sizeof param);
	memcpy(p + 8, param, sizeof param);
	p += 8 + sizeof param;
	header(p, FCGI_PARAMS, 0);
	p += 8;
	header(p, FCGI_STDIN, 0);
	p += 8;
	if (write(fd, r, (size_t)(p - r)) != p - r)
		abort();
}

/* Reads records from buffer b (n bytes) into a: false once they stop making sense. */
static bool
parse(const unsigned char *b, size_t n, struct answer *a, bool *carried)
{
	while (n >= FCGI_HEADER_LEN) {
		size_t len = (size_t)b[4] << 8 | b[5], pad = b[6];

		if (b[0] != FCGI_VERSION_1 || (b[2] << 8 | b[3]) != REQUEST_ID || a->ended ||
		    n < FCGI_HEADER_LEN + len + pad)
			return false;
		if (b[1] == FCGI_STDOUT && len > 0) {
			memcpy(a->out + a->len, b + FCGI_HEADER_LEN, len);
			a->len += len;
			*carried = true;
		} else if (b[1] == FCGI_END_REQUEST)
			a->ended = true;
		else if (b[1] != FCGI_STDOUT)
			return false;
		b += FCGI_HEADER_LEN + len + pad;
		n -= FCGI_HEADER_LEN + len + pad;
	}
	return n == 0;
}

/* One request answered with pieces by a child; what came back in a (a->out is ours). */
static void
run(int type, const struct iovec *pieces, int n, struct answer *a)
{
	char path[] = "/tmp/test-fcgi-send-XXXXXX", sock[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char *buf = malloc(MAX_ANSWER + 1024);
	size_t have = 0;
	int lfd, cfd, status;
	pid_t pid;

	memset(a, 0, sizeof *a);
	a->out = malloc(MAX_ANSWER);
	if (mkdtemp(path) == NULL || buf == NULL || a->out == NULL)
		abort();
	snprintf(sock, sizeof sock, "%s/s", path);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	if ((lfd = socket(AF_UNIX, type, 0)) < 0 || bind(lfd, (void *)&sa, sizeof sa) < 0 ||
	    listen(lfd, 1) < 0 || (cfd = socket(AF_UNIX, type, 0)) < 0 ||
	    connect(cfd, (void *)&sa, sizeof sa) < 0)
		abort();
	send_request(cfd);
	if ((pid = fork()) == 0) {
		FCGX_Request fr;
		int rc;

		close(cfd);
		if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, lfd, 0) != 0 || FCGX_Accept_r(&fr) < 0)
			_exit(2);
		rc = http_fcgi_send(&fr, pieces, n);
		FCGX_Finish_r(&fr);
		_exit(rc == 0 ? 0 : 1);
	}
	close(lfd);
	a->records_ok = true;
	for (;;) {
		ssize_t got = read(cfd, buf + have, MAX_ANSWER + 1024 - have);
		bool carried = false;

		if (got <= 0)
			break;
		if (type == SOCK_SEQPACKET) {
			/* a message holds whole records: libfcgi and http_fcgi_send write them so */
			a->records_ok = a->records_ok && parse(buf, (size_t)got, a, &carried);
			a->writes += carried;
		} else
			have += (size_t)got;
	}
	if (type == SOCK_STREAM) {
		bool carried;

		a->records_ok = parse(buf, have, a, &carried);
	}
	close(cfd);
	waitpid(pid, &status, 0);
	a->records_ok = a->records_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	unlink(sock);
	rmdir(path);
	free(buf);
}

/* An answer of total bytes, the first head of them a "head" piece, sent and read back on a
 * socket of type: the bytes, the records and (SOCK_SEQPACKET) the count of writes. */
static void
check(int type, size_t total, size_t head)
{
	char *want = malloc(total + 1);
	struct iovec pieces[2];
	struct answer a;
	int most = total == 0 ? 0 : total <= HTTP_FCGI_BUFFERED ? 1 : 2;

	for (size_t i = 0; i < total; i++)
		want[i] = (char)('a' + (i * 7 + i / 251) % 26);
	pieces[0] = (struct iovec){ want, head };
	pieces[1] = (struct iovec){ want + head, total - head };
	run(type, pieces, 2, &a);
	ok(a.records_ok && a.ended, "%zu bytes (head %zu, %s): well-formed records, request ended",
	    total, head, type == SOCK_STREAM ? "stream" : "seqpacket");
	ok(a.len == total && memcmp(a.out, want, total) == 0, "%zu bytes (head %zu): the same bytes back",
	    total, head);
	if (type == SOCK_SEQPACKET)
		ok(a.writes == most, "%zu bytes (head %zu): %d writes carried them (want %d)", total,
		    head, a.writes, most);
	free(a.out);
	free(want);
}

int
main(void)
{
	static const size_t sizes[] = { 0, 1, HTTP_FCGI_BUFFERED, HTTP_FCGI_BUFFERED + 1, 8192,
		8193, 16000, FCGI_MAX_LENGTH, FCGI_MAX_LENGTH + 1, FCGI_MAX_LENGTH + HTTP_FCGI_BUFFERED + 1,
		77 * 1024, 2 * FCGI_MAX_LENGTH + 7, MAX_COUNTED };
	struct iovec many[HTTP_FCGI_MAX_PIECES + 1];
	struct answer a;

	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		size_t s = sizes[i];

		check(SOCK_SEQPACKET, s, 0);
		check(SOCK_SEQPACKET, s, s < 300 ? s / 2 : 300);
		check(SOCK_SEQPACKET, s, s);
	}
	/* longer than a message: 31 records of 65,535 and libfcgi's tail, over two writevs */
	check(SOCK_STREAM, MAX_ANSWER, 5000);
	check(SOCK_STREAM, MAX_ANSWER - 1, MAX_ANSWER - 1);

	for (int i = 0; i <= HTTP_FCGI_MAX_PIECES; i++)
		many[i] = (struct iovec){ "x", 1 };
	run(SOCK_SEQPACKET, many, HTTP_FCGI_MAX_PIECES + 1, &a);
	ok(!a.records_ok && a.len == 0, "more pieces than HTTP_FCGI_MAX_PIECES: refused, nothing sent");
	free(a.out);
	run(SOCK_SEQPACKET, many, HTTP_FCGI_MAX_PIECES, &a);
	ok(a.records_ok && a.len == HTTP_FCGI_MAX_PIECES && a.writes == 1,
	    "HTTP_FCGI_MAX_PIECES pieces of one byte: sent, in one write");
	free(a.out);
	return tap_done();
}
