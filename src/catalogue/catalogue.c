/* catalogue.c: the domain calls behind the booking wizard's steps and their JSON twins
 * (catalogue.h). Each is a fixed number of prepared statements in the request's tenant
 * transaction, whatever the number of services or practitioners: the list itself, one
 * "are these ids ours" check, and for slots the loader's own statements (booking/load.c). */
#include "catalogue/catalogue.h"
#include "catalogue/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/valid.h"
#include "db/db.h"

#define CATALOGUE_INT_SIZE 24	/* a long long in decimal */
/* from's and to's problem when an answer would hold more than BOOKING_SLOTS_MAX slots */
#define CATALOGUE_TOO_MANY_SLOTS "There are too many times to list at once: choose a shorter range"

/* Which of the ids given are active rows of this clinic (row-level security hides every
 * other clinic's, so another clinic's id is unknown like one that never existed), and
 * whether the practitioner offers the service (NULL parameters count as 0); with them, in
 * the same round trip, what the rest of the request needs first: the organisation and its
 * catalogue version (migration 0021; read before any data an answer is computed from, so
 * a cached answer is never filed under a version newer than what it saw), and generic
 * plans for the rest of the transaction. Custom plans cost more than they save here: they
 * are planned again at every execution (~1 ms of the loader's and the list's statements
 * each, 24 ms for the list at a machine under load), and with every practitioner's id as
 * one array the planner, not knowing that the row-level-security filter calls
 * current_setting() for every row, prefers a sequential scan of all appointments to one
 * index scan per practitioner (56-72 ms against 4-5 ms for 50 practitioners and 96,000
 * appointments: bench/RESULTS.md, catalogue). */
static struct db_stmt catalogue_stmt_known = DB_STMT("catalogue_known", 3,
	"SELECT (SELECT count(*) FROM services WHERE id = $1::uuid AND active),"
	" (SELECT count(*) FROM locations WHERE id = $2::uuid AND active),"
	" (SELECT count(*) FROM practitioners WHERE id = $3::uuid AND active),"
	" (SELECT count(*) FROM practitioner_services WHERE service_id = $1::uuid"
	"  AND practitioner_id = $3::uuid),"
	" kairos_org(), coalesce((SELECT version FROM catalogue_versions), 0),"
	" set_config('plan_cache_mode', 'force_generic_plan', true)");

/* Active services, filtered: $1 a session type offered, $2 a centre where an active
 * practitioner who offers it works, $3 a concern (case-insensitive). Each with the active
 * centres where an active practitioner offers it (the places its price may depend on). */
static struct db_stmt catalogue_stmt_services = DB_STMT("catalogue_services", 3,
	"SELECT s.id, s.name, s.description, s.duration_minutes,"
	" 'in_person' = ANY (s.session_types), 'telehealth' = ANY (s.session_types),"
	" to_json(s.concerns),"
	" to_json(ARRAY(SELECT DISTINCT pl.location_id::text FROM practitioner_services ps"
	"  JOIN practitioners p ON p.id = ps.practitioner_id AND p.active"
	"  JOIN practitioner_locations pl ON pl.practitioner_id = p.id"
	"  JOIN locations l ON l.id = pl.location_id AND l.active"
	"  WHERE ps.service_id = s.id ORDER BY 1))"
	" FROM services s"
	" WHERE s.active"
	" AND ($1::text IS NULL OR $1::text = ANY (s.session_types))"
	" AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM practitioner_services ps"
	"  JOIN practitioners p ON p.id = ps.practitioner_id AND p.active"
	"  JOIN practitioner_locations pl ON pl.practitioner_id = p.id AND pl.location_id = $2::uuid"
	"  WHERE ps.service_id = s.id))"
	" AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM unnest(s.concerns) c"
	"  WHERE lower(c) = lower($3::text)))"
	" ORDER BY s.sort_order, s.name, s.id");

/* The active price rules of one funding (and insurer) for every active service: a handful
 * of rows per service, picked from in C (price.c). */
static struct db_stmt catalogue_stmt_prices = DB_STMT("catalogue_prices", 2,
	"SELECT r.service_id, r.location_id, r.session_type, r.insurer, r.fee_minor,"
	" r.rebate_minor, coalesce(r.package_sessions, 0), r.currency"
	" FROM price_rules r JOIN services s ON s.id = r.service_id AND s.active"
	" WHERE r.active AND r.funding = $1 AND ($2::text IS NULL OR lower(r.insurer) = lower($2::text))");

/* Active practitioners, filtered ($1 service offered, $2 name part, $3 specialty, $4
 * language, $5 gender, $6 centre, $7 telehealth only, $8 one id), in list order, with
 * their active locations and the average and count of their approved reviews. */
static struct db_stmt catalogue_stmt_practitioners = DB_STMT("catalogue_practitioners", 8,
	"SELECT p.id, p.name, p.title, p.photo_url, p.bio, to_json(p.qualifications),"
	" to_json(p.specialties), to_json(p.languages), p.gender, p.telehealth, p.timezone,"
	" coalesce(rv.average, 0), coalesce(rv.n, 0),"
	" (SELECT coalesce(json_agg(json_build_array(l.id, l.name, l.timezone)"
	"   ORDER BY l.name, l.id), '[]')"
	"  FROM practitioner_locations pl JOIN locations l ON l.id = pl.location_id AND l.active"
	"  WHERE pl.practitioner_id = p.id)"
	" FROM practitioners p"
	" LEFT JOIN LATERAL (SELECT round(avg(r.rating), 2)::float8 AS average, count(*) AS n"
	"  FROM reviews r WHERE r.practitioner_id = p.id AND r.status = 'approved') rv ON true"
	" WHERE p.active"
	" AND ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM practitioner_services ps"
	"  WHERE ps.practitioner_id = p.id AND ps.service_id = $1::uuid))"
	" AND ($2::text IS NULL OR strpos(lower(p.name), lower($2::text)) > 0)"
	" AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM unnest(p.specialties) x"
	"  WHERE lower(x) = lower($3::text)))"
	" AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM unnest(p.languages) x"
	"  WHERE lower(x) = lower($4::text)))"
	" AND ($5::text IS NULL OR p.gender = $5::text)"
	" AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM practitioner_locations pl"
	"  WHERE pl.practitioner_id = p.id AND pl.location_id = $6::uuid))"
	" AND (NOT $7::bool OR p.telehealth)"
	" AND ($8::uuid IS NULL OR p.id = $8::uuid)"
	" ORDER BY p.sort_order, p.name, p.id");

