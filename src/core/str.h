/* str: small string helpers shared across modules. */
#ifndef KAIROS_CORE_STR_H
#define KAIROS_CORE_STR_H

#include <stddef.h>

/* The index of s among the n strings of names, or -1. For turning a configured or received
 * word ("sms", "warn", "GET") into the enum whose values index that table. */
int str_index(const char *const *names, size_t n, const char *s);

#define STR_INDEX(table, s) str_index((table), sizeof (table) / sizeof *(table), (s))

#endif
