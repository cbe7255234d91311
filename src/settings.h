/* settings.h: what `kairos config` and `kairos doctor` ask of every module — its table of
 * keys (core/config.h; the list is config_tables) and its checks for the doctor. */
#ifndef KAIROS_SETTINGS_H
#define KAIROS_SETTINGS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "db/db.h"

/* One module's checks for `kairos doctor`: one line per check on out, "✓ what: how" or
 * "✗ what: why"; true when every one passed. They make harmless requests only (reads),
 * never a send. db is the owner's connection, not yet connected. */
struct kairos_doctor {
	const char *module;
	bool      (*run)(const struct config *cfg, struct db *db, FILE *out);
};

/* Every module's doctor, in the order they report; ends with { NULL, NULL }. */
extern const struct kairos_doctor kairos_doctors[];

#endif
