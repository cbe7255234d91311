#include "core/log.h"
#include "core/buf.h"
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_threshold = LOG_INFO;
static const char *log_role = "kairos";
static const char *const log_level_names[] = { "debug", "info", "warn", "error" };

void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

int
log_level_parse(const char *name, enum log_level *out)
{
	int i = STR_INDEX(log_level_names, name);

	if (i < 0)
		return -1;
	*out = (enum log_level)i;
	return 0;
}

void
log_set_role(const char *role)
{
	log_role = role;
}

bool
log_enabled(enum log_level level)
{
	return level >= log_threshold;
}

/* The second's part of the last timestamp, per thread: gmtime_r and strftime cost more than
 * the rest of a request's log line, and the second rarely changes between two lines. */
static _Thread_local time_t log_second = -1;
static _Thread_local char   log_second_text[LOG_TIME_SIZE];
static _Thread_local size_t log_second_len;

void
log_time_now(char out[LOG_TIME_SIZE])
{
	struct timeval tv;
	struct tm tm;
	long us;

	/* the real clock, not clock_now(): a log line records when it really happened, test
	 * clock or not */
	gettimeofday(&tv, NULL);
	if (tv.tv_sec != log_second) {
		gmtime_r(&tv.tv_sec, &tm);
		log_second_len = strftime(log_second_text, sizeof log_second_text,
		    "%Y-%m-%dT%H:%M:%S", &tm);
		log_second = tv.tv_sec;
	}
	memcpy(out, log_second_text, log_second_len);
	out[log_second_len] = '.';
	us = (long)tv.tv_usec;
	for (int i = 6; i > 0; i--, us /= 10)
		out[log_second_len + (size_t)i] = (char)('0' + us % 10);
	memcpy(out + log_second_len + 7, "Z", 2);
}

void
log_raw_line(const char *json, unsigned long len)
{
	size_t off = 0, total = (size_t)len + 1;
	ssize_t w;

	/* One write(2) per line, the newline gathered in: lines from several workers sharing
	 * stderr do not interleave. A short write (a signal, a full pipe) finishes the line. */
	while (off < total) {
		struct iovec iov[2];
		int n = 0;

		if (off < len)
			iov[n++] = (struct iovec){ (char *)json + off, len - off };
		iov[n++] = (struct iovec){ (char *)"\n", 1 };
		if ((w = writev(STDERR_FILENO, iov, n)) <= 0)
			break;
		off += (size_t)w;
	}
}

void
log_msg(enum log_level level, const char *msg, const char *fmt, ...)
{
	struct buf line = BUF_INIT, detail = BUF_INIT;
	char ts[LOG_TIME_SIZE];
	va_list ap;

	if (!log_enabled(level))
		return;
	log_time_now(ts);
	va_start(ap, fmt);
	buf_vprintf(&detail, fmt, ap);
	va_end(ap);
	buf_printf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"role\":\"%s\",\"pid\":%ld,\"msg\":",
	    ts, log_level_names[level], log_role, (long)getpid());
	buf_append_json_string(&line, msg, strlen(msg));
	if (detail.len) {
		buf_puts(&line, ",\"detail\":");
		buf_append_json_string(&line, detail.data, detail.len);
	}
	buf_putc(&line, '}');
	log_raw_line(line.data, line.len);
	buf_free(&line);
	buf_free(&detail);
}
