/* specs.c: the three input specs of the catalogue, shared by the wizard's pages and the
 * JSON API (GET: web_input reads the query string). */
#include "catalogue/catalogue.h"

#include <stdio.h>
#include <string.h>

static const char *const session_types[] = { "in_person", "telehealth", NULL };
static const char *const session_type_labels[] = { "In person", "Telehealth", NULL };
static const char *const fundings[] = { "private", "medicare", "insurer", "concession",
	"package", NULL };
static const char *const funding_labels[] = { "Private", "Medicare rebate", "Private health insurance",
	"Concession", "Package", NULL };
static const char *const genders[] = { "female", "male", "non_binary", "other", NULL };
static const char *const gender_labels[] = { "Female", "Male", "Non-binary", "Other", NULL };
static const char *const sorts[] = { "soonest", "rating", NULL };
static const char *const sort_labels[] = { "Soonest available", "Highest rated", NULL };

#define Q(type, member) offsetof(struct type, member)
/* The fields several specs ask for, each defined once: into query struct `query`, with flags
 * (INPUT_REQUIRED or 0) where one spec needs it and another does not. */
#define SPEC_SERVICE(query, fl) { .name = "serviceId", .label = "Service", .type = INPUT_UUID, \
	.flags = (fl), .offset = Q(query, service_id) }
#define SPEC_LOCATION(query) { .name = "locationId", .label = "Location", .type = INPUT_UUID, \
	.offset = Q(query, location_id) }
#define SPEC_SESSION_TYPE(query) { .name = "sessionType", .label = "Session type", \
	.type = INPUT_ENUM, .choices = session_types, .choice_labels = session_type_labels, \
	.offset = Q(query, session_type) }
#define SPEC_ZONE(query, fl) { .name = "tz", .label = "Time zone", .type = INPUT_ZONE, \
	.flags = (fl), .offset = Q(query, tz) }

static void
services_check(const void *whole, struct arena *a, struct input_errors *e)
{
	const struct catalogue_services_query *q = whole;
	bool insurer = q->funding != NULL && strcmp(q->funding, "insurer") == 0;

	if (insurer && q->insurer == NULL)
		input_error_add(e, a, "insurer", "Choose your insurer");
	else if (!insurer && q->insurer != NULL)
		input_error_add(e, a, "insurer", "An insurer goes with funding \"insurer\" only");
}

static const struct input_field services_fields[] = {
	SPEC_SESSION_TYPE(catalogue_services_query),
	SPEC_LOCATION(catalogue_services_query),
	{ .name = "concern", .label = "Concern", .type = INPUT_TEXT, .max = CATALOGUE_FILTER_MAX,
	  .offset = Q(catalogue_services_query, concern) },
	{ .name = "funding", .label = "Funding", .type = INPUT_ENUM, .choices = fundings,
	  .choice_labels = funding_labels, .offset = Q(catalogue_services_query, funding) },
	{ .name = "insurer", .label = "Insurer", .type = INPUT_TEXT, .max = CATALOGUE_INSURER_MAX,
	  .offset = Q(catalogue_services_query, insurer) },
};
const struct input_spec catalogue_services_spec =
	INPUT_SPEC("services", services_fields, struct catalogue_services_query, services_check);

static void
psychologists_check(const void *whole, struct arena *a, struct input_errors *e)
{
	const struct catalogue_psychologists_query *q = whole;

	if (q->service_id != NULL)
		return;
	/* nextAvailable is a slot of one service: without it there is nothing to compare */
	if (q->available_within_days > 0)
		input_error_add(e, a, "availableWithinDays", "Choose a service to filter by availability");
	if (q->sort != NULL && strcmp(q->sort, "soonest") == 0)
		input_error_add(e, a, "sort", "Choose a service to sort by availability");
}

static const struct input_field psychologists_fields[] = {
	SPEC_SERVICE(catalogue_psychologists_query, 0),
	{ .name = "q", .label = "Name", .type = INPUT_TEXT, .max = CATALOGUE_QUERY_MAX,
	  .offset = Q(catalogue_psychologists_query, q) },
	{ .name = "specialty", .label = "Specialty", .type = INPUT_TEXT, .max = CATALOGUE_FILTER_MAX,
	  .offset = Q(catalogue_psychologists_query, specialty) },
	{ .name = "language", .label = "Language", .type = INPUT_TEXT, .max = CATALOGUE_FILTER_MAX,
	  .offset = Q(catalogue_psychologists_query, language) },
	{ .name = "gender", .label = "Gender", .type = INPUT_ENUM, .choices = genders,
	  .choice_labels = gender_labels, .offset = Q(catalogue_psychologists_query, gender) },
	SPEC_LOCATION(catalogue_psychologists_query),
	{ .name = "telehealth", .label = "Offers telehealth", .type = INPUT_BOOL,
	  .offset = Q(catalogue_psychologists_query, telehealth) },
	{ .name = "availableWithinDays", .label = "Available within (days)", .type = INPUT_INT,
	  .min = 1, .max = CATALOGUE_NEXT_DAYS_MAX, .width = "short",
	  .offset = Q(catalogue_psychologists_query, available_within_days) },
	{ .name = "sort", .label = "Sort by", .type = INPUT_ENUM, .choices = sorts,
	  .choice_labels = sort_labels, .offset = Q(catalogue_psychologists_query, sort) },
	SPEC_ZONE(catalogue_psychologists_query, 0),
	SPEC_SESSION_TYPE(catalogue_psychologists_query),
};
const struct input_spec catalogue_psychologists_spec = INPUT_SPEC("psychologists",
	psychologists_fields, struct catalogue_psychologists_query, psychologists_check);

static void
availability_check(const void *whole, struct arena *a, struct input_errors *e)
{
	const struct catalogue_availability_query *q = whole;
	int64_t from = catalogue_day(q->from), to = catalogue_day(q->to);

	if (to < from)
		input_error_add(e, a, "to", "To must be on or after From");
	else if (to - from + 1 > BOOKING_RANGE_MAX_DAYS) {
		char *why = arena_alloc(a, 64);

		snprintf(why, 64, "To must be at most %d days from From, both included",
		    BOOKING_RANGE_MAX_DAYS);
		input_error_add(e, a, "to", why);
	}
}

static const struct input_field availability_fields[] = {
	{ .name = "practitionerId", .label = "Psychologist", .type = INPUT_UUID,
	  .offset = Q(catalogue_availability_query, practitioner_id) },
	SPEC_SERVICE(catalogue_availability_query, INPUT_REQUIRED),
	{ .name = "from", .label = "From", .type = INPUT_DATE, .flags = INPUT_REQUIRED,
	  .offset = Q(catalogue_availability_query, from) },
	{ .name = "to", .label = "To", .type = INPUT_DATE, .flags = INPUT_REQUIRED,
	  .offset = Q(catalogue_availability_query, to) },
	SPEC_ZONE(catalogue_availability_query, INPUT_REQUIRED),
	SPEC_SESSION_TYPE(catalogue_availability_query),
	SPEC_LOCATION(catalogue_availability_query),
};
const struct input_spec catalogue_availability_spec = INPUT_SPEC("availability",
	availability_fields, struct catalogue_availability_query, availability_check);