/* The first active service a practitioner offers, in list order (the profile's default). */
static struct db_stmt catalogue_stmt_first_service = DB_STMT("catalogue_first_service", 1,
	"SELECT s.id FROM practitioner_services ps JOIN services s ON s.id = ps.service_id"
	" AND s.active WHERE ps.practitioner_id = $1::uuid"
	" ORDER BY s.sort_order, s.name, s.id LIMIT 1");

/* An id check's answer. */
struct catalogue_known {
	bool      service, location, practitioner, offers;
	char      org[BOOKING_ID_SIZE];	/* the transaction's organisation */
	long long version;		/* its catalogue version (migration 0021) */
};

/* The last id check of this worker, and the transaction it was made in. A page asks the
 * catalogue several questions in one transaction (the list, its service, everyone for the
 * filters); the version read by the first holds for the rest (data read after it and filed
 * under it is at worst newer than it, so the answer is only dropped sooner), and so do its
 * id checks. */
static struct {
	const struct db *db;	/* a process may hold more than one connection */
	unsigned long generation, tx;
	bool          set;
	char          ids[3][BOOKING_ID_SIZE];	/* service, location, practitioner; "" none */
	struct catalogue_known k;
} catalogue_memo;

/* Whether the memo answers for ids (each NULL, or one it checked) in db's transaction. */
static bool
catalogue_memo_holds(const struct db *db, const char *const ids[3])
{
	if (!catalogue_memo.set || catalogue_memo.db != db ||
	    catalogue_memo.generation != db->generation || catalogue_memo.tx != db->tx_serial ||
	    !db_in_transaction(db))
		return false;
	for (int i = 0; i < 3; i++)
		if (ids[i] != NULL && strcmp(ids[i], catalogue_memo.ids[i]) != 0)
			return false;
	return true;
}

static int
catalogue_known(struct db *db, const char *service_id, const char *location_id,
    const char *practitioner_id, struct catalogue_known *out)
{
	const char *p[] = { service_id, location_id, practitioner_id };
	PGresult *res;

	if (catalogue_memo_holds(db, p)) {
		*out = catalogue_memo.k;
		return CATALOGUE_OK;
	}
	if (db_query(db, &catalogue_stmt_known, p, &res) != DB_OK)
		return CATALOGUE_EDB;
	out->service = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
	out->location = strcmp(PQgetvalue(res, 0, 1), "0") != 0;
	out->practitioner = strcmp(PQgetvalue(res, 0, 2), "0") != 0;
	out->offers = strcmp(PQgetvalue(res, 0, 3), "0") != 0;
	db_copy(out->org, sizeof out->org, res, 0, 4);
	out->version = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
	PQclear(res);
	catalogue_memo.set = true;
	for (int i = 0; i < 3; i++) {
		snprintf(catalogue_memo.ids[i], sizeof catalogue_memo.ids[i], "%s", p[i] ? p[i] : "");
		if (p[i] != NULL && strlen(p[i]) >= sizeof catalogue_memo.ids[i])
			catalogue_memo.set = false;	/* not an id: never matched */
	}
	catalogue_memo.db = db;
	catalogue_memo.generation = db->generation;
	catalogue_memo.tx = db->tx_serial;
	catalogue_memo.k = *out;
	return CATALOGUE_OK;
}

/* Adds the errors of ids that are no rows of this clinic: true when there were none. Decided
 * here, not by e's count: a field that has its error already keeps it (input_error_add). */
static bool
catalogue_ids_ok(const struct catalogue_known *k, struct arena *a, const char *service_id,
    const char *location_id, const char *practitioner_id, struct input_errors *e)
{
	bool ok = true;

	if (service_id != NULL && !k->service) {
		input_error_add(e, a, "serviceId", "Service is not one this clinic offers");
		ok = false;
	}
	if (location_id != NULL && !k->location) {
		input_error_add(e, a, "locationId", "Location is not one of this clinic's");
		ok = false;
	}
	if (practitioner_id != NULL && !k->practitioner) {
		input_error_add(e, a, "practitionerId", "Psychologist is not one of this clinic's");
		ok = false;
	} else if (practitioner_id != NULL && service_id != NULL && k->service && !k->offers) {
		input_error_add(e, a, "practitionerId", "Psychologist does not offer this service");
		ok = false;
	}
	return ok;
}

/* s into out, cut to size - 1 bytes like every fixed-size field (snprintf's formatting was
 * most of reading a list's ids). */
static void
catalogue_copy(char *out, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memcpy(out, s, n);
	out[n] = '\0';
}

static const char *
catalogue_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* The common case of the JSON arrays PostgreSQL writes for the list's rows, read without
 * json-c (whose parser, a tokener and a locale per call, was a third of the step-2 page's
 * time): an array of strings none of which has an escape, from *p; its strings in a, *p
 * past it. false, with nothing promised, for anything else: the caller falls back to json-c. */
static bool
catalogue_plain_strings(struct arena *a, const char **p, const char ***out, size_t *n)
{
	const char *s = catalogue_ws(*p), *end;
	const char **v;

	*n = 0;
	if (*s != '[')
		return false;
	/* each string takes three bytes at least ("",) */
	v = arena_calloc(a, strlen(s) / 3 + 2, sizeof *v);
	s = catalogue_ws(s + 1);
	while (*s != ']') {
		if (*s != '"' || (end = strpbrk(s + 1, "\"\\")) == NULL || *end == '\\')
			return false;
		v[(*n)++] = arena_strndup(a, s + 1, (size_t)(end - s - 1));
		s = catalogue_ws(end + 1);
		if (*s == ',')
			s = catalogue_ws(s + 1);
		else if (*s != ']')
			return false;
	}
	*out = v;
	*p = s + 1;
	return true;
}

/* A JSON array of strings (to_json(text[])) into an arena array; *n its length. */
static const char **
catalogue_strings(struct arena *a, const char *json, size_t *n)
{
	struct json_object *arr;
	const char **out, *at = json;
	size_t len;

	if (catalogue_plain_strings(a, &at, &out, n) && *catalogue_ws(at) == '\0')
		return out;
	arr = json_tokener_parse(json);
	*n = 0;
	if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return NULL;
	}
	len = json_object_array_length(arr);
	out = arena_calloc(a, len + 1, sizeof *out);
	for (size_t i = 0; i < len; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, i));

		out[(*n)++] = arena_strdup(a, s != NULL ? s : "");
	}
	json_object_put(arr);
	return out;
}

static enum booking_session_type
catalogue_session_type(const char *s)
{
	int t = s != NULL ? booking_session_type_parse(s) : -1;

	return t < 0 ? BOOKING_SESSION_ANY : (enum booking_session_type)t;
}

