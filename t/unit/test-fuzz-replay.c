/* Replays a fuzz corpus through a libFuzzer target without libFuzzer: one TAP line per
 * file, so every seed and every crash once found stays a regression test. Link it with
 * one target, e.g. t/fuzz/fuzz-mustache.c; a crash fails the run (prove reports the
 * signal), a clean return is "ok".
 *
 * Usage: test-fuzz-replay [CORPUS_DIR]; without it, the directory compiled in with
 * -DFUZZ_REPLAY_CORPUS='"t/fuzz/corpus/mustache"' (so a test runner can start it bare,
 * from the repository root). */
#include "core/core.h"
#include "tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Larger than any corpus file libFuzzer writes with its default -max_len. */
#define REPLAY_MAX_INPUT (1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	struct buf err = BUF_INIT;
	char **names;
	size_t n = 0;

#ifdef FUZZ_REPLAY_CORPUS
	if (dir == NULL)
		dir = FUZZ_REPLAY_CORPUS;
#endif
	if (dir == NULL || argc > 2) {
		printf("Bail out! usage: %s CORPUS_DIR\n", argv[0]);
		return 1;
	}
	if ((names = file_list(dir, NULL, &n, &err)) == NULL) {
		printf("Bail out! %s\n", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		size_t len;
		char *data;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		buf_reset(&err);
		if ((data = file_read(path, REPLAY_MAX_INPUT, &len, &err)) == NULL) {
			ok(0, "read %s", names[i]);
			diag("%s", buf_cstr(&err));
			continue;
		}
		/* The check is that this returns: in the sanitizer build (./dev test) any
		 * finding aborts the program, so prove sees the run end early and fails it. */
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		ok(1, "replay %s (%zu bytes)", names[i], len);
		free(data);
	}
	if (n == 0)
		ok(0, "corpus %s has files", dir);
	file_list_free(names, n);
	buf_free(&err);
	return tap_done();
}
