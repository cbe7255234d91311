/* admin.c: the catalogue's edits (ADMIN-1; booking/admin.h says how values travel).
 *
 * Each kind is a table: the names of its values in the order its save statement takes them,
 * and five statements, written with the macros below where kinds share their logic. Save is
 * one statement for create and update alike (BA_SAVE). Parameters: $1 the row's id (NULL to
 * create; the row a page follows for a list), $2 the practitioner for hours and leave, then
 * the values. */
#include "booking/admin.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "db/db.h"

#define BA_VALUES_MAX   18	/* values of the widest kind (practitioners) */
#define BA_INT_SIZE     24	/* an int64 in decimal */
#define BA_LIST_ITEM_MAX 100	/* characters of one specialty, concern or language */
/* items of a comma- or line-separated list, as migration 0015 checks them */
#define BA_CONCERNS_MAX       50
#define BA_QUALIFICATIONS_MAX 30
#define BA_SPECIALTIES_MAX    50
#define BA_LANGUAGES_MAX      30
#define BA_LOCAL_SIZE   64	/* a wall time as text, whatever the ints hold */
/* a page's rows and one more, which tells a page follows: the SQL's LIMIT, a literal */
#define BA_FETCH        51
_Static_assert(BA_FETCH == BOOKING_ADMIN_PAGE + 1, "BA_FETCH is BOOKING_ADMIN_PAGE + 1");
#define BA_LIMIT        STR_OF(BA_FETCH)

/* a comma-separated list as text[]: trimmed, blanks dropped */
#define BA_LIST(p, sep) "ARRAY(SELECT btrim(x, E' \\t\\r') FROM unnest(string_to_array(coalesce(" \
	p "::text, ''), " sep ")) x WHERE btrim(x, E' \\t\\r') <> '')"
#define BA_MONEY(c) "((" c ") / 100)::text || '.' || lpad(((" c ") % 100)::text, 2, '0')"

/* Save: an UPDATE of row $1 when an id is given, else an INSERT, in two CTEs over one row v
 * of typed values (values: in the order of cols), so a kind's columns are written out once.
 * BA_SAVE_OF saves a row of practitioner $2 (hours, leave). */
#define BA_SAVE(table, cols, values) BA_SAVE_IN(table, "", "", "", cols, values)
#define BA_SAVE_OF(table, cols, values) BA_SAVE_IN(table, " AND t.practitioner_id = $2::uuid", \
	", practitioner_id", ", $2::uuid", cols, values)
#define BA_SAVE_IN(table, scope, parent_col, parent, cols, values) \
	"WITH v AS (SELECT " values "), u AS (UPDATE " table " t SET (" cols ") = (SELECT * FROM v)" \
	" WHERE t.id = $1::uuid" scope " RETURNING t.id), i AS (INSERT INTO " table " (org_id" \
	parent_col ", " cols ") SELECT kairos_org()" parent ", * FROM v WHERE $1::uuid IS NULL" \
	" RETURNING id) SELECT id FROM u UNION ALL SELECT id FROM i"
/* A list's page: the rows after row $1 (NULL: from the first) in the order of keys, then id,
 * and one more to tell a page follows. from names the table as the list's FROM does. */
#define BA_AFTER(keys, from, id) "($1::uuid IS NULL OR (" keys ", " id ") > (SELECT " keys ", " \
	id " FROM " from " WHERE " id " = $1::uuid)) ORDER BY " keys ", " id " LIMIT " BA_LIMIT
#define BA_IS_ACTIVE "CASE WHEN active THEN 'yes' ELSE 'no' END AS active"
#define BA_SET_ACTIVE(table) "UPDATE " table " SET active = $2::bool WHERE id = $1::uuid"
#define BA_DELETE_OF(table) "DELETE FROM " table " WHERE id = $1::uuid AND practitioner_id = $2::uuid"
#define BA_CHOICES(table) "SELECT id, name, '', active FROM " table " ORDER BY NOT active, name, id"
/* where a practitioner works, what they offer: exactly the ids given ($2, a uuid[]) */
#define BA_LINKS(table, col) \
	"WITH d AS (DELETE FROM " table " WHERE practitioner_id = $1::uuid" \
	" AND " col " <> ALL (coalesce($2::uuid[], '{}')))" \
	" INSERT INTO " table " (org_id, practitioner_id, " col ")" \
	" SELECT DISTINCT kairos_org(), $1::uuid, x FROM unnest(coalesce($2::uuid[], '{}')) x" \
	" ON CONFLICT DO NOTHING"

/* ---- locations ---- */

static const char *const ba_location_names[] = { "name", "address_line1", "address_line2",
	"locality", "region", "postcode", "country", "timezone", "phone", NULL };

static struct db_stmt ba_location_save = DB_STMT("booking_admin_location_save", 10,
	BA_SAVE("locations", "name, address_line1, address_line2, locality, region, postcode,"
	" country, timezone, phone", "$2::text, $3::text, $4::text, $5::text, $6::text, $7::text,"
	" upper($8::text), $9::text, $10::text"));
static struct db_stmt ba_location_get = DB_STMT("booking_admin_location_get", 1,
	"SELECT name, address_line1, address_line2, locality, region, postcode, country, timezone,"
	" phone, " BA_IS_ACTIVE " FROM locations WHERE id = $1::uuid");
static struct db_stmt ba_location_list = DB_STMT("booking_admin_location_list", 1,
	"SELECT id, name, locality || coalesce(', ' || region, '') || ' · ' || timezone, active"
	" FROM locations WHERE " BA_AFTER("name", "locations", "id"));
static struct db_stmt ba_location_active = DB_STMT("booking_admin_location_active", 2,
	BA_SET_ACTIVE("locations"));
static struct db_stmt ba_location_choices = DB_STMT("booking_admin_location_choices", 0,
	BA_CHOICES("locations"));

/* ---- services ---- */

static const char *const ba_service_names[] = { "name", "description", "duration_minutes",
	"slot_interval_minutes", "in_person", "telehealth", "concerns", "sort_order", NULL };