/* ---- computed answers (cache.h) ---- */

/* The earliest expiry still ahead of a live hold of this clinic ($1 = now, seconds): a
 * slot it hides comes back then. NULL when there is none (appointments_hold_expiry). */
static struct db_stmt catalogue_stmt_holds = DB_STMT("catalogue_holds", 1,
	"SELECT floor(extract(epoch FROM min(hold_expires_at)))::bigint FROM appointments"
	" WHERE status = 'held' AND hold_expires_at > to_timestamp($1::bigint)");

/* This worker's answers, made on first use (after the fork). */
static struct catalogue_cache *
catalogue_answers(void)
{
	static struct catalogue_cache cache;
	static bool tried;

	if (!tried) {
		tried = true;
		if (!catalogue_cache_init(&cache, CATALOGUE_CACHE_ENTRIES, CATALOGUE_CACHE_BYTES))
			log_error("catalogue cache unavailable", "out of memory");
	}
	return &cache;
}

/* Whether snprintf's result `written` made a whole key (a cut one could name another query). */
static bool
catalogue_key_whole(int written)
{
	return written > 0 && written < CATALOGUE_CACHE_KEY_SIZE;
}

/* Cuts *until (when given) to t: an answer built from parts holds while all of them do. */
static void
catalogue_until(tz_instant *until, tz_instant t)
{
	if (until != NULL && t < *until)
		*until = t;
}

/* Files an answer computed at now under k's version until *until (the caller's bound from
 * the slots it shows) or the next hold expiry, whichever is first; *until gets that bound.
 * Not filing only costs speed; only the hold read can fail the request. */
static int
catalogue_remember(struct db *db, const char *key, const struct catalogue_known *k, tz_instant now,
    tz_instant *until, const void *blob, size_t len)
{
	char at[CATALOGUE_INT_SIZE];
	const char *p[] = { at };
	PGresult *res;

	if (*until <= now)
		return CATALOGUE_OK;
	snprintf(at, sizeof at, "%lld", (long long)now);
	if (db_query(db, &catalogue_stmt_holds, p, &res) != DB_OK)
		return CATALOGUE_EDB;
	if (!PQgetisnull(res, 0, 0))
		catalogue_until(until, strtoll(PQgetvalue(res, 0, 0), NULL, 10));
	PQclear(res);
	catalogue_cache_put(catalogue_answers(), key, k->version, now, *until, blob, len);
	return CATALOGUE_OK;
}

/* ---- psychologists ---- */

static int
catalogue_zone(const char *name, const struct tz_zone **z)
{
	return tz_load(name, z) == TZ_OK ? CATALOGUE_OK : CATALOGUE_EINTERNAL;
}

/* A statement's rows as text, so that they can be filed in the cache: cell[row * cols + col]
 * is the value, or NULL for SQL NULL. */
struct catalogue_rows {
	size_t       n, cols;
	const char **cell;
};

/* res packed in one block: n and cols, then each cell as 'v' and its text with its NUL, or
 * 'n' for NULL. *len its size; malloc'd, the caller's (NULL: out of memory). */
static char *
catalogue_rows_pack(const PGresult *res, size_t *len)
{
	size_t n = (size_t)PQntuples(res), cols = (size_t)PQnfields(res), size = 2 * sizeof n;
	char *blob, *at;

	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < cols; c++)
			size += 1 + (PQgetisnull(res, (int)i, (int)c) ? 0 :
			    (size_t)PQgetlength(res, (int)i, (int)c) + 1);
	if ((blob = malloc(size)) == NULL)
		return NULL;
	memcpy(blob, &n, sizeof n);
	memcpy(blob + sizeof n, &cols, sizeof cols);
	at = blob + 2 * sizeof n;
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < cols; c++) {
			if (PQgetisnull(res, (int)i, (int)c)) {
				*at++ = 'n';
				continue;
			}
			*at++ = 'v';
			memcpy(at, PQgetvalue(res, (int)i, (int)c), (size_t)PQgetlength(res, (int)i, (int)c) + 1);
			at += PQgetlength(res, (int)i, (int)c) + 1;
		}
	*len = size;
	return blob;
}

/* A copy of a packed block in a, read into *out (its cells point into the copy). */
static void
catalogue_rows_unpack(struct arena *a, const void *blob, size_t len, struct catalogue_rows *out)
{
	char *at = arena_alloc(a, len);

	memcpy(at, blob, len);
	memcpy(&out->n, at, sizeof out->n);
	memcpy(&out->cols, at + sizeof out->n, sizeof out->cols);
	at += 2 * sizeof out->n;
	out->cell = arena_calloc(a, out->n * out->cols + 1, sizeof *out->cell);
	for (size_t k = 0; k < out->n * out->cols; k++) {
		if (*at++ == 'n')
			continue;
		out->cell[k] = at;
		at += strlen(at) + 1;
	}
}

/* A cell's text, "" for NULL (as PQgetvalue gives it). */
static const char *
catalogue_cell(const char *v)
{
	return v != NULL ? v : "";
}

/* Appends field to a key as its length and text (free text cannot make two queries' keys
 * alike), "-" for none. false when the key is full. */
static bool
catalogue_key_add(char key[CATALOGUE_CACHE_KEY_SIZE], size_t *used, const char *field)
{
	int w = field != NULL ? snprintf(key + *used, CATALOGUE_CACHE_KEY_SIZE - *used, "%zu:%s|",
	    strlen(field), field) : snprintf(key + *used, CATALOGUE_CACHE_KEY_SIZE - *used, "-|");

	if (w < 0 || (size_t)w >= CATALOGUE_CACHE_KEY_SIZE - *used)
		return false;
	*used += (size_t)w;
	return true;
}

/* A key of fields[0..n) (catalogue_key_add's way): false when they do not fit. */
static bool
catalogue_key_of(char key[CATALOGUE_CACHE_KEY_SIZE], const char *const *fields, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		if (!catalogue_key_add(key, &used, fields[i]))
			return false;
	return true;
}

/* The rows of stmt for its parameters p, from this worker's cache while k's version holds
 * (the statements given here read catalogue tables only, and depend on nothing else), else
 * from the database. *until (may be NULL) is cut to the end of the rows' window. */
