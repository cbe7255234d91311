/* fcgi.c: libfcgi to struct request and back, and the worker's accept loop.
 *
 * The listening socket is non-blocking and watched with epoll together with the stop
 * fd (a signalfd), so a worker never sleeps inside accept() where a signal could be
 * lost, and requests in flight are never interrupted by one (signals are blocked and
 * only read from the signalfd between requests). The listening socket is registered
 * EPOLLEXCLUSIVE: a new connection wakes one idle worker, not all of them. */
#include "http/http.h"
#include "http/fcgi_send.h"

#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Connections nginx may queue while every worker is busy. */
#define HTTP_LISTEN_BACKLOG 1024
/* A response body's storage is kept for the worker's next request up to this size: a page
 * then reuses the room the last one grew, instead of a malloc, a realloc that copies what
 * was written so far, and a free per request (step 2's kept 77 KB page did all three). A
 * larger one is given back, so one huge answer does not pin its memory for good. */
#define HTTP_BODY_KEEP_MAX  (256 * 1024)
_Static_assert(1 + HTTP_WIRE_IOV_MAX <= HTTP_FCGI_MAX_PIECES, "an answer's head and body pieces fit one send");

int
http_fcgi_listen(const char *path, unsigned mode)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		log_error("socket path too long", "%s (at most %zu bytes)", path,
		    sizeof sa.sun_path - 1);
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);

	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			log_error("socket path taken", "%s exists and is not a socket", path);
			return -1;
		}
		/* A socket file may be stale (a crash) or live (another server): ask it. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0) {
			close(probe);
			log_error("socket in use", "another server is listening on %s", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, HTTP_LISTEN_BACKLOG) < 0) {
		log_error("cannot listen", "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static ssize_t
http_fcgi_read(void *ctx, char *p, size_t n)
{
	FCGX_Stream *in = ctx;
	int chunk = n > (size_t)1 << 30 ? 1 << 30 : (int)n;

	return FCGX_GetStr(p, chunk, in);
}

static long http_fcgi_pid;	/* this worker's, set when it starts serving */

/* The request's log line, built in line (the worker's wire buffer, already sent). */
static void
http_fcgi_log(const struct request *req, const struct response *resp, struct buf *line)
{
	char ts[LOG_TIME_SIZE];

	log_time_now(ts);
	buf_reset(line);
	buf_puts(line, "{\"ts\":\"");
	buf_puts(line, ts);
	buf_puts(line, "\",\"level\":\"info\",\"msg\":\"request\",\"id\":");
	buf_append_json_string(line, req->request_id, strlen(req->request_id));
	buf_puts(line, ",\"method\":");
	buf_append_json_string(line, req->method_name, strlen(req->method_name));
	buf_puts(line, ",\"path\":");
	if (req->log_path != NULL)
		buf_append_json_string(line, req->log_path, strlen(req->log_path));
	else
		buf_append_json_string(line, req->path, strlen(req->path));
	buf_puts(line, ",\"status\":");
	buf_append_int(line, resp->status);
	buf_puts(line, ",\"us\":");
	buf_append_int(line, clock_mono_us() - req->start_us);
	buf_puts(line, ",\"pid\":");
	buf_append_int(line, http_fcgi_pid);
	buf_putc(line, '}');
	log_raw_line(line->data, line->len);
}

static void
http_fcgi_answer(FCGX_Request *fr, http_handler handler, void *ctx, struct buf *wire,
    struct buf *kept_body)
{
	struct request req;
	struct response resp;
	struct iovec answer[1 + HTTP_WIRE_IOV_MAX];

	http_request_init(&req, fr->envp, http_fcgi_read, fr->in, NULL);
	http_response_init(&resp, &req.arena);
	resp.body = *kept_body;
	buf_reset(&resp.body);
	*kept_body = (struct buf)BUF_INIT;
	handler(ctx, &req, &resp);
	http_request_drain(&req);
	buf_reset(wire);
	http_response_serialise_head(&resp, &req, wire);
	/* the body from where it is, never copied into the head */
	answer[0] = (struct iovec){ wire->data, wire->len };
	/* a failure is the client gone: libfcgi's finish fails the same way, and says nothing */
	(void)http_fcgi_send(fr, answer, 1 + (int)http_response_wire_iov(&resp, &req, answer + 1));
	http_fcgi_log(&req, &resp, wire);
	if (resp.body.arena == NULL && resp.body.cap <= HTTP_BODY_KEEP_MAX) {	/* not the request's */
		*kept_body = resp.body;
		resp.body = (struct buf)BUF_INIT;
	}
	http_response_free(&resp);
	http_request_free(&req);
}

int
http_fcgi_serve(int listen_fd, int stop_fd, http_handler handler, void *ctx)
{
	struct epoll_event ev_stop = { .events = EPOLLIN, .data.fd = stop_fd };
	struct epoll_event ev_listen = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listen_fd };
	struct buf wire = BUF_INIT, kept_body = BUF_INIT;
	FCGX_Request fr;
	int ep, rc = 0;

	http_fcgi_pid = (long)getpid();
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &ev_stop) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev_listen) < 0) {
		log_error("epoll setup failed", "%s", strerror(errno));
		if (ep >= 0)
			close(ep);
		return -1;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, listen_fd, 0) != 0) {
		log_error("libfcgi init failed", "%s", "FCGX_InitRequest");
		close(ep);
		return -1;
	}
	for (;;) {
		struct epoll_event ev[2];
		bool stop = false, ready = false;
		int n, got;

		if ((n = epoll_wait(ep, ev, 2, -1)) < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait failed", "%s", strerror(errno));
			rc = -1;
			break;
		}
		for (int i = 0; i < n; i++) {
			stop = stop || ev[i].data.fd == stop_fd;
			ready = ready || ev[i].data.fd == listen_fd;
		}
		if (stop)
			break;
		if (!ready)
			continue;
		/* Another worker may still win the race for this connection: EAGAIN, wait again. */
		got = FCGX_Accept_r(&fr);
		if (got < 0) {
			if (got == -EAGAIN || got == -EWOULDBLOCK || got == -EINTR ||
			    got == -ECONNABORTED)
				continue;
			log_error("accept failed", "%s", strerror(-got));
			rc = -1;
			break;
		}
		http_fcgi_answer(&fr, handler, ctx, &wire, &kept_body);
		/* The body was read to its end, so nothing unread can turn the close into a reset:
		 * skip libfcgi's lingering close, which waits for nginx to hang up first. */
		FCGX_Detach(&fr);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	buf_free(&wire);
	buf_free(&kept_body);
	close(ep);
	return rc;
}
