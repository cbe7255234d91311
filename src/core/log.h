/* log: one JSON object per line on stderr.
 *
 * Operators feed stderr to their log shipper; one line per event keeps it greppable and
 * machine-readable. Secrets never go through here (ARCHITECTURE.md). */
#ifndef KAIROS_CORE_LOG_H
#define KAIROS_CORE_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* "debug", "info", "warn", "error" → 0 and *out; anything else → -1. */
int  log_level_parse(const char *name, enum log_level *out);
/* The process's role ("master", "worker", "jobs", ...), written into every line. */
void log_set_role(const char *role);
bool log_enabled(enum log_level level);

/* msg is a fixed event name; the printf-style part becomes the "detail" field. */
void log_msg(enum log_level level, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes a line the caller assembled (a complete JSON object, without newline) atomically. */
void log_raw_line(const char *json, unsigned long len);

#define log_debug(msg, ...) log_msg(LOG_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...)  log_msg(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...)  log_msg(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_msg(LOG_ERROR, msg, __VA_ARGS__)

/* "2026-11-21T04:29:34.123456Z" into out (at least LOG_TIME_SIZE bytes). */
#define LOG_TIME_SIZE 32
void log_time_now(char out[LOG_TIME_SIZE]);

#endif