static int
catalogue_cached_rows(struct db *db, struct arena *a, const struct catalogue_known *k,
    struct db_stmt *stmt, const char *const *p, tz_instant now, struct catalogue_rows *out,
    tz_instant *until)
{
	char key[CATALOGUE_CACHE_KEY_SIZE];
	size_t used = 0, len;
	bool keyed = catalogue_key_add(key, &used, stmt->name) && catalogue_key_add(key, &used, k->org);
	tz_instant valid = now + CATALOGUE_CACHE_TTL_S;
	const void *hit;
	PGresult *res;
	char *blob;

	for (int i = 0; i < stmt->nparams && keyed; i++)
		keyed = catalogue_key_add(key, &used, p[i]);
	if (keyed && (hit = catalogue_cache_get_until(catalogue_answers(), key, k->version, now, &len,
	    &valid)) != NULL) {
		catalogue_rows_unpack(a, hit, len, out);
		catalogue_until(until, valid);
		return CATALOGUE_OK;
	}
	if (db_query(db, stmt, p, &res) != DB_OK)
		return CATALOGUE_EDB;
	blob = catalogue_rows_pack(res, &len);
	PQclear(res);
	if (blob == NULL)
		return CATALOGUE_EINTERNAL;
	if (keyed)
		catalogue_cache_put(catalogue_answers(), key, k->version, now, valid, blob, len);
	catalogue_until(until, keyed ? valid : now);
	catalogue_rows_unpack(a, blob, len, out);
	free(blob);
	return CATALOGUE_OK;
}

/* A practitioner's locations as the list statement writes them, [["id", "name", "zone"], …],
 * read like catalogue_plain_strings: false for anything it does not read (json-c then). */
static bool
catalogue_plain_locations(struct arena *a, const char *json, struct catalogue_psychologist *c)
{
	const char *s = catalogue_ws(json);

	if (*s != '[')
		return false;
	c->locations = arena_calloc(a, strlen(s) / 8 + 2, sizeof *c->locations);
	s = catalogue_ws(s + 1);
	while (*s != ']') {
		struct catalogue_location *to = &c->locations[c->nlocations];
		const char **f;
		size_t nf;

		if (!catalogue_plain_strings(a, &s, &f, &nf) || nf != 3)
			return false;
		c->nlocations++;
		catalogue_copy(to->id, sizeof to->id, f[0]);
		to->name = f[1];
		to->timezone = f[2];
		s = catalogue_ws(s);
		if (*s == ',')
			s = catalogue_ws(s + 1);
		else if (*s != ']')
			return false;
	}
	return *catalogue_ws(s + 1) == '\0';
}

/* The practitioners of the list statement for the filters in p. *zones gets each one's own
 * zone (telehealth from nowhere). */
static int
catalogue_read_practitioners(struct db *db, struct arena *a, const struct catalogue_known *k,
    const char *const p[8], tz_instant now, struct catalogue_psychologist **out, size_t *count,
    const char ***own_zone, tz_instant *until)
{
	struct catalogue_psychologist *ps;
	struct catalogue_rows rows;
	int rc;

	if ((rc = catalogue_cached_rows(db, a, k, &catalogue_stmt_practitioners, p, now, &rows,
	    until)) != CATALOGUE_OK)
		return rc;
	ps = arena_calloc(a, rows.n + 1, sizeof *ps);
	*own_zone = arena_calloc(a, rows.n + 1, sizeof **own_zone);
	for (size_t i = 0; i < rows.n; i++) {
		const char **v = &rows.cell[i * rows.cols];
		struct catalogue_psychologist *c = &ps[i];
		struct json_object *locs;

		catalogue_copy(c->id, sizeof c->id, catalogue_cell(v[0]));
		c->name = v[1];
		c->title = v[2];
		c->photo_url = v[3];
		c->bio = v[4];
		c->qualifications = catalogue_strings(a, catalogue_cell(v[5]), &c->nqualifications);
		c->specialties = catalogue_strings(a, catalogue_cell(v[6]), &c->nspecialties);
		c->languages = catalogue_strings(a, catalogue_cell(v[7]), &c->nlanguages);
		c->gender = v[8];
		c->telehealth = catalogue_cell(v[9])[0] == 't';
		(*own_zone)[i] = v[10];
		c->rating_average = strtod(catalogue_cell(v[11]), NULL);
		c->rating_count = strtol(catalogue_cell(v[12]), NULL, 10);
		if (catalogue_plain_locations(a, catalogue_cell(v[13]), c))
			continue;
		c->nlocations = 0;
		locs = json_tokener_parse(catalogue_cell(v[13]));
		if (locs != NULL && json_object_is_type(locs, json_type_array)) {
			size_t nl = json_object_array_length(locs);

			c->locations = arena_calloc(a, nl + 1, sizeof *c->locations);
			for (size_t l = 0; l < nl; l++) {
				struct json_object *o = json_object_array_get_idx(locs, l);
				struct catalogue_location *to = &c->locations[c->nlocations++];

				snprintf(to->id, sizeof to->id, "%s",
				    json_object_get_string(json_object_array_get_idx(o, 0)));
				to->name = arena_strdup(a,
				    json_object_get_string(json_object_array_get_idx(o, 1)));
				to->timezone = arena_strdup(a,
				    json_object_get_string(json_object_array_get_idx(o, 2)));
			}
		}
		json_object_put(locs);
	}
	*out = ps;
	*count = rows.n;
	return CATALOGUE_OK;
}

/* The zone a practitioner's slot is shown in without a patient's zone: its location's (one
 * of theirs), else their own. */
static int
catalogue_slot_zone(const struct catalogue_psychologist *c, const char *own_zone,
    const char *location_id, const struct tz_zone **z)
{
	for (size_t k = 0; k < c->nlocations; k++)
		if (strcmp(c->locations[k].id, location_id) == 0)
			return catalogue_zone(c->locations[k].timezone, z);
	return catalogue_zone(own_zone, z);
}

/* Fills has_next, next and next_zone of ps[0..n) for q's service, from now. */
static int
catalogue_read_next(struct db *db, const struct catalogue_known *k,
    const struct catalogue_psychologists_query *q, tz_instant now,
    struct catalogue_psychologist *ps, size_t n, const char **own_zone, tz_instant *answer_until)
{
	int within = q->available_within_days > 0 ? (int)q->available_within_days :
	    CATALOGUE_NEXT_DAYS_MAX;
	enum booking_session_type st = catalogue_session_type(q->session_type);
	const struct tz_zone *patient = NULL;
	struct booking_next *next = NULL;
	char key[CATALOGUE_CACHE_KEY_SIZE];
	bool keyed;
	const void *hit;
	tz_instant valid;
	size_t nnext = 0, len;
	int rc;