static struct db_stmt ba_service_save = DB_STMT("booking_admin_service_save", 9,
	BA_SAVE("services", "name, description, duration_minutes, slot_interval_minutes,"
	" session_types, concerns, sort_order", "$2::text, coalesce($3::text, ''), $4::int, $5::int,"
	" array_remove(ARRAY[CASE WHEN $6::bool THEN 'in_person' END,"
	" CASE WHEN $7::bool THEN 'telehealth' END], NULL), " BA_LIST("$8", "','") ","
	" coalesce($9::int, 0)"));
static struct db_stmt ba_service_get = DB_STMT("booking_admin_service_get", 1,
	"SELECT name, description, duration_minutes::text AS duration_minutes,"
	" slot_interval_minutes::text AS slot_interval_minutes,"
	" CASE WHEN 'in_person' = ANY (session_types) THEN 'yes' END AS in_person,"
	" CASE WHEN 'telehealth' = ANY (session_types) THEN 'yes' END AS telehealth,"
	" array_to_string(concerns, ', ') AS concerns, sort_order::text AS sort_order,"
	" " BA_IS_ACTIVE " FROM services WHERE id = $1::uuid");
static struct db_stmt ba_service_list = DB_STMT("booking_admin_service_list", 1,
	"SELECT id, name, duration_minutes || ' minutes · ' ||"
	" replace(replace(array_to_string(session_types, ', '), 'in_person', 'in person'), '_', ' '),"
	" active FROM services WHERE " BA_AFTER("sort_order, name", "services", "id"));
static struct db_stmt ba_service_active = DB_STMT("booking_admin_service_active", 2,
	BA_SET_ACTIVE("services"));
static struct db_stmt ba_service_choices = DB_STMT("booking_admin_service_choices", 0,
	BA_CHOICES("services"));

/* ---- practitioners ---- */

static const char *const ba_practitioner_names[] = { "name", "title", "photo_url", "bio",
	"qualifications", "specialties", "languages", "gender", "telehealth", "timezone",
	"buffer_before_minutes", "buffer_after_minutes", "min_notice_minutes", "max_advance_days",
	"sort_order", "user_id", "location_ids", "service_ids", NULL };
#define BA_PRACTITIONER_LOCATIONS 16	/* the index of location_ids above, then service_ids */

static struct db_stmt ba_practitioner_save = DB_STMT("booking_admin_practitioner_save", 17,
	BA_SAVE("practitioners", "name, title, photo_url, bio, qualifications, specialties,"
	" languages, gender, telehealth, timezone, buffer_before_minutes, buffer_after_minutes,"
	" min_notice_minutes, max_advance_days, sort_order, user_id",
	"$2::text, $3::text, $4::text, coalesce($5::text, ''), " BA_LIST("$6", "E'\\n'") ","
	" " BA_LIST("$7", "','") ", " BA_LIST("$8", "','") ", $9::text, coalesce($10::bool, false),"
	" $11::text, coalesce($12::int, 0), coalesce($13::int, 0), coalesce($14::int, 120),"
	" coalesce($15::int, 90), coalesce($16::int, 0), $17::uuid"));
static struct db_stmt ba_practitioner_get = DB_STMT("booking_admin_practitioner_get", 1,
	"SELECT name, title, photo_url, bio, array_to_string(qualifications, E'\\n') AS qualifications,"
	" array_to_string(specialties, ', ') AS specialties,"
	" array_to_string(languages, ', ') AS languages, gender,"
	" CASE WHEN telehealth THEN 'yes' END AS telehealth, timezone,"
	" buffer_before_minutes::text AS buffer_before_minutes,"
	" buffer_after_minutes::text AS buffer_after_minutes,"
	" min_notice_minutes::text AS min_notice_minutes, max_advance_days::text AS max_advance_days,"
	" sort_order::text AS sort_order, user_id::text AS user_id,"
	" array_to_string(ARRAY(SELECT location_id FROM practitioner_locations x"
	" WHERE x.practitioner_id = practitioners.id ORDER BY 1), ',') AS location_ids,"
	" array_to_string(ARRAY(SELECT service_id FROM practitioner_services x"
	" WHERE x.practitioner_id = practitioners.id ORDER BY 1), ',') AS service_ids,"
	" " BA_IS_ACTIVE " FROM practitioners WHERE id = $1::uuid");
static struct db_stmt ba_practitioner_list = DB_STMT("booking_admin_practitioner_list", 1,
	"SELECT id, name, coalesce(title || ' · ', '') || timezone, active"
	" FROM practitioners WHERE " BA_AFTER("sort_order, name", "practitioners", "id"));
static struct db_stmt ba_practitioner_active = DB_STMT("booking_admin_practitioner_active", 2,
	BA_SET_ACTIVE("practitioners"));
static struct db_stmt ba_practitioner_one = DB_STMT("booking_admin_practitioner_one", 1,
	"SELECT id, coalesce(user_id::text, ''), name, timezone FROM practitioners"
	" WHERE id = $1::uuid");
static struct db_stmt ba_practitioner_mine = DB_STMT("booking_admin_practitioner_mine", 1,
	"SELECT id FROM practitioners WHERE user_id = $1::uuid ORDER BY active DESC, created_at, id"
	" LIMIT 1");
static struct db_stmt ba_practitioner_locations = DB_STMT("booking_admin_practitioner_locations", 2,
	BA_LINKS("practitioner_locations", "location_id"));
static struct db_stmt ba_practitioner_services = DB_STMT("booking_admin_practitioner_services", 2,
	BA_LINKS("practitioner_services", "service_id"));
/* a staff account a practitioner's profile may be linked to: a practitioner's */
static struct db_stmt ba_user_role = DB_STMT("booking_admin_user_role", 1,
	"SELECT role FROM users WHERE id = $1::uuid");

/* ---- weekly hours ---- */

static const char *const ba_hours_names[] = { "location_id", "session_type", "weekday",
	"start_time", "end_time", "valid_from", "valid_until", NULL };

static struct db_stmt ba_hours_save = DB_STMT("booking_admin_hours_save", 9,
	BA_SAVE_OF("availability_rules", "location_id, session_type, weekday, start_time, end_time,"
	" valid_from, valid_until", "$3::uuid, $4::text, $5::smallint, $6::time, $7::time, $8::date,"
	" $9::date"));
