/* catalogue-profile: catalogue_psychologist (the profile page's domain call) against a real
 * database, for t/integration/catalogue-api.t until the wizard's profile page calls it.
 *
 *   catalogue-profile CONNINFO ORG PRACTITIONER SERVICE|- NOW ZONE
 *
 * Opens a tenant transaction for ORG and prints, with NOW (seconds since the epoch) as the
 * clock, {"psychologist":{…},"next":{"timezone","slots":[…]}} with times in ZONE; or
 * "not found"; or "invalid <field>: <message>" per error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "catalogue/catalogue.h"
#include "db/db.h"

#define PROFILE_CONNECT_S 5
#define PROFILE_STMT_MS   10000

int
main(int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct input_errors e = { 0 };
	struct catalogue_psychologist p;
	struct catalogue_slot *next;
	const struct tz_zone *zone;
	struct json_object *out;
	size_t n;
	struct db db;
	int rc;

	if (argc != 7 || tz_load(argv[6], &zone) != TZ_OK) {
		fprintf(stderr, "usage: catalogue-profile CONNINFO ORG PRACTITIONER SERVICE|- NOW ZONE\n");
		return 2;
	}
	db_init(&db, argv[1], PROFILE_CONNECT_S, PROFILE_STMT_MS);
	if (db_begin_tenant(&db, argv[2]) != DB_OK) {
		fprintf(stderr, "catalogue-profile: %s\n", db.error);
		return 1;
	}
	rc = catalogue_psychologist(&db, &a, argv[3], strcmp(argv[4], "-") == 0 ? NULL : argv[4],
	    strtoll(argv[5], NULL, 10), &p, &next, &n, &e);
	if (rc == CATALOGUE_ENOTFOUND)
		printf("not found\n");
	else if (rc == CATALOGUE_EINVALID)
		for (size_t i = 0; i < e.count; i++)
			printf("invalid %s: %s\n", e.items[i].path, e.items[i].message);
	else if (rc != CATALOGUE_OK) {
		fprintf(stderr, "catalogue-profile: error %d %s\n", rc, db.error);
		return 1;
	} else {
		out = json_object_new_object();
		json_object_object_add(out, "psychologist", catalogue_psychologist_json(&p));
		json_object_object_add(out, "next", catalogue_slots_json(zone, next, n));
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
		json_object_put(out);
	}
	db_rollback(&db);
	db_close(&db);
	arena_free(&a);
	return 0;
}