	if (q->tz != NULL && catalogue_zone(q->tz, &patient) != CATALOGUE_OK)
		return CATALOGUE_EINTERNAL;
	/* the answer depends on nothing else: the patient's zone only formats it */
	keyed = catalogue_key_whole(snprintf(key, sizeof key, "next|%s|%s|%d|%d|%s", k->org,
	    q->service_id, within, (int)st, q->location_id != NULL ? q->location_id : ""));
	if (!keyed)
		catalogue_until(answer_until, now);
	if (keyed && (hit = catalogue_cache_get_until(catalogue_answers(), key, k->version, now, &len,
	    &valid)) != NULL) {
		catalogue_until(answer_until, valid);
		nnext = len / sizeof *next;
		if (nnext > 0 && (next = malloc(len)) == NULL)
			return CATALOGUE_EINTERNAL;
		if (nnext > 0)
			memcpy(next, hit, len);
	} else {
		tz_instant until = now + CATALOGUE_CACHE_TTL_S;

		rc = booking_load_next(db, q->service_id, now, within, st, q->location_id, &next, &nnext);
		if (rc != BOOKING_OK) {
			free(next);
			if (rc == BOOKING_EDB)
				return CATALOGUE_EDB;
			log_error("catalogue next available failed", "service %s: %s", q->service_id,
			    booking_strerror(rc));
			return CATALOGUE_EINTERNAL;
		}
		/* a next slot goes when it enters its practitioner's minimum notice */
		for (size_t j = 0; j < nnext; j++)
			if (next[j].found && next[j].start - next[j].min_notice_s < until)
				until = next[j].start - next[j].min_notice_s;
		if (keyed && (rc = catalogue_remember(db, key, k, now, &until, next,
		    nnext * sizeof *next)) != CATALOGUE_OK) {
			free(next);
			return rc;
		}
		catalogue_until(answer_until, until);
	}
	/* next has every practitioner of the service, ps only those the filters kept */
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < nnext && strcmp(next[j].id, ps[i].id) != 0)
			j++;
		if (j == nnext || !next[j].found)
			continue;
		ps[i].has_next = true;
		ps[i].next = next[j];
		if (patient != NULL)
			ps[i].next_zone = patient;
		else if ((rc = catalogue_slot_zone(&ps[i], own_zone[i], next[j].location_id,
		    &ps[i].next_zone)) != CATALOGUE_OK) {
			free(next);
			return rc;
		}
	}
	free(next);
	return CATALOGUE_OK;
}

static int
catalogue_by_soonest(const void *a, const void *b)
{
	const struct catalogue_psychologist *x = a, *y = b;

	if (x->has_next != y->has_next)
		return x->has_next ? -1 : 1;
	if (x->has_next && x->next.start != y->next.start)
		return x->next.start < y->next.start ? -1 : 1;
	return 0;
}

static int
catalogue_by_rating(const void *a, const void *b)
{
	const struct catalogue_psychologist *x = a, *y = b;

	if (x->rating_average != y->rating_average)
		return x->rating_average > y->rating_average ? -1 : 1;
	if (x->rating_count != y->rating_count)
		return x->rating_count > y->rating_count ? -1 : 1;
	return 0;
}

/* A stable sort (insertion: a clinic lists tens of practitioners, and ties keep the
 * clinic's order, which qsort does not promise). */
static void
catalogue_sort(struct catalogue_psychologist *ps, size_t n,
    int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++) {
		struct catalogue_psychologist c = ps[i];
		size_t j = i;

		for (; j > 0 && cmp(&ps[j - 1], &c) > 0; j--)
			ps[j] = ps[j - 1];
		ps[j] = c;
	}
}

static int catalogue_psychologists_of(struct db *db, struct arena *a,
	const struct catalogue_known *known, const struct catalogue_psychologists_query *q,
	tz_instant now, struct catalogue_psychologist **out, size_t *count, tz_instant *until);

int
catalogue_psychologists(struct db *db, struct arena *a,
    const struct catalogue_psychologists_query *q, tz_instant now,
    struct catalogue_psychologist **out, size_t *count, struct input_errors *e)
{
	struct catalogue_window w;

	return catalogue_psychologists_bounded(db, a, q, now, out, count, e, &w);
}

int
catalogue_psychologists_bounded(struct db *db, struct arena *a,
    const struct catalogue_psychologists_query *q, tz_instant now,
    struct catalogue_psychologist **out, size_t *count, struct input_errors *e,
    struct catalogue_window *w)
{
	struct catalogue_known known;
	int rc;

	*out = NULL;
	*count = 0;
	/* first, always: the version and generic plans come with it */
	if ((rc = catalogue_known(db, q->service_id, q->location_id, NULL, &known)) != CATALOGUE_OK)
		return rc;
	if (!catalogue_ids_ok(&known, a, q->service_id, q->location_id, NULL, e))
		return CATALOGUE_EINVALID;
	memcpy(w->org, known.org, sizeof w->org);
	w->version = known.version;
	w->until = now + CATALOGUE_CACHE_TTL_S;
	return catalogue_psychologists_of(db, a, &known, q, now, out, count, &w->until);
}


/* catalogue_psychologists once the ids are known good; *until (may be NULL) is cut to the
 * end of the window the answer holds in. */
static int
catalogue_psychologists_of(struct db *db, struct arena *a, const struct catalogue_known *known,
    const struct catalogue_psychologists_query *q, tz_instant now,
    struct catalogue_psychologist **out, size_t *count, tz_instant *until)
{
	const char *p[8] = { q->service_id, q->q, q->specialty, q->language, q->gender,
		q->location_id, q->telehealth ? "true" : "false", NULL };
	struct catalogue_psychologist *ps;
	const char **own_zone;
	size_t n, kept = 0;
	int rc;

	if ((rc = catalogue_read_practitioners(db, a, known, p, now, &ps, &n, &own_zone, until)) !=
	    CATALOGUE_OK)
		return rc;
	if (q->service_id != NULL && n > 0 &&
	    (rc = catalogue_read_next(db, known, q, now, ps, n, own_zone, until)) != CATALOGUE_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (q->available_within_days <= 0 || ps[i].has_next)
			ps[kept++] = ps[i];
	if (q->sort != NULL && strcmp(q->sort, "soonest") == 0)
		catalogue_sort(ps, kept, catalogue_by_soonest);
	else if (q->sort != NULL && strcmp(q->sort, "rating") == 0)
		catalogue_sort(ps, kept, catalogue_by_rating);
	*out = ps;
	*count = kept;
	return CATALOGUE_OK;
}

/* ---- services ---- */

/* Prices every service of s[0..n) from the rules of funding (and insurer). */
static int
catalogue_price_services(struct db *db, struct arena *a, const struct catalogue_known *known,
    struct catalogue_service *s, size_t n, const struct catalogue_services_query *q, tz_instant now)
{
	const char *funding = q->funding != NULL ? q->funding : "private";
	const char *p[] = { funding, q->insurer };
	enum booking_session_type st = catalogue_session_type(q->session_type);
	struct catalogue_price_rule *rules, *mine;
	struct catalogue_rows rows;
	const char **service_of;
	int rc;

