/* testfile.h: writing the files a unit test reads (templates, a share directory), for
 * tests that build a tree in their own scratch directory. */
#ifndef KAIROS_TESTFILE_H
#define KAIROS_TESTFILE_H

#include <stdio.h>
#include <stdlib.h>

/* Writes text to dir/name (whose directories exist); aborts the test if it cannot. */
static inline void
test_file_put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

#endif
