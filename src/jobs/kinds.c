/* kinds.c: the registry of this build's job kinds. jobs/ owns only the machinery: each module
 * exports its kinds in a struct jobs_module (declared in its own header), and the build's list
 * of modules, jobs_modules (src/settings.c), hands them to jobs/. This file walks that list;
 * it names no module.
 *
 * To add a kind: write its handler in your module (declared in the module's header; it may
 * use only what a job's payload and the database give it), add a row with its rules to your
 * module's struct jobs_module (a new module: list it in jobs_modules), and queue jobs of it
 * with jobs_enqueue in the transaction that asks for the work (docs/jobs.md). */
#include "jobs/jobs.h"

#include <string.h>

/* Calls fn on every kind of the build (test-only ones when test_kinds), in the modules'
 * order, until it returns true; returns that kind, or NULL. */
static const struct jobs_kind *
jobs_kinds_walk(bool test_kinds, bool (*fn)(const struct jobs_kind *k, void *ctx), void *ctx)
{
	for (const struct jobs_module *const *m = jobs_modules; *m != NULL; m++)
		for (size_t i = 0; i < (*m)->nkinds; i++) {
			const struct jobs_kind *k = &(*m)->kinds[i];

			if ((test_kinds || !k->test_only) && fn(k, ctx))
				return k;
		}
	return NULL;
}

struct jobs_kinds_out {
	const struct jobs_kind **out;
	size_t                   n, max;
};

static bool
jobs_kinds_take(const struct jobs_kind *k, void *ctx)
{
	struct jobs_kinds_out *o = ctx;

	if (o->n == o->max)
		return true;	/* full: stop */
	o->out[o->n++] = k;
	return false;
}

size_t
jobs_kinds(bool test_kinds, const struct jobs_kind **out, size_t max)
{
	struct jobs_kinds_out o = { out, 0, max };

	jobs_kinds_walk(test_kinds, jobs_kinds_take, &o);
	return o.n;
}

static bool
jobs_kind_named(const struct jobs_kind *k, void *name)
{
	return k->name != NULL && strcmp(k->name, name) == 0;
}

const struct jobs_kind *
jobs_kind_find(const char *name, bool test_kinds)
{
	return jobs_kinds_walk(test_kinds, jobs_kind_named, (void *)name);
}

const struct jobs_module *
jobs_kind_module(const struct jobs_kind *k)
{
	for (const struct jobs_module *const *m = jobs_modules; *m != NULL; m++)
		if (k >= (*m)->kinds && k < (*m)->kinds + (*m)->nkinds)
			return *m;
	return NULL;
}

void
jobs_kinds_print(bool test_kinds, FILE *out)
{
	const struct jobs_kind *kinds[JOBS_MAX_KINDS];
	size_t n = jobs_kinds(test_kinds, kinds, JOBS_MAX_KINDS);

	fprintf(out, "%-24s %-8s %-8s %8s %8s %13s  %s\n", "KIND", "MODULE", "FOR", "ATTEMPTS",
	    "LEASE", "BACKOFF", "ABOUT");
	for (size_t i = 0; i < n; i++) {
		const struct jobs_kind *k = kinds[i];
		char backoff[32];

		snprintf(backoff, sizeof backoff, "%ld..%ld s", k->backoff_seconds,
		    k->backoff_max_seconds);
		fprintf(out, "%-24s %-8s %-8s %8d %6d s %13s  %s%s\n", k->name,
		    jobs_kind_module(k)->name, k->platform ? "platform" : "org", k->max_attempts,
		    k->lease_seconds, backoff, k->about, k->batched ? " (run in batches by its module)" : "");
	}
}

int
jobs_kind_check(const struct jobs_kind *k, struct buf *why)
{
	size_t len = k->name != NULL ? strlen(k->name) : 0;

	if (len == 0 || len > JOBS_KIND_MAX || k->name[0] < 'a' || k->name[0] > 'z' ||
	    strspn(k->name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != len)
		buf_printf(why, "a kind is 1..%d of [a-z0-9.-], starting with a letter", JOBS_KIND_MAX);
	else if ((k->run == NULL) != k->batched)
		buf_puts(why, k->batched ? "a batched kind's module runs it: no handler" : "no handler");
	else if (k->max_attempts < 1 || k->max_attempts > JOBS_ATTEMPTS_LIMIT)
		buf_printf(why, "max_attempts %d is not 1..%d", k->max_attempts, JOBS_ATTEMPTS_LIMIT);
	else if (k->lease_seconds < 1 || k->lease_seconds > JOBS_LEASE_MAX)
		buf_printf(why, "lease_seconds %d is not 1..%d", k->lease_seconds, JOBS_LEASE_MAX);
	else if (k->backoff_seconds < 1 || k->backoff_max_seconds < k->backoff_seconds)
		buf_printf(why, "backoff %ld..%ld s: want 1 ≤ first ≤ longest", k->backoff_seconds,
		    k->backoff_max_seconds);
	else
		return 0;
	return -1;
}