	if ((rc = catalogue_cached_rows(db, a, known, &catalogue_stmt_prices, p, now, &rows, NULL)) !=
	    CATALOGUE_OK)
		return rc;
	rules = arena_calloc(a, rows.n + 1, sizeof *rules);
	mine = arena_calloc(a, rows.n + 1, sizeof *mine);
	service_of = arena_calloc(a, rows.n + 1, sizeof *service_of);
	for (size_t i = 0; i < rows.n; i++) {
		const char **v = &rows.cell[i * rows.cols];
		struct catalogue_price_rule *r = &rules[i];

		service_of[i] = catalogue_cell(v[0]);
		r->location_id = v[1];
		r->session_type = catalogue_session_type(v[2]);
		r->funding = funding;
		r->insurer = v[3];
		r->fee = strtoll(catalogue_cell(v[4]), NULL, 10);
		r->rebate = strtoll(catalogue_cell(v[5]), NULL, 10);
		r->package_sessions = atoi(catalogue_cell(v[6]));
		r->currency = catalogue_cell(v[7]);
	}
	for (size_t k = 0; k < n; k++) {
		/* the rules of this service, then the most specific of them */
		size_t nmine = 0;
		int best;

		for (size_t i = 0; i < rows.n; i++)
			if (strcmp(service_of[i], s[k].id) == 0)
				mine[nmine++] = rules[i];
		best = catalogue_price_pick(mine, nmine, q->location_id, st, funding, q->insurer);
		if (best >= 0)
			catalogue_price_set(&s[k].price, &mine[best], funding);
		catalogue_price_span(mine, nmine, s[k].centres, s[k].ncentres, q->location_id, st,
		    s[k].in_person, s[k].telehealth, funding, q->insurer, &s[k].span);
	}
	return CATALOGUE_OK;
}

int
catalogue_services(struct db *db, struct arena *a, const struct catalogue_services_query *q,
    struct catalogue_service **out, size_t *count, struct input_errors *e)
{
	const char *p[] = { q->session_type, q->location_id, q->concern };
	tz_instant now = clock_now();
	struct catalogue_known known;
	struct catalogue_service *s;
	struct catalogue_rows rows;
	int rc;

	*out = NULL;
	*count = 0;
	/* first, always: the version (the rows are kept under it) */
	if ((rc = catalogue_known(db, NULL, q->location_id, NULL, &known)) != CATALOGUE_OK)
		return rc;
	if (!catalogue_ids_ok(&known, a, NULL, q->location_id, NULL, e))
		return CATALOGUE_EINVALID;
	if ((rc = catalogue_cached_rows(db, a, &known, &catalogue_stmt_services, p, now, &rows, NULL)) !=
	    CATALOGUE_OK)
		return rc;
	s = arena_calloc(a, rows.n + 1, sizeof *s);
	for (size_t i = 0; i < rows.n; i++) {
		const char **v = &rows.cell[i * rows.cols];

		catalogue_copy(s[i].id, sizeof s[i].id, catalogue_cell(v[0]));
		s[i].name = v[1];
		s[i].description = v[2];
		s[i].duration_minutes = atoi(catalogue_cell(v[3]));
		s[i].in_person = catalogue_cell(v[4])[0] == 't';
		s[i].telehealth = catalogue_cell(v[5])[0] == 't';
		s[i].concerns = catalogue_strings(a, catalogue_cell(v[6]), &s[i].nconcerns);
		s[i].centres = catalogue_strings(a, catalogue_cell(v[7]), &s[i].ncentres);
	}
	if (rows.n > 0 && (rc = catalogue_price_services(db, a, &known, s, rows.n, q, now)) !=
	    CATALOGUE_OK)
		return rc;
	*out = s;
	*count = rows.n;
	return CATALOGUE_OK;
}

/* ---- availability ---- */

int64_t
catalogue_day(const char *date)
{
	int y = 0, m = 0, d = 0;

	sscanf(date, "%4d-%2d-%2d", &y, &m, &d);
	return tz_days_from_civil(y, m, d);
}

/* Slots of data for the query's filters over from..to, as catalogue_slots. An answer of
 * more than BOOKING_SLOTS_MAX slots is the asker's range: CATALOGUE_EINVALID, with the
 * problem added to e at from and to. */
static int
catalogue_slots_of(struct arena *a, const struct booking_data *data, int64_t from, int64_t to,
    tz_instant now, enum booking_session_type st, const char *location_id, bool merge_any,
    size_t limit, struct catalogue_slot **out, size_t *count, tz_instant *until,
    struct input_errors *e)
{
	struct booking_query bq = { .duration_s = data->duration_s, .step_s = data->step_s,
		.from_day = from, .to_day = to, .now = now, .session_type = st,
		.location_id = location_id, .merge_any = merge_any };
	struct booking_slots slots;
	struct catalogue_slot *s;
	size_t n;
	int rc;

	*out = NULL;
	*count = 0;
	rc = booking_slots(&bq, data->practitioners, data->count, &slots);
	if (rc == BOOKING_ETOOMANY) {
		booking_slots_free(&slots);
		input_error_add(e, a, "from", CATALOGUE_TOO_MANY_SLOTS);
		input_error_add(e, a, "to", CATALOGUE_TOO_MANY_SLOTS);
		return CATALOGUE_EINVALID;
	}
	if (rc != BOOKING_OK) {
		booking_slots_free(&slots);
		log_error("catalogue slots failed", "%s", booking_strerror(rc));
		return CATALOGUE_EINTERNAL;
	}
	n = slots.count < limit ? slots.count : limit;
	s = arena_calloc(a, n + 1, sizeof *s);
	for (size_t i = 0; i < n; i++) {
		const struct booking_slot *b = &slots.items[i];

		s[i].start = b->start;
		s[i].end = b->end;
		snprintf(s[i].practitioner_id, sizeof s[i].practitioner_id, "%s",
		    data->practitioners[b->practitioner].id);
		snprintf(s[i].location_id, sizeof s[i].location_id, "%s",
		    b->location_id != NULL ? b->location_id : "");
		s[i].session_type = b->session_type;
		s[i].zone = b->zone;
		/* a shown slot goes when it enters its practitioner's minimum notice */
		if (until != NULL && b->start - data->practitioners[b->practitioner].min_notice_s < *until)
			*until = b->start - data->practitioners[b->practitioner].min_notice_s;
	}
	booking_slots_free(&slots);
	*out = s;
	*count = n;
	return CATALOGUE_OK;
}

static int
catalogue_load_error(int rc)
{
	if (rc == BOOKING_EDB)
		return CATALOGUE_EDB;
	log_error("catalogue load failed", "%s", booking_strerror(rc));
	return CATALOGUE_EINTERNAL;
}

/* The zone and the ids of an availability query, checked: CATALOGUE_OK with *zone and *known. */
static int
catalogue_availability_check(struct db *db, struct arena *a,
    const struct catalogue_availability_query *q, const struct tz_zone **zone,
    struct catalogue_known *known, struct input_errors *e)
{
	int rc;

