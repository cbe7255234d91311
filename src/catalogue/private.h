/* What the files of catalogue/ share and nobody else needs. */
#ifndef KAIROS_CATALOGUE_PRIVATE_H
#define KAIROS_CATALOGUE_PRIVATE_H

#include <stdint.h>

/* Days since 1970-01-01 of a YYYY-MM-DD that an input spec (INPUT_DATE) has checked. */
int64_t catalogue_day(const char *date);

#endif
