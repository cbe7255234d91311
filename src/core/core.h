/* core: the leaf utilities every other module uses (no dependencies beyond libc, and
 * libphonenumber behind core/phone.h). */
#ifndef KAIROS_CORE_H
#define KAIROS_CORE_H

#include "core/arena.h"
#include "core/backoff.h"
#include "core/base64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/file.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/phone.h"
#include "core/rand.h"
#include "core/str.h"
#include "core/utf8.h"
#include "core/valid.h"

#endif