	/* the spec read the zone already; a zone it accepted and tz cannot load is ours */
	if (catalogue_zone(q->tz, zone) != CATALOGUE_OK) {
		input_error_add(e, a, "tz", "Time zone must be a time zone like Australia/Sydney");
		return CATALOGUE_EINVALID;
	}
	if ((rc = catalogue_known(db, q->service_id, q->location_id, q->practitioner_id, known)) !=
	    CATALOGUE_OK)
		return rc;
	if (!catalogue_ids_ok(known, a, q->service_id, q->location_id, q->practitioner_id, e))
		return CATALOGUE_EINVALID;
	return CATALOGUE_OK;
}

/* The slots of a checked query; *answer_until (may be NULL) is cut to the end of the window
 * they hold in. */
static int
catalogue_availability_of(struct db *db, struct arena *a, const struct catalogue_known *known,
    const struct catalogue_availability_query *q, tz_instant now, struct catalogue_slot **out,
    size_t *count, tz_instant *answer_until, struct input_errors *e)
{
	struct booking_data data;
	int64_t from = catalogue_day(q->from), to = catalogue_day(q->to);
	enum booking_session_type st = catalogue_session_type(q->session_type);
	tz_instant until = now + CATALOGUE_CACHE_TTL_S;
	char key[CATALOGUE_CACHE_KEY_SIZE];
	const void *hit;
	bool keyed;
	size_t len;
	int rc;

	*out = NULL;
	*count = 0;
	/* the answer depends on nothing else: the patient's zone only formats it */
	keyed = catalogue_key_whole(snprintf(key, sizeof key, "slots|%s|%s|%s|%s|%s|%d|%s", known->org,
	    q->service_id, q->practitioner_id != NULL ? q->practitioner_id : "",
	    q->from, q->to, (int)st, q->location_id != NULL ? q->location_id : ""));
	if (keyed && (hit = catalogue_cache_get_until(catalogue_answers(), key, known->version, now,
	    &len, &until)) != NULL) {
		*count = len / sizeof **out;
		*out = arena_calloc(a, *count + 1, sizeof **out);
		memcpy(*out, hit, len);
		catalogue_until(answer_until, until);
		return CATALOGUE_OK;
	}
	rc = booking_load(db, q->service_id, q->practitioner_id, from, to, now, &data);
	if (rc != BOOKING_OK) {
		booking_data_free(&data);
		return catalogue_load_error(rc);
	}
	rc = catalogue_slots_of(a, &data, from, to, now, st, q->location_id, q->practitioner_id == NULL,
	    BOOKING_SLOTS_MAX, out, count, &until, e);
	booking_data_free(&data);
	if (rc == CATALOGUE_OK && keyed)
		rc = catalogue_remember(db, key, known, now, &until, *out, *count * sizeof **out);
	catalogue_until(answer_until, keyed ? until : now);
	return rc;
}

int
catalogue_availability(struct db *db, struct arena *a,
    const struct catalogue_availability_query *q, tz_instant now,
    const struct tz_zone **zone, struct catalogue_slot **out, size_t *count,
    struct input_errors *e)
{
	struct catalogue_known known;
	int rc;

	*out = NULL;
	*count = 0;
	if ((rc = catalogue_availability_check(db, a, q, zone, &known, e)) != CATALOGUE_OK)
		return rc;
	return catalogue_availability_of(db, a, &known, q, now, out, count, NULL, e);
}

/* ---- finished answers ---- */

/* How the API writes JSON (http_response_json's flags): a cached text is byte for byte what
 * serialising the model again would give. */
#define CATALOGUE_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* The text under key for version, in a (a NUL-terminated copy of *len bytes), or NULL. */
static const char *
catalogue_text_get(struct arena *a, const char *key, long long version, tz_instant now, size_t *len)
{
	const void *hit = catalogue_cache_get(catalogue_answers(), key, version, now, len);
	char *copy;

	if (hit == NULL)
		return NULL;
	copy = arena_alloc(a, *len + 1);
	memcpy(copy, hit, *len);
	copy[*len] = '\0';
	return copy;
}

/* The text under key, in a (a copy): true on a hit. */
static bool
catalogue_text_hit(struct arena *a, const char *key, const struct catalogue_known *k,
    tz_instant now, const char **json, size_t *len)
{
	return (*json = catalogue_text_get(a, key, k->version, now, len)) != NULL;
}

/* model serialised into a (model consumed), and filed under key until `until` when keyed. */
static void
catalogue_text_file(struct arena *a, const char *key, bool keyed, const struct catalogue_known *k,
    tz_instant now, tz_instant until, struct json_object *model, const char **json, size_t *len)
{
	const char *text = json_object_to_json_string_length(model, CATALOGUE_JSON_FLAGS, len);

	*json = arena_strdup(a, text);
	if (keyed)
		catalogue_cache_put(catalogue_answers(), key, k->version, now, until, *json, *len);
	json_object_put(model);
}

int
catalogue_psychologists_text(struct db *db, struct arena *a,
    const struct catalogue_psychologists_query *q, tz_instant now, const char **json, size_t *len,
    struct input_errors *e)
{
	char key[CATALOGUE_CACHE_KEY_SIZE], within[CATALOGUE_INT_SIZE];
	const char *fields[] = { "psychologists", NULL, q->service_id, q->q, q->specialty,
		q->language, q->gender, q->location_id, q->telehealth ? "t" : "f", within, q->sort,
		q->tz, q->session_type };
	struct catalogue_psychologist *ps;
	struct catalogue_known known;
	tz_instant until = now + CATALOGUE_CACHE_TTL_S;
	size_t n;
	bool keyed;
	int rc;

