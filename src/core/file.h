/* file: whole-file reads with a size limit, for migrations and templates. */
#ifndef KAIROS_CORE_FILE_H
#define KAIROS_CORE_FILE_H

#include <stddef.h>

#include "core/buf.h"

/* Reads all of path, refusing files over max bytes. Returns a NUL-terminated copy the
 * caller frees (its length, NULs included, in *len), or NULL with "path: reason" appended
 * to err. */
char *file_read(const char *path, size_t max, size_t *len, struct buf *err);

/* The names of the files in dir (not hidden, not directories) that end in suffix (NULL:
 * any), sorted bytewise. Returns an array the caller frees with file_list_free() (*count
 * set; NULL-safe when empty), or NULL with "dir: reason" appended to err. */
char **file_list(const char *dir, const char *suffix, size_t *count, struct buf *err);
void   file_list_free(char **names, size_t count);

#endif
