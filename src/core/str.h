/* str: small string helpers shared across modules. */
#ifndef KAIROS_CORE_STR_H
#define KAIROS_CORE_STR_H

#include <stddef.h>

/* The index of s among the n strings of names, or -1. For turning a configured or received
 * word ("sms", "warn", "GET") into the enum whose values index that table. */
int str_index(const char *const *names, size_t n, const char *s);
/* qsort and bsearch's comparator for an array of strings (const char *), by strcmp. */
int str_ptr_cmp(const void *a, const void *b);

/* A macro's value as a string literal, for SQL and messages put together at compile time
 * (STR_OF(LIMIT) is "50" where LIMIT is 50). */
#define STR_OF_(x)  #x
#define STR_OF(x)   STR_OF_(x)
#define STR_INDEX(table, s) str_index((table), sizeof (table) / sizeof *(table), (s))

#endif