static struct db_stmt ba_hours_get = DB_STMT("booking_admin_hours_get", 2,
	"SELECT location_id::text AS location_id, session_type, weekday::text AS weekday,"
	" to_char(start_time, 'HH24:MI') AS start_time, to_char(end_time, 'HH24:MI') AS end_time,"
	" valid_from::text AS valid_from, valid_until::text AS valid_until"
	" FROM availability_rules WHERE id = $1::uuid AND practitioner_id = $2::uuid");
/* a rule's centre is one the practitioner works at (or it names none): else the loader
 * offers nothing from it (booking/load.c), and the list says so */
#define BA_HOURS_THEIRS(r) "(" r ".location_id IS NULL OR EXISTS (SELECT 1" \
	" FROM practitioner_locations pl WHERE pl.practitioner_id = " r ".practitioner_id" \
	" AND pl.location_id = " r ".location_id))"
/* what the list says of hours that are not (no quote: it is pasted into SQL) */
#define BA_HOURS_IDLE "Offers no times: they do not work at this centre. Tick it on their" \
	" profile to offer these hours again, or delete them"
static struct db_stmt ba_hours_list = DB_STMT("booking_admin_hours_list", 2,
	"SELECT r.id, (ARRAY['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',"
	" 'Saturday'])[r.weekday + 1] || ' ' || to_char(r.start_time, 'HH24:MI') || '–' ||"
	" to_char(r.end_time, 'HH24:MI'),"
	" CASE r.session_type WHEN 'telehealth' THEN 'Telehealth' ELSE 'In person' END ||"
	" coalesce(' at ' || l.name, '') || coalesce(' from ' || r.valid_from, '') ||"
	" coalesce(' until ' || r.valid_until, '') || CASE WHEN NOT " BA_HOURS_THEIRS("r")
	" THEN ' · " BA_HOURS_IDLE "' ELSE '' END, " BA_HOURS_THEIRS("r")
	" FROM availability_rules r LEFT JOIN locations l ON l.id = r.location_id"
	" WHERE r.practitioner_id = $2::uuid AND "
	BA_AFTER("r.weekday, r.start_time", "availability_rules r", "r.id"));
static struct db_stmt ba_hours_delete = DB_STMT("booking_admin_hours_delete", 2,
	BA_DELETE_OF("availability_rules"));
/* Two saves of one practitioner's hours at once would each miss the other's rule: the
 * overlap check holds the practitioner's row until the transaction ends. With it, whether
 * they offer telehealth, and what centre $2 is to them: "theirs" (or none named), "other"
 * (the clinic's, where they do not work) or "unknown" (the foreign key refuses it). */
static struct db_stmt ba_hours_lock = DB_STMT("booking_admin_hours_lock", 2,
	"SELECT p.telehealth::text, CASE WHEN $2::uuid IS NULL OR EXISTS (SELECT 1"
	" FROM practitioner_locations pl WHERE pl.practitioner_id = p.id AND pl.location_id = $2::uuid)"
	" THEN 'theirs' WHEN EXISTS (SELECT 1 FROM locations WHERE id = $2::uuid) THEN 'other'"
	" ELSE 'unknown' END FROM practitioners p WHERE p.id = $1::uuid FOR UPDATE OF p");
/* whether service $1 is offered as session type $2 (no row: not this clinic's service,
 * which the foreign key then refuses) */
static struct db_stmt ba_price_offered = DB_STMT("booking_admin_price_offered", 2,
	"SELECT ($2::text = ANY (session_types))::text FROM services WHERE id = $1::uuid");
/* another of the practitioner's rules at the same place, session type and weekday whose
 * hours and dates overlap these */
static struct db_stmt ba_hours_overlap = DB_STMT("booking_admin_hours_overlap", 9,
	"SELECT to_char(start_time, 'HH24:MI') || '–' || to_char(end_time, 'HH24:MI')"
	" FROM availability_rules WHERE practitioner_id = $1::uuid AND id IS DISTINCT FROM $2::uuid"
	" AND location_id IS NOT DISTINCT FROM $3::uuid AND session_type = $4::text"
	" AND weekday = $5::smallint AND start_time < $7::time AND end_time > $6::time"
	" AND coalesce(valid_from, '-infinity'::date) <= coalesce($9::date, 'infinity'::date)"
	" AND coalesce(valid_until, 'infinity'::date) >= coalesce($8::date, '-infinity'::date)"
	" ORDER BY start_time LIMIT 1");

/* ---- leave ---- */

static const char *const ba_leave_names[] = { "starts_at", "ends_at", "reason", NULL };

/* starts_at and ends_at are seconds since the epoch by then (ba_leave_check) */
static struct db_stmt ba_leave_save = DB_STMT("booking_admin_leave_save", 5,
	BA_SAVE_OF("practitioner_leave", "starts_at, ends_at, reason",
	"to_timestamp($3::bigint), to_timestamp($4::bigint), $5::text"));
static struct db_stmt ba_leave_get = DB_STMT("booking_admin_leave_get", 2,
	"SELECT extract(epoch FROM starts_at)::bigint::text AS starts_at,"
	" extract(epoch FROM ends_at)::bigint::text AS ends_at, reason"
	" FROM practitioner_leave WHERE id = $1::uuid AND practitioner_id = $2::uuid");
/* title and detail are the two instants; ba_leave_item makes them wall times */
static struct db_stmt ba_leave_list = DB_STMT("booking_admin_leave_list", 2,
	"SELECT id, extract(epoch FROM starts_at)::bigint, extract(epoch FROM ends_at)::bigint,"
	" true, coalesce(reason, '') FROM practitioner_leave WHERE practitioner_id = $2::uuid"
	" AND " BA_AFTER("starts_at", "practitioner_leave", "id"));
static struct db_stmt ba_leave_delete = DB_STMT("booking_admin_leave_delete", 2,
	BA_DELETE_OF("practitioner_leave"));

/* ---- price rules ---- */

