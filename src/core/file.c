#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Read granularity; files here are templates and SQL of a few KB. */
#define FILE_CHUNK 8192

char *
file_read(const char *path, size_t max, size_t *len, struct buf *err)
{
	struct buf b = BUF_INIT;
	char chunk[FILE_CHUNK];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > max) {
			buf_printf(err, "%s: larger than %zu bytes", path, max);
			fclose(f);
			buf_free(&b);
			return NULL;
		}
		buf_append(&b, chunk, n);
	}
	if (ferror(f)) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	*len = b.len;
	return buf_detach(&b);
}
