#include "core/file.h"
#include "core/mem.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static int
file_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
file_list(const char *dir, const char *suffix, size_t *count, struct buf *err)
{
	size_t n = 0, cap = 16, slen = suffix ? strlen(suffix) : 0;
	char **names, path[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;

	*count = 0;
	if ((d = opendir(dir)) == NULL) {
		buf_printf(err, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	names = xmalloc(cap * sizeof *names);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || (slen && (len <= slen ||
		    strcmp(de->d_name + len - slen, suffix) != 0)))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			cap *= 2;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, file_name_cmp);
	*count = n;
	return names;
}

void
file_list_free(char **names, size_t count)
{
	for (size_t i = 0; i < count && names != NULL; i++)
		free(names[i]);
	free(names);
}