	*json = NULL;
	*len = 0;
	if ((rc = catalogue_known(db, q->service_id, q->location_id, NULL, &known)) != CATALOGUE_OK)
		return rc;
	if (!catalogue_ids_ok(&known, a, q->service_id, q->location_id, NULL, e))
		return CATALOGUE_EINVALID;
	fields[1] = known.org;
	snprintf(within, sizeof within, "%lld", q->available_within_days);
	keyed = catalogue_key_of(key, fields, sizeof fields / sizeof fields[0]);
	if (keyed && catalogue_text_hit(a, key, &known, now, json, len))
		return CATALOGUE_OK;
	if ((rc = catalogue_psychologists_of(db, a, &known, q, now, &ps, &n, &until)) != CATALOGUE_OK)
		return rc;
	catalogue_text_file(a, key, keyed, &known, now, until, catalogue_psychologists_json(ps, n),
	    json, len);
	return CATALOGUE_OK;
}

int
catalogue_availability_text(struct db *db, struct arena *a,
    const struct catalogue_availability_query *q, tz_instant now, const char **json, size_t *len,
    struct input_errors *e)
{
	char key[CATALOGUE_CACHE_KEY_SIZE];
	const char *fields[] = { "availability", NULL, q->service_id, q->practitioner_id, q->from,
		q->to, q->tz, q->session_type, q->location_id };
	const struct tz_zone *zone;
	struct catalogue_known known;
	struct catalogue_slot *s;
	tz_instant until = now + CATALOGUE_CACHE_TTL_S;
	size_t n;
	bool keyed;
	int rc;

	*json = NULL;
	*len = 0;
	if ((rc = catalogue_availability_check(db, a, q, &zone, &known, e)) != CATALOGUE_OK)
		return rc;
	fields[1] = known.org;
	keyed = catalogue_key_of(key, fields, sizeof fields / sizeof fields[0]);
	if (keyed && catalogue_text_hit(a, key, &known, now, json, len))
		return CATALOGUE_OK;
	if ((rc = catalogue_availability_of(db, a, &known, q, now, &s, &n, &until, e)) != CATALOGUE_OK)
		return rc;
	catalogue_text_file(a, key, keyed, &known, now, until, catalogue_slots_json(zone, s, n), json,
	    len);
	return CATALOGUE_OK;
}

/* ---- what callers build from answers ---- */

int
catalogue_window(struct db *db, const char *service_id, const char *location_id,
    struct catalogue_window *w)
{
	struct catalogue_known known;
	int rc;

	if ((rc = catalogue_known(db, service_id, location_id, NULL, &known)) != CATALOGUE_OK)
		return rc;
	memcpy(w->org, known.org, sizeof w->org);
	w->version = known.version;
	w->until = 0;
	return CATALOGUE_OK;
}

/* A caller's key in the worker's answers: its own, after the organisation. */
static bool
catalogue_kept_key(char key[CATALOGUE_CACHE_KEY_SIZE], const struct catalogue_window *w,
    const char *caller)
{
	const char *fields[] = { "kept", w->org, caller };

	return catalogue_key_of(key, fields, sizeof fields / sizeof fields[0]);
}

void
catalogue_keep(const struct catalogue_window *w, const char *key, tz_instant now, const char *text,
    size_t len)
{
	char k[CATALOGUE_CACHE_KEY_SIZE];

	if (w->until > now && catalogue_kept_key(k, w, key))
		catalogue_cache_put(catalogue_answers(), k, w->version, now, w->until, text, len);
}

const char *
catalogue_kept(struct arena *a, const struct catalogue_window *w, const char *key, tz_instant now,
    size_t *len)
{
	char k[CATALOGUE_CACHE_KEY_SIZE];

	*len = 0;
	return catalogue_kept_key(k, w, key) ? catalogue_text_get(a, k, w->version, now, len) : NULL;
}

const char *
catalogue_kept_bytes(const struct catalogue_window *w, const char *key, tz_instant now,
    size_t *len)
{
	char k[CATALOGUE_CACHE_KEY_SIZE];

	*len = 0;
	return catalogue_kept_key(k, w, key) ?
	    catalogue_cache_get(catalogue_answers(), k, w->version, now, len) : NULL;
}

/* ---- the profile ---- */

int
catalogue_psychologist(struct db *db, struct arena *a, const char *id, const char *service_id,
    tz_instant now, struct catalogue_psychologist *out, struct catalogue_slot **next,
    size_t *nnext, struct input_errors *e)
{
	const char *p[8] = { NULL, NULL, NULL, NULL, NULL, NULL, "false", id };
	struct catalogue_psychologist *ps;
	struct catalogue_known known;
	struct booking_data data;
	char first[BOOKING_ID_SIZE];
	const char **own_zone;
	int64_t today = (now >= 0 ? now : now - (TZ_DAY_SECONDS - 1)) / TZ_DAY_SECONDS;
	size_t n;
	int rc;

	memset(out, 0, sizeof *out);
	*next = NULL;
	*nnext = 0;
	if (id == NULL || !valid_uuid(id))
		return CATALOGUE_ENOTFOUND;
	/* first, always: generic plans come with it */
	if ((rc = catalogue_known(db, service_id, NULL, id, &known)) != CATALOGUE_OK)
		return rc;
	if ((rc = catalogue_read_practitioners(db, a, &known, p, now, &ps, &n, &own_zone, NULL)) !=
	    CATALOGUE_OK)
		return rc;
	if (n != 1)
		return CATALOGUE_ENOTFOUND;
	*out = ps[0];
	if (service_id != NULL) {
		if (!known.service || !known.offers) {
			input_error_add(e, a, "serviceId", known.service ?
			    "Psychologist does not offer this service" :
			    "Service is not one this clinic offers");
			return CATALOGUE_EINVALID;
		}
	} else {
		const char *fp[] = { id };

		PGresult *res;

		if (db_query(db, &catalogue_stmt_first_service, fp, &res) != DB_OK)
			return CATALOGUE_EDB;
		rc = PQntuples(res);
		if (rc == 1)
			db_copy(first, sizeof first, res, 0, 0);
		PQclear(res);
		if (rc != 1)
			return CATALOGUE_OK;	/* they offer nothing bookable: no free times */
		service_id = first;
	}
	/* from yesterday in UTC: a zone east of UTC may already be on today's next date; the
	 * engine drops every start before now plus notice */
	rc = booking_load(db, service_id, id, today - 1, today + CATALOGUE_PROFILE_DAYS, now, &data);
	if (rc != BOOKING_OK) {
		booking_data_free(&data);
		return catalogue_load_error(rc);
	}
	rc = catalogue_slots_of(a, &data, today - 1, today + CATALOGUE_PROFILE_DAYS, now,
	    BOOKING_SESSION_ANY, NULL, false, CATALOGUE_PROFILE_SLOTS, next, nnext, NULL, e);
	booking_data_free(&data);
	return rc;
}
