/* funnel/funnel.c without a database: visit ids (made and checked), step names, a new
 * event's "no slot" marks, and a slot's local hour and weekday on Melbourne's
 * spring-forward day. */
#include <string.h>

#include "funnel/funnel.h"
#include "tap.h"

int
main(void)
{
	char id[FUNNEL_VISIT_SIZE], other[FUNNEL_VISIT_SIZE];
	struct funnel_event ev = FUNNEL_EVENT(FUNNEL_SLOT);
	const struct tz_zone *mel = NULL;
	struct tz_civil wall = { 2026, 10, 4, 9, 0, 0 };
	tz_instant t = 0;

	ok(funnel_visit_new(id) == 0 && strlen(id) == 32, "a new visit id: 32 characters");
	ok(funnel_visit_valid(id), "... and valid");
	ok(funnel_visit_new(other) == 0 && strcmp(id, other) != 0, "two new ids differ");
	ok(!funnel_visit_valid("0123456789ABCDEF0123456789abcdef"), "upper case: not a visit id");
	ok(!funnel_visit_valid("0123456789abcdef0123456789abcde"), "31 digits: not a visit id");
	ok(!funnel_visit_valid("0123456789abcdef0123456789abcdef0"), "33 digits: not a visit id");
	ok(!funnel_visit_valid("0123456789abcdef0123456789abcdeg"), "a g: not a visit id");
	ok(!funnel_visit_valid(""), "empty: not a visit id");
	ok(!funnel_visit_valid(NULL), "NULL: not a visit id");

	is_str(funnel_step_name(FUNNEL_SERVICE), "service", "step names are migration 0017's");
	is_str(funnel_step_name(FUNNEL_TIME), "time", "... time");
	is_str(funnel_step_name(FUNNEL_CONFIRMED), "confirmed", "... confirmed");
	ok(funnel_step_name((enum funnel_step)99) == NULL, "an unknown step has no name");

	is_int(ev.step, FUNNEL_SLOT, "FUNNEL_EVENT sets the step");
	is_int(ev.slot_hour, -1, "... and no slot hour");
	is_int(ev.slot_weekday, -1, "... nor weekday");
	ok(ev.service_id == NULL && ev.practitioner_id == NULL, "... nor anything chosen");

	ok(tz_load("Australia/Melbourne", &mel) == TZ_OK, "Melbourne loads");
	ok(tz_local_to_utc(mel, &wall, TZ_RULE_FIRST, &t, NULL) == TZ_OK, "09:00 on 4 October 2026");
	ok(funnel_slot(&ev, mel, t) == 0, "a slot's hour and weekday");
	is_int(ev.slot_hour, 9, "... 9, the clinic's wall clock on the change day");
	is_int(ev.slot_weekday, 0, "... Sunday");
	ok(funnel_slot(&ev, mel, t - 10 * 3600) == 0, "ten hours earlier");
	is_int(ev.slot_hour, 22, "... 22 (not 23): the night before, at +10:00, the change took an hour");
	is_int(ev.slot_weekday, 6, "... Saturday");
	return tap_done();
}
