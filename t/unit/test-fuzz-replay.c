/* Replays a fuzz corpus through a libFuzzer target without libFuzzer: one TAP line per
 * file, so every seed and every crash once found stays a regression test. Link it with
 * one target, e.g. t/fuzz/fuzz-mustache.c; a crash fails the run (prove reports the
 * signal), a clean return is "ok".
 *
 * Usage: test-fuzz-replay [CORPUS_DIR]; without it, the directory compiled in with
 * -DFUZZ_REPLAY_CORPUS='"t/fuzz/corpus/mustache"' (so a test runner can start it bare,
 * from the repository root). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* strdup, opendir */
#endif

#include "core/buf.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
read_all(const char *path, struct buf *b)
{
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(b, chunk, n);
	n = (size_t)ferror(f);
	fclose(f);
	return n ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

#ifdef FUZZ_REPLAY_CORPUS
	if (dir == NULL)
		dir = FUZZ_REPLAY_CORPUS;
#endif
	if (dir == NULL || argc > 2) {
		printf("Bail out! usage: %s CORPUS_DIR\n", argv[0]);
		return 1;
	}
	if ((d = opendir(dir)) == NULL) {
		printf("Bail out! %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof *names);
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp_names);

	for (i = 0; i < n; i++) {
		struct buf path = BUF_INIT, data = BUF_INIT;

		buf_printf(&path, "%s/%s", dir, names[i]);
		if (read_all(buf_cstr(&path), &data) < 0)
			ok(0, "read %s", names[i]);
		else {
			/* The check is that this returns: in the sanitizer build (./dev test) any
			 * finding aborts the program, so prove sees the run end early and fails it. */
			LLVMFuzzerTestOneInput((const uint8_t *)buf_cstr(&data), data.len);
			ok(1, "replay %s (%zu bytes)", names[i], data.len);
		}
		buf_free(&path);
		buf_free(&data);
		free(names[i]);
	}
	free(names);
	if (n == 0)
		ok(0, "corpus %s has files", dir);
	return tap_done();
}
