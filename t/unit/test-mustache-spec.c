/* Runs the mustache spec (the JSON files in shared/conformance/mustache-spec) against
 * the engine: one TAP line per test case, named "<module>: <test name>". Every module
 * runs except ~lambdas, which Kairos does not implement (its data are code, not JSON).
 *
 * Usage: test-mustache-spec [SPEC_DIR]; SPEC_DIR defaults to $MUSTACHE_SPEC_DIR,
 * then ../shared/conformance/mustache-spec (the tests run from the repository root). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* strdup, opendir */
#endif

#include "view/mustache.h"
#include "core/buf.h"
#include "tap.h"

#include <json-c/json.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DEFAULT_SPEC_DIR	/* the build passes the configured MUSTACHE_SPEC_DIR */
#define DEFAULT_SPEC_DIR	"../shared/conformance/mustache-spec"
#endif
#define MAX_FILES		64

struct partial {
	const char			*name;
	size_t				 len;
	struct mustache_template	*tmpl;
};

struct partials {
	struct partial	*v;
	size_t		 n;
};

static const struct mustache_template *
lookup(void *ctx, const char *name, size_t len)
{
	const struct partials *ps = ctx;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->v[i].len == len && memcmp(ps->v[i].name, name, len) == 0)
			return ps->v[i].tmpl;
	return NULL;
}

/* Shows whitespace and control bytes so a diff in a newline is visible. */
static void
show(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c == '\\')
			buf_puts(b, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
}

static void
run_case(const char *module, struct json_object *tc)
{
	struct json_object *jname, *jtmpl, *jdata = NULL, *jexp, *jparts;
	struct mustache_error err;
	struct mustache_template *t;
	struct partials ps = { NULL, 0 };
	struct buf out = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	char msg[600];
	const char *name, *exp;
	size_t explen, i;
	int pass = 0;

	if (!json_object_object_get_ex(tc, "name", &jname) ||
	    !json_object_object_get_ex(tc, "template", &jtmpl) ||
	    !json_object_object_get_ex(tc, "expected", &jexp)) {
		ok(0, "%s: malformed test case", module);
		return;
	}
	json_object_object_get_ex(tc, "data", &jdata);
	name = json_object_get_string(jname);

	if (json_object_object_get_ex(tc, "partials", &jparts) &&
	    json_object_is_type(jparts, json_type_object)) {
		ps.v = calloc((size_t)json_object_object_length(jparts) + 1, sizeof *ps.v);
		json_object_object_foreach(jparts, pname, pval) {
			struct partial *p = &ps.v[ps.n];

			p->name = pname;
			p->len = strlen(pname);
			p->tmpl = mustache_compile(pname, json_object_get_string(pval),
			    (size_t)json_object_get_string_len(pval), &err);
			if (p->tmpl == NULL)
				diag("partial %s: %s", pname,
				    mustache_error_string(&err, msg, sizeof msg));
			ps.n++;
		}
	}

	exp = json_object_get_string(jexp);
	explen = (size_t)json_object_get_string_len(jexp);
	t = mustache_compile(name, json_object_get_string(jtmpl),
	    (size_t)json_object_get_string_len(jtmpl), &err);
	if (t == NULL) {
		ok(0, "%s: %s", module, name);
		diag("compile: %s", mustache_error_string(&err, msg, sizeof msg));
	} else if (mustache_render(t, jdata, lookup, &ps, &out, &err) < 0) {
		ok(0, "%s: %s", module, name);
		diag("render: %s", mustache_error_string(&err, msg, sizeof msg));
	} else {
		pass = out.len == explen && memcmp(buf_cstr(&out), exp, explen) == 0;
		ok(pass, "%s: %s", module, name);
		if (!pass) {
			show(&got, buf_cstr(&out), out.len);
			show(&want, exp, explen);
			diag("got:  \"%s\"", buf_cstr(&got));
			diag("want: \"%s\"", buf_cstr(&want));
		}
	}
	mustache_free(t);
	for (i = 0; i < ps.n; i++)
		mustache_free(ps.v[i].tmpl);
	free(ps.v);
	buf_free(&out);
	buf_free(&got);
	buf_free(&want);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("MUSTACHE_SPEC_DIR");
	char *files[MAX_FILES];
	size_t nfiles = 0, i;
	struct dirent *de;
	DIR *d;

	if (dir == NULL || *dir == '\0')
		dir = DEFAULT_SPEC_DIR;
	if ((d = opendir(dir)) == NULL) {
		printf("Bail out! cannot open mustache spec directory %s\n", dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL && nfiles < MAX_FILES) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 ||
		    strcmp(de->d_name, "~lambdas.json") == 0)
			continue;
		files[nfiles++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(files, nfiles, sizeof *files, cmp_names);

	for (i = 0; i < nfiles; i++) {
		char path[4096], module[256];
		struct json_object *spec, *tests;
		size_t k, n;

		/* "~inheritance.json" is the optional module "inheritance". */
		const char *base = files[i] + (files[i][0] == '~');

		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		snprintf(module, sizeof module, "%.*s", (int)(strlen(base) - 5), base);
		spec = json_object_from_file(path);
		if (json_object_object_get_ex(spec, "tests", &tests) &&
		    json_object_is_type(tests, json_type_array)) {
			n = json_object_array_length(tests);
			for (k = 0; k < n; k++)
				run_case(module, json_object_array_get_idx(tests, k));
		} else
			ok(0, "%s: readable spec file", module);
		json_object_put(spec);
		free(files[i]);
	}
	if (nfiles == 0)
		ok(0, "found spec files in %s", dir);
	return tap_done();
}