static const char *const ba_price_names[] = { "service_id", "location_id", "session_type",
	"funding", "insurer", "fee_minor", "rebate_minor", "currency", "package_sessions", NULL };

static struct db_stmt ba_price_save = DB_STMT("booking_admin_price_save", 10,
	BA_SAVE("price_rules", "service_id, location_id, session_type, funding, insurer, fee_minor,"
	" rebate_minor, currency, package_sessions", "$2::uuid, $3::uuid, $4::text, $5::text,"
	" $6::text, $7::bigint, coalesce($8::bigint, 0), upper($9::text), $10::int"));
static struct db_stmt ba_price_get = DB_STMT("booking_admin_price_get", 1,
	"SELECT service_id::text AS service_id, location_id::text AS location_id, session_type,"
	" funding, insurer, " BA_MONEY("fee_minor") " AS fee_minor,"
	" CASE WHEN rebate_minor > 0 THEN " BA_MONEY("rebate_minor") " END AS rebate_minor,"
	" currency::text AS currency, package_sessions::text AS package_sessions,"
	" " BA_IS_ACTIVE " FROM price_rules WHERE id = $1::uuid");
static struct db_stmt ba_price_list = DB_STMT("booking_admin_price_list", 1,
	"SELECT p.id, s.name || ' · ' || p.funding || coalesce(' (' || p.insurer || ')', ''),"
	" p.currency || ' ' || " BA_MONEY("p.fee_minor") " ||"
	" CASE WHEN p.rebate_minor > 0 THEN ', rebate ' || " BA_MONEY("p.rebate_minor") " || ', gap ' ||"
	" " BA_MONEY("p.gap_minor") " ELSE '' END || coalesce(' · ' || l.name, '') ||"
	" coalesce(' · ' || replace(p.session_type, '_', ' '), '') ||"
	" coalesce(' · ' || p.package_sessions || ' sessions', ''), p.active"
	" FROM price_rules p JOIN services s ON s.id = p.service_id"
	" LEFT JOIN locations l ON l.id = p.location_id"
	" WHERE " BA_AFTER("s.name", "price_rules p JOIN services s ON s.id = p.service_id", "p.id"));
static struct db_stmt ba_price_active = DB_STMT("booking_admin_price_active", 2,
	BA_SET_ACTIVE("price_rules"));

/* A refused save leaves the transaction usable (the form is shown again from it). */
static struct db_stmt ba_savepoint = DB_STMT("booking_admin_savepoint", 0,
	"SAVEPOINT booking_admin_save");
static struct db_stmt ba_rollback = DB_STMT("booking_admin_rollback", 0,
	"ROLLBACK TO SAVEPOINT booking_admin_save");
static struct db_stmt ba_release = DB_STMT("booking_admin_release", 0,
	"RELEASE SAVEPOINT booking_admin_save");

/* ---- the kinds ---- */

/* What the database refused, as a field's error: the first rule whose `constraint` is part
 * of the constraint's name (a unique index, a check, a foreign key). */
struct ba_refusal {
	const char *constraint, *field, *message;
};

/* Values in the save statement's order (v), the kind's table name for messages, and what to
 * check beyond each field's type; a check may rewrite v (text owned by a). */
typedef void (*ba_check_fn)(struct db *db, struct arena *a, const char *parent,
	const char *id, const char **v, struct input_errors *e);

static void ba_service_check(struct db *, struct arena *, const char *, const char *,
	const char **, struct input_errors *);
static void ba_practitioner_check(struct db *, struct arena *, const char *, const char *,
	const char **, struct input_errors *);
static void ba_hours_check(struct db *, struct arena *, const char *, const char *,
	const char **, struct input_errors *);
static void ba_leave_check(struct db *, struct arena *, const char *, const char *,
	const char **, struct input_errors *);
static void ba_price_check(struct db *, struct arena *, const char *, const char *,
	const char **, struct input_errors *);

static const struct ba_refusal ba_refusals[] = {
	{ "practitioner_locations", "location_ids", "Choose from the clinic's locations" },
	{ "practitioner_services", "service_ids", "Choose from the clinic's services" },
	{ "price_rules_one", "service_id",
	  "There is already an active price for this service, location, session type and funding. Edit that one, or deactivate it first." },
	{ "price_rules_insurer_one", "insurer",
	  "There is already an active price for this insurer (its name in any case) with this service, location and session type. Edit that one, or deactivate it first." },
	{ "location_id_fkey", "location_id", "Choose one of the clinic's locations" },
	{ "service_id_fkey", "service_id", "Choose one of the clinic's services" },
	{ "user_id_fkey", "user_id", "Choose one of the clinic's practitioners' staff accounts" },
	{ "country_check", "country", "Country must be two capital letters, like AU" },
	{ "timezone_check", "timezone", "Time zone must be a time zone like Australia/Sydney" },
	{ "phone_check", "phone", "Phone must be an international number like +61 3 9000 0000" },
	{ "currency_check", "currency", "Currency must be a 3-letter code like AUD" },
	{ "concerns_check", "concerns", "Concerns may list at most 50" },
};

struct ba_kind {
	const char *const *names;
	struct db_stmt    *save, *get, *list, *active, *choices;
	ba_check_fn        check;
	bool               parent;		/* rows belong to a practitioner */
	bool               deactivates;	/* else deleted */
};

static const struct ba_kind ba_kinds[BOOKING_ADMIN_KINDS] = {
	[BOOKING_ADMIN_LOCATION] = { ba_location_names, &ba_location_save, &ba_location_get,
		&ba_location_list, &ba_location_active, &ba_location_choices, NULL, false, true },
	[BOOKING_ADMIN_SERVICE] = { ba_service_names, &ba_service_save, &ba_service_get,
		&ba_service_list, &ba_service_active, &ba_service_choices, ba_service_check, false, true },
	[BOOKING_ADMIN_PRACTITIONER] = { ba_practitioner_names, &ba_practitioner_save,
		&ba_practitioner_get, &ba_practitioner_list, &ba_practitioner_active, NULL,
		ba_practitioner_check, false, true },
	[BOOKING_ADMIN_HOURS] = { ba_hours_names, &ba_hours_save, &ba_hours_get, &ba_hours_list,
		&ba_hours_delete, NULL, ba_hours_check, true, false },
	[BOOKING_ADMIN_LEAVE] = { ba_leave_names, &ba_leave_save, &ba_leave_get, &ba_leave_list,
		&ba_leave_delete, NULL, ba_leave_check, true, false },
	[BOOKING_ADMIN_PRICE] = { ba_price_names, &ba_price_save, &ba_price_get, &ba_price_list,
		&ba_price_active, NULL, ba_price_check, false, true },
};

