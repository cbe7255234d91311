/* file: whole-file reads with a size limit, for migrations and templates. */
#ifndef KAIROS_CORE_FILE_H
#define KAIROS_CORE_FILE_H

#include <stddef.h>

#include "core/buf.h"

/* Reads all of path, refusing files over max bytes. Returns a NUL-terminated copy the
 * caller frees (its length, NULs included, in *len), or NULL with "path: reason" appended
 * to err. */
char *file_read(const char *path, size_t max, size_t *len, struct buf *err);

#endif
