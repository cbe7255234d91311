/* fcgi_send.c: an answer as FastCGI stdout records (fcgi_send.h).
 *
 * libfcgi copies an answer into an 8 KB stream buffer and writes a record each time it
 * fills, so a 77 KB page costs the worker ten writes, and nginx as many wakeups. A record
 * may hold 65,535 bytes: this writes the long part of an answer in records that size, with
 * their headers, in one writev straight from the caller's memory. */
#include "http/fcgi_send.h"

#include <errno.h>
#include <fastcgi.h>
#include <poll.h>
#include <stddef.h>

/* iovecs in one writev: a record's header and the pieces its content spans */
#define FCGI_SEND_IOV		64
/* How long a full socket may keep us waiting before the answer is given up. */
#define FCGI_SEND_WAIT_MS	30000

/* Where the next unsent byte of an answer's pieces is. */
struct fcgi_cursor {
	const struct iovec *pieces;
	int n, at;
	size_t off;
};

/* Adds iovecs for the next len bytes of c to iov at *used (room for c's pieces left). */
static void
fcgi_take(struct fcgi_cursor *c, size_t len, struct iovec *iov, int *used)
{
	while (len > 0) {
		const struct iovec *p = &c->pieces[c->at];
		size_t left = p->iov_len - c->off, part = left < len ? left : len;

		if (part > 0)
			iov[(*used)++] = (struct iovec){ (char *)p->iov_base + c->off, part };
		len -= part;
		c->off += part;
		if (c->off == p->iov_len) {
			c->at++;
			c->off = 0;
		}
	}
}

/* A record header for len bytes of request id's stdout. */
static FCGI_Header
fcgi_header(int id, size_t len)
{
	return (FCGI_Header){
		.version = FCGI_VERSION_1, .type = FCGI_STDOUT,
		.requestIdB1 = (unsigned char)(id >> 8), .requestIdB0 = (unsigned char)id,
		.contentLengthB1 = (unsigned char)(len >> 8), .contentLengthB0 = (unsigned char)len,
	};
}

/* writev until all of iov[0..cnt) is written; iov is used up. 0, or -1. */
static int
fcgi_writev_all(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t w = writev(fd, iov, cnt);

		if (w < 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
			    poll(&pfd, 1, FCGI_SEND_WAIT_MS) == 1)
				continue;
			return -1;
		}
		for (; cnt > 0 && (size_t)w >= iov->iov_len; iov++, cnt--)
			w -= (ssize_t)iov->iov_len;
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
http_fcgi_send(FCGX_Request *fr, const struct iovec *pieces, int n)
{
	struct fcgi_cursor c = { pieces, n, 0, 0 };
	size_t total = 0, direct;

	if (n < 0 || n > HTTP_FCGI_MAX_PIECES)
		return -1;
	for (int i = 0; i < n; i++)
		total += pieces[i].iov_len;
	direct = total > HTTP_FCGI_BUFFERED ? total - HTTP_FCGI_BUFFERED : 0;
	while (direct > 0) {
		struct iovec iov[FCGI_SEND_IOV];
		FCGI_Header head[FCGI_SEND_IOV];
		int used = 0, heads = 0;

		/* a record's content spans at most all n pieces */
		while (direct > 0 && used + 1 + n <= FCGI_SEND_IOV) {
			size_t len = direct < FCGI_MAX_LENGTH ? direct : FCGI_MAX_LENGTH;

			head[heads] = fcgi_header(fr->requestId, len);
			iov[used++] = (struct iovec){ &head[heads++], FCGI_HEADER_LEN };
			fcgi_take(&c, len, iov, &used);
			direct -= len;
		}
		if (fcgi_writev_all(fr->ipcFd, iov, used) < 0)
			return -1;
	}
	for (; c.at < n; c.at++, c.off = 0) {
		size_t len = pieces[c.at].iov_len - c.off;

		if (len > 0 && FCGX_PutStr((const char *)pieces[c.at].iov_base + c.off, (int)len,
		    fr->out) < 0)
			return -1;
	}
	return 0;
}