bool
booking_admin_has_parent(enum booking_admin_kind k)
{
	return ba_kinds[k].parent;
}

bool
booking_admin_deactivates(enum booking_admin_kind k)
{
	return ba_kinds[k].deactivates;
}

/* The index of name in k's values, or -1. */
static int
ba_index(const struct ba_kind *k, const char *name)
{
	for (int i = 0; k->names[i] != NULL; i++)
		if (strcmp(k->names[i], name) == 0)
			return i;
	return -1;
}

static bool
ba_true(const char *v)
{
	return v != NULL && strcmp(v, "true") == 0;
}

/* A row of ba_practitioner_one. */
static const struct db_row_map ba_practitioner_map = DB_ROW_MAP(struct booking_admin_practitioner,
	DB_COL_TEXT(struct booking_admin_practitioner, id),
	DB_COL_TEXT(struct booking_admin_practitioner, user_id),
	DB_COL_TEXT(struct booking_admin_practitioner, name),
	DB_COL_TEXT(struct booking_admin_practitioner, timezone));

int
booking_admin_practitioner(struct db *db, const char *id, struct booking_admin_practitioner *out)
{
	const char *p[] = { id };
	int n = db_query_row(db, &ba_practitioner_one, p, &ba_practitioner_map, out);

	if (n < 0)
		return BOOKING_ADMIN_DB;
	return n == 1 ? BOOKING_ADMIN_OK : BOOKING_ADMIN_NOT_FOUND;
}

int
booking_admin_practitioner_of(struct db *db, const char *user_id, char out[BOOKING_ID_SIZE])
{
	const char *p[] = { user_id };
	PGresult *res;
	int found;

	if (db_query(db, &ba_practitioner_mine, p, &res) != DB_OK)
		return BOOKING_ADMIN_DB;
	if ((found = PQntuples(res) == 1))
		db_copy(out, BOOKING_ID_SIZE, res, 0, 0);
	PQclear(res);
	return found ? BOOKING_ADMIN_OK : BOOKING_ADMIN_NOT_FOUND;
}

/* ---- wall times ---- */

/* "HH:MM" or "H:MM" (00:00 … 24:00) as minutes since midnight, or -1. */
static int
ba_minutes(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int h, m;
	char end;

	if ((n != 4 && n != 5) || s[n - 3] != ':' || strspn(s, "0123456789:") != n ||
	    sscanf(s, "%2d:%2d%c", &h, &m, &end) != 2 || m > 59 || h * 60 + m > BOOKING_DAY_MINUTES)
		return -1;
	return h * 60 + m;
}

/* A local date-time, "2026-12-24T14:00" (a space for the T, and seconds, allowed), in zone z
 * as an instant: the first one when the wall time happens twice, the transition when it
 * falls in a gap. -1 when it is not such a time. */
static int
ba_local_instant(const struct tz_zone *z, const char *s, tz_instant *out)
{
	struct tz_civil c = { 0 };
	size_t n = s ? strlen(s) : 0;
	char sep, end;
	int got;

	if (n != 16 && n != 19)
		return -1;
	got = n == 16 ? sscanf(s, "%4d-%2d-%2d%c%2d:%2d%c", &c.year, &c.month, &c.day, &sep,
	    &c.hour, &c.minute, &end)
	    : sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%c", &c.year, &c.month, &c.day, &sep, &c.hour,
	    &c.minute, &c.second, &end);
	if (got != (n == 16 ? 6 : 7) || (sep != 'T' && sep != ' ') || s[4] != '-' || s[7] != '-' ||
	    s[13] != ':' || c.month < 1 || c.month > 12 || c.day < 1 ||
	    c.day > tz_days_in_month(c.year, c.month))
		return -1;
	return tz_local_to_utc(z, &c, TZ_RULE_FIRST, out, NULL) == TZ_OK ? 0 : -1;
}

/* Instant text (seconds) as the wall time in z, "2026-12-24T14:00". Arena-owned. */
static const char *
ba_local_text(struct arena *a, const struct tz_zone *z, const char *seconds)
{
	struct tz_local l;
	char *out = arena_alloc(a, BA_LOCAL_SIZE);

	if (z == NULL || tz_utc_to_local(z, strtoll(seconds, NULL, 10), &l) != TZ_OK)
		return seconds;
	snprintf(out, BA_LOCAL_SIZE, "%04d-%02d-%02dT%02d:%02d", l.civil.year, l.civil.month,
	    l.civil.day, l.civil.hour, l.civil.minute);
	return out;
}

/* The zone of practitioner id, or NULL. */
static const struct tz_zone *
ba_practitioner_zone(struct db *db, const char *id, int *rc)
{
	struct booking_admin_practitioner p;
	const struct tz_zone *z = NULL;

	if ((*rc = booking_admin_practitioner(db, id, &p)) == BOOKING_ADMIN_OK &&
	    tz_load(p.timezone, &z) != TZ_OK)
		z = NULL;
	return z;
}

/* ---- checks across fields ---- */

/* Items of a separated list and the longest, in characters. */
static size_t
ba_list_count(const char *s, char sep, size_t *longest)
{
	size_t n = 0, chars = 0;
	bool blank = true;

	*longest = 0;
	for (const char *p = s ? s : ""; ; p++) {
		if (*p == sep || *p == '\0') {
			n += !blank;
			blank = true;
			chars = 0;
			if (*p == '\0')
				break;
			continue;
		}
		if (*p != ' ' && *p != '\t' && *p != '\r')
			blank = false;
		chars += ((unsigned char)*p & 0xC0) != 0x80;
		if (chars > *longest)
			*longest = chars;
	}
	return n;
}

