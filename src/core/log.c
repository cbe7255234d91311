#include "core/log.h"
#include "core/buf.h"
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
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

void
log_time_now(char out[LOG_TIME_SIZE])
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(out, LOG_TIME_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, LOG_TIME_SIZE - n, ".%06ldZ", (long)tv.tv_usec);
}

void
log_raw_line(const char *json, unsigned long len)
{
	struct buf line = BUF_INIT;
	ssize_t w;
	size_t off = 0;

	/* One write(2) per line: lines from several workers sharing stderr do not interleave. */
	buf_append(&line, json, len);
	buf_putc(&line, '\n');
	while (off < line.len) {
		w = write(STDERR_FILENO, line.data + off, line.len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	buf_free(&line);
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
