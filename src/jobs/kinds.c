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

/* Calls fn on every kind of modules (test-only ones when test_kinds), in the modules' order,
 * until it returns true; returns that kind, or NULL. */
static const struct jobs_kind *
jobs_kinds_walk_in(const struct jobs_module *const *modules, bool test_kinds,
    bool (*fn)(const struct jobs_kind *k, void *ctx), void *ctx)
{
	for (const struct jobs_module *const *m = modules; *m != NULL; m++)
		for (size_t i = 0; i < (*m)->nkinds; i++) {
			const struct jobs_kind *k = &(*m)->kinds[i];

			if ((test_kinds || !k->test_only) && fn(k, ctx))
				return k;
		}
	return NULL;
}

/* jobs_kinds_walk_in over this build's modules. */
static const struct jobs_kind *
jobs_kinds_walk(bool test_kinds, bool (*fn)(const struct jobs_kind *k, void *ctx), void *ctx)
{
	return jobs_kinds_walk_in(jobs_modules, test_kinds, fn, ctx);
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

static bool
jobs_kinds_count(const struct jobs_kind *k, void *n)
{
	(void)k;
	++*(size_t *)n;
	return false;
}

/* Every kind of modules, the test-only ones too: all are compiled in and share the arrays. */
static size_t
jobs_kinds_registered(const struct jobs_module *const *modules)
{
	size_t n = 0;

	jobs_kinds_walk_in(modules, true, jobs_kinds_count, &n);
	return n;
}

int
jobs_kinds_fit(const struct jobs_module *const *modules, struct buf *why)
{
	size_t n = jobs_kinds_registered(modules);

	if (n <= JOBS_MAX_KINDS)
		return 0;
	buf_printf(why, "%zu job kinds are registered, more than JOBS_MAX_KINDS (%d): the rest"
	    " would never run; raise JOBS_MAX_KINDS (src/jobs/jobs.h)", n, JOBS_MAX_KINDS);
	return -1;
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
jobs_kind_rules(const struct jobs_kind *k, const struct config *cfg, struct jobs_kind *out)
{
	const struct jobs_module *m = jobs_kind_module(k);

	*out = *k;
	if (m != NULL && m->rules != NULL)
		m->rules(cfg, out);
}

int
jobs_kinds_print(bool test_kinds, const struct config *cfg, FILE *out)
{
	const struct jobs_kind *kinds[JOBS_MAX_KINDS];
	size_t n = jobs_kinds(test_kinds, kinds, JOBS_MAX_KINDS);
	struct buf why = BUF_INIT;
	int rc = jobs_kinds_fit(jobs_modules, &why);

	if (rc < 0)
		fprintf(out, "REFUSED: %s; the runner does not start\n", buf_cstr(&why));
	buf_free(&why);
	fprintf(out, "%-24s %-8s %-8s %8s %8s %13s  %s\n", "KIND", "MODULE", "FOR", "ATTEMPTS",
	    "LEASE", "BACKOFF", "ABOUT");
	for (size_t i = 0; i < n; i++) {
		struct jobs_kind k;
		char backoff[32];

		jobs_kind_rules(kinds[i], cfg, &k);	/* the rules the runner uses */
		snprintf(backoff, sizeof backoff, "%ld..%ld s", k.backoff_seconds,
		    k.backoff_max_seconds);
		fprintf(out, "%-24s %-8s %-8s %8d %6d s %13s  %s%s\n", k.name,
		    jobs_kind_module(kinds[i])->name, k.platform ? "platform" : "org", k.max_attempts,
		    k.lease_seconds, backoff, k.about, k.batched ? " (run in batches by its module)" : "");
	}
	return rc;
}

bool
jobs_doctor(const struct config *cfg, struct db *db, FILE *out)
{
	struct buf why = BUF_INIT;
	bool good = jobs_kinds_fit(jobs_modules, &why) == 0;

	(void)cfg;
	(void)db;
	if (good)
		fprintf(out, "✓ job kinds: %zu, at most %d\n", jobs_kinds_registered(jobs_modules),
		    JOBS_MAX_KINDS);
	else
		fprintf(out, "✗ job kinds: %s\n", buf_cstr(&why));
	buf_free(&why);
	return good;
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