static void
ba_check_list(struct arena *a, struct input_errors *e, const char *field, const char *what,
    const char *v, char sep, size_t max)
{
	size_t longest, n = ba_list_count(v, sep, &longest);
	char msg[160];

	if (n > max)
		snprintf(msg, sizeof msg, "%s may list at most %zu", what, max);
	else if (longest > BA_LIST_ITEM_MAX)
		snprintf(msg, sizeof msg, "%s: each must be %d characters or fewer", what,
		    BA_LIST_ITEM_MAX);
	else
		return;
	input_error_add(e, a, field, arena_strdup(a, msg));
}

static void
ba_service_check(struct db *db, struct arena *a, const char *parent, const char *id,
    const char **v, struct input_errors *e)
{
	(void)db, (void)parent, (void)id;
	if (!ba_true(v[4]) && !ba_true(v[5]))
		input_error_add(e, a, "in_person", "Choose in person, telehealth or both");
	ba_check_list(a, e, "concerns", "Concerns", v[6], ',', BA_CONCERNS_MAX);
}

/* A BCP 47 tag's shape: "en", "zh-Hant", "pt-BR", "es-419": a language of letters, then
 * subtags of 2 to 8 letters or digits. */
static bool
ba_language_ok(const char *s, size_t n)
{
	size_t part = 0;
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '-') {
			if (part < 2 || part > 8)
				return false;
			part = 0;
			first = false;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9' && !first))
			part++;
		else
			return false;
	}
	return part >= 2 && part <= 8;
}

static void
ba_practitioner_check(struct db *db, struct arena *a, const char *parent, const char *id,
    const char **v, struct input_errors *e)
{
	const char *p = v[6];

	(void)parent, (void)id;
	/* shown as an <img> to patients: a page of ours or an https address, never javascript:
	 * or a plain-http mixed-content one */
	if (v[2] != NULL && strncmp(v[2], "https://", 8) != 0 &&
	    (v[2][0] != '/' || v[2][1] == '/' || v[2][1] == '\\'))
		input_error_add(e, a, "photo_url", "Photo address must start with https:// (or be one of the site's own, starting with /)");
	ba_check_list(a, e, "qualifications", "Qualifications", v[4], '\n', BA_QUALIFICATIONS_MAX);
	ba_check_list(a, e, "specialties", "Specialties", v[5], ',', BA_SPECIALTIES_MAX);
	ba_check_list(a, e, "languages", "Languages", v[6], ',', BA_LANGUAGES_MAX);
	while (p != NULL && *p) {
		size_t n = strcspn(p, ","), s = 0, t = n;

		while (s < n && p[s] == ' ')
			s++;
		while (t > s && p[t - 1] == ' ')
			t--;
		if (t > s && !ba_language_ok(p + s, t - s)) {
			input_error_add(e, a, "languages", "Languages must be language tags like en, zh-Hant, pt-BR, separated by commas");
			break;
		}
		p += n + (p[n] == ',');
	}
	if (v[15] != NULL) {
		const char *q[] = { v[15] };
		char role[32] = "";

		if (db_query_value(db, &ba_user_role, q, role, sizeof role) != DB_OK ||
		    strcmp(role, "practitioner") != 0)
			input_error_add(e, a, "user_id", "Choose one of the clinic's practitioners' staff accounts");
	}
}

static void
ba_hours_check(struct db *db, struct arena *a, const char *parent, const char *id,
    const char **v, struct input_errors *e)
{
	int start = ba_minutes(v[3]), end = ba_minutes(v[4]);
	char msg[200], found[16] = "";

	if (start < 0 || start >= BOOKING_DAY_MINUTES)
		input_error_add(e, a, "start_time", "Start must be a time like 09:00");
	else if (start % BOOKING_ADMIN_STEP_MINUTES != 0)
		input_error_add(e, a, "start_time", "Start must be on a 5-minute step, like 09:05");
	if (end < 0)
		input_error_add(e, a, "end_time", "End must be a time like 17:00 (24:00 for midnight)");
	else if (end % BOOKING_ADMIN_STEP_MINUTES != 0)
		input_error_add(e, a, "end_time", "End must be on a 5-minute step, like 16:55");
	else if (start >= 0 && end <= start)
		input_error_add(e, a, "end_time", "End must be after the start");
	if (v[1] != NULL && strcmp(v[1], "in_person") == 0 && v[0] == NULL)
		input_error_add(e, a, "location_id", "Choose where the in-person sessions are");
	if (v[5] != NULL && v[6] != NULL && strcmp(v[6], v[5]) < 0)
		input_error_add(e, a, "valid_until", "Until must be on or after the from date");
	if (e->count > 0)
		return;
	{
		const char *q[] = { parent, id, v[0], v[1], v[2], v[3], v[4], v[5], v[6] };
		const char *lq[] = { parent, v[0] };
		char telehealth[8] = "", place[8] = "";
		PGresult *res;
		bool read = db_query(db, &ba_hours_lock, lq, &res) == DB_OK;

		if (read && PQntuples(res) == 1) {
			db_copy(telehealth, sizeof telehealth, res, 0, 0);
			db_copy(place, sizeof place, res, 0, 1);
		}
		PQclear(res);
		if (!read || db_query(db, &ba_hours_overlap, q, &res) != DB_OK) {
			input_error_add(e, a, "start_time", "These hours could not be checked. Try again.");
			return;
		}
		/* the loader offers telehealth hours only of practitioners who offer telehealth,
		 * and hours at a centre only of those who work there */
		if (strcmp(v[1], "telehealth") == 0 && strcmp(telehealth, "true") != 0)
			input_error_add(e, a, "session_type", "They do not offer telehealth: tick it on their profile first");
		if (strcmp(place, "other") == 0)
			input_error_add(e, a, "location_id", "They do not work at this centre: tick it on their profile first");
		if (PQntuples(res) > 0)
			db_copy(found, sizeof found, res, 0, 0);
		PQclear(res);
	}
	if (*found) {
		snprintf(msg, sizeof msg, "These hours overlap %s on the same day, place and session type. Change one of them.", found);
		input_error_add(e, a, "start_time", arena_strdup(a, msg));
	}
}

static void
ba_leave_check(struct db *db, struct arena *a, const char *parent, const char *id,
    const char **v, struct input_errors *e)
{
	const struct tz_zone *z;
	tz_instant s = 0, t = 0;
	bool s_ok, t_ok;
	char *text;
	int rc;

	(void)id;
	if ((z = ba_practitioner_zone(db, parent, &rc)) == NULL) {
		input_error_add(e, a, "starts_at", "The practitioner's time zone is not known; fix it on their profile first");
		return;
	}
	if (!(s_ok = ba_local_instant(z, v[0], &s) == 0))
		input_error_add(e, a, "starts_at", "From must be a date and time like 2026-12-24T14:00");
	if (!(t_ok = ba_local_instant(z, v[1], &t) == 0))
		input_error_add(e, a, "ends_at", "Until must be a date and time like 2027-01-04T09:00");
	else if (s_ok && t <= s)
		input_error_add(e, a, "ends_at", "Until must be after the start of the leave");
	if (e->count > 0)
		return;
	text = arena_alloc(a, 2 * BA_INT_SIZE);
	snprintf(text, BA_INT_SIZE, "%" PRId64, s);
	snprintf(text + BA_INT_SIZE, BA_INT_SIZE, "%" PRId64, t);
	v[0] = text;
	v[1] = text + BA_INT_SIZE;
}

static void
ba_price_check(struct db *db, struct arena *a, const char *parent, const char *id,
    const char **v, struct input_errors *e)
{
	const char *funding = v[3] ? v[3] : "";
	bool insurer = strcmp(funding, "insurer") == 0, package = strcmp(funding, "package") == 0;
	bool rebate = insurer || strcmp(funding, "medicare") == 0;
	long long fee = v[5] ? atoll(v[5]) : 0, reb = v[6] ? atoll(v[6]) : 0;

	(void)parent, (void)id;
	if (v[0] != NULL && v[2] != NULL) {
		const char *q[] = { v[0], v[2] };
		char offered[8] = "";

		if (db_query_value(db, &ba_price_offered, q, offered, sizeof offered) == DB_OK &&
		    strcmp(offered, "false") == 0)
			input_error_add(e, a, "session_type", "The service is not offered as this session type");
	}
	if (insurer && v[4] == NULL)
		input_error_add(e, a, "insurer", "Enter the insurer's name");
	else if (!insurer && v[4] != NULL)
		input_error_add(e, a, "insurer", "Name an insurer only for insurer funding");
	if (!rebate && reb != 0)
		input_error_add(e, a, "rebate_minor", "Only Medicare and insurer prices have a rebate");
	else if (reb > fee)
		input_error_add(e, a, "rebate_minor", "The rebate must not be more than the fee");
	if (package && v[8] == NULL)
		input_error_add(e, a, "package_sessions", "Enter how many sessions the package holds");
	else if (!package && v[8] != NULL)
		input_error_add(e, a, "package_sessions", "Sessions apply only to package prices");
	if (v[7] != NULL && (strlen(v[7]) != 3 || strspn(v[7], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") != 3))
		input_error_add(e, a, "currency", "Currency must be a 3-letter code like AUD");
}

/* ---- the calls ---- */

/* The answer to k's save that the database failed: INVALID with the field's error when it
 * refused the values (the savepoint rolled back), else DB. */
static int
ba_save_failed(struct db *db, struct arena *a, const struct ba_kind *k, struct input_errors *e)
{
	const char *name = strstr(db->error, "constraint \""), *field = k->names[0];
	const char *message = "This could not be saved. Check the values and try again.";

	if (strncmp(db->sqlstate, "23", 2) != 0 && strcmp(db->sqlstate, "22007") != 0 &&
	    strcmp(db->sqlstate, "22008") != 0 && strcmp(db->sqlstate, "22P02") != 0)
		return BOOKING_ADMIN_DB;
	for (size_t i = 0; name != NULL && i < sizeof ba_refusals / sizeof *ba_refusals; i++)
		if (strstr(name, ba_refusals[i].constraint) != NULL &&
		    ba_index(k, ba_refusals[i].field) >= 0) {
			field = ba_refusals[i].field;
			message = ba_refusals[i].message;
			break;
		}
	input_error_add(e, a, field, message);
	return db_exec(db, &ba_rollback, NULL, NULL) == DB_OK ? BOOKING_ADMIN_INVALID : BOOKING_ADMIN_DB;
}

int
booking_admin_save(struct db *db, struct arena *a, enum booking_admin_kind kind,
    const char *parent, const char *id, const struct booking_admin_value *vals, size_t n,
    char out_id[BOOKING_ID_SIZE], struct input_errors *e)
{
	const struct ba_kind *k = &ba_kinds[kind];
	const char *p[2 + BA_VALUES_MAX] = { id, parent }, **v = p + (k->parent ? 2 : 1);
	size_t before = e->count;
	PGresult *res;
	int found;

	for (size_t i = 0; i < n; i++) {
		int at = ba_index(k, vals[i].name);

		if (at >= 0)
			v[at] = vals[i].value;
	}
	if (k->check != NULL)
		k->check(db, a, parent, id, v, e);
	if (e->count > before)
		return BOOKING_ADMIN_INVALID;
	if (db_exec(db, &ba_savepoint, NULL, NULL) != DB_OK)
		return BOOKING_ADMIN_DB;
	if (db_query(db, k->save, p, &res) != DB_OK)
		return ba_save_failed(db, a, k, e);
	if ((found = PQntuples(res) == 1))
		db_copy(out_id, BOOKING_ID_SIZE, res, 0, 0);
	PQclear(res);
	if (found && kind == BOOKING_ADMIN_PRACTITIONER) {
		const char *l[] = { out_id, v[BA_PRACTITIONER_LOCATIONS] };
		const char *sv[] = { out_id, v[BA_PRACTITIONER_LOCATIONS + 1] };

		if (db_exec(db, &ba_practitioner_locations, l, NULL) != DB_OK ||
		    db_exec(db, &ba_practitioner_services, sv, NULL) != DB_OK)
			return ba_save_failed(db, a, k, e);
	}
	if (db_exec(db, &ba_release, NULL, NULL) != DB_OK)
		return BOOKING_ADMIN_DB;
	return found ? BOOKING_ADMIN_OK : BOOKING_ADMIN_NOT_FOUND;
}

int
booking_admin_get(struct db *db, struct arena *a, enum booking_admin_kind kind,
    const char *parent, const char *id, struct booking_admin_value **vals, size_t *n)
{
	const struct ba_kind *k = &ba_kinds[kind];
	const struct tz_zone *z = NULL;
	const char *p[] = { id, parent };
	PGresult *res;
	int rc = BOOKING_ADMIN_OK;
	size_t cap = 0;

	*n = 0;
	if (kind == BOOKING_ADMIN_LEAVE && (z = ba_practitioner_zone(db, parent, &rc)) == NULL &&
	    rc == BOOKING_ADMIN_DB)
		return rc;
	if (db_query(db, k->get, p, &res) != DB_OK)
		return BOOKING_ADMIN_DB;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return BOOKING_ADMIN_NOT_FOUND;
	}
	for (int c = 0; c < PQnfields(res); c++)	/* a list of ids is one value each */
		for (const char *q = PQgetvalue(res, 0, c); *q; q++)
			cap += *q == ',';
	cap += (size_t)PQnfields(res);
	*vals = arena_calloc(a, cap + 1, sizeof **vals);
	for (int c = 0; c < PQnfields(res); c++) {
		const char *name = arena_strdup(a, PQfname(res, c));
		size_t len = strlen(name);
		char *value, *save = NULL;

		if (PQgetisnull(res, 0, c))
			continue;
		value = arena_strdup(a, PQgetvalue(res, 0, c));
		if (len > 4 && strcmp(name + len - 4, "_ids") == 0) {
			for (char *one = strtok_r(value, ",", &save); one; one = strtok_r(NULL, ",", &save)) {
				(*vals)[*n].name = name;
				(*vals)[(*n)++].value = one;
			}
			continue;
		}
		(*vals)[*n].name = name;
		(*vals)[(*n)++].value = kind == BOOKING_ADMIN_LEAVE && c < 2 ?
		    ba_local_text(a, z, value) : value;	/* the instants, as wall times */
	}
	PQclear(res);
	return BOOKING_ADMIN_OK;
}

/* Rows id, title, detail, active[, extra] of res as items. */
static void
ba_items(struct arena *a, PGresult *res, int rows, struct booking_admin_item *items)
{
	for (int r = 0; r < rows; r++) {
		items[r].id = arena_strdup(a, PQgetvalue(res, r, 0));
		items[r].title = arena_strdup(a, PQgetvalue(res, r, 1));
		items[r].detail = arena_strdup(a, PQgetvalue(res, r, 2));
		items[r].active = strcmp(PQgetvalue(res, r, 3), "t") == 0;
	}
}

int
booking_admin_list(struct db *db, struct arena *a, enum booking_admin_kind kind,
    const char *parent, const char *after, struct booking_admin_item **items, size_t *n,
    bool *more)
{
	const struct ba_kind *k = &ba_kinds[kind];
	const struct tz_zone *z = NULL;
	const char *p[] = { after, parent };
	PGresult *res;
	int rows, rc = BOOKING_ADMIN_OK;

	if (kind == BOOKING_ADMIN_LEAVE && (z = ba_practitioner_zone(db, parent, &rc)) == NULL &&
	    rc == BOOKING_ADMIN_DB)
		return rc;
	if (db_query(db, k->list, p, &res) != DB_OK)
		return BOOKING_ADMIN_DB;
	rows = PQntuples(res);
	*more = rows > BOOKING_ADMIN_PAGE;
	if (*more)
		rows = BOOKING_ADMIN_PAGE;
	*items = arena_calloc(a, (size_t)rows + 1, sizeof **items);
	ba_items(a, res, rows, *items);
	for (int r = 0; kind == BOOKING_ADMIN_LEAVE && r < rows; r++) {
		size_t len = 2 * BA_LOCAL_SIZE + 8;
		char *title = arena_alloc(a, len);

		snprintf(title, len, "%s – %s", ba_local_text(a, z, (*items)[r].title),
		    ba_local_text(a, z, (*items)[r].detail));
		(*items)[r].title = title;
		(*items)[r].detail = arena_strdup(a, PQgetvalue(res, r, 4));
	}
	*n = (size_t)rows;
	PQclear(res);
	return BOOKING_ADMIN_OK;
}

int
booking_admin_set_active(struct db *db, enum booking_admin_kind kind, const char *parent,
    const char *id, bool active)
{
	const struct ba_kind *k = &ba_kinds[kind];
	const char *p[] = { id, k->parent ? parent : active ? "true" : "false" };
	long changed = 0;

	if (db_exec(db, &ba_savepoint, NULL, NULL) != DB_OK)
		return BOOKING_ADMIN_DB;
	if (db_exec(db, k->active, p, &changed) != DB_OK)
		return strcmp(db->sqlstate, "23505") == 0 &&
		    db_exec(db, &ba_rollback, NULL, NULL) == DB_OK ? BOOKING_ADMIN_CONFLICT : BOOKING_ADMIN_DB;
	if (db_exec(db, &ba_release, NULL, NULL) != DB_OK)
		return BOOKING_ADMIN_DB;
	return changed == 1 ? BOOKING_ADMIN_OK : BOOKING_ADMIN_NOT_FOUND;
}

int
booking_admin_choices(struct db *db, struct arena *a, enum booking_admin_kind kind,
    struct booking_admin_item **items, size_t *n)
{
	PGresult *res;

	if (ba_kinds[kind].choices == NULL ||
	    db_query(db, ba_kinds[kind].choices, NULL, &res) != DB_OK)
		return BOOKING_ADMIN_DB;
	*n = (size_t)PQntuples(res);
	*items = arena_calloc(a, *n + 1, sizeof **items);
	ba_items(a, res, (int)*n, *items);
	PQclear(res);
	return BOOKING_ADMIN_OK;
}
