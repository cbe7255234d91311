/* libFuzzer target for the mustache engine.
 *
 * Input: TEMPLATE NUL JSON NUL PARTIAL, any part possibly missing. The partial may hold
 * NUL bytes; the template is also reachable as the partial "t", so recursion through
 * partials and parents is explored. Invalid JSON renders over null.
 *
 * Build (from the repository root; run it with -jobs/-workers of 1 on a 2-core box):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -DMUSTACHE_MAX_RENDER_STEPS=200000 -DMUSTACHE_MAX_OUTPUT_SIZE=1048576 \
 *     -I src src/core/buf.c src/core/arena.c src/core/mem.c src/core/utf8.c src/view/mustache.c \
 *     t/fuzz/fuzz-mustache.c $(pkg-config --cflags --libs json-c) -o /tmp/fuzz-mustache
 *   /tmp/fuzz-mustache -max_total_time=600 -artifact_prefix=/tmp/ /tmp/corpus \
 *     t/fuzz/corpus/mustache
 * The lowered step and output limits keep each input fast; the engine's own defaults
 * apply when t/unit/test-fuzz-replay runs the corpus. */
#include "view/mustache.h"
#include "core/buf.h"

#include <json-c/json.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Deepest JSON the harness builds: json-c's printer recurses on interpolated objects. */
#define FUZZ_JSON_DEPTH	32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
	const struct mustache_template	*self;
	const struct mustache_template	*partial;
};

static const struct mustache_template *
lookup(void *ctx, const char *name, size_t len)
{
	const struct fuzz_ctx *fc = ctx;

	if (len == 1 && name[0] == 't')
		return fc->self;
	return name[len] == '\0' && len > 0 ? fc->partial : NULL;
}

static struct json_object *
parse(const char *s, size_t n)
{
	struct json_tokener *tok = json_tokener_new_ex(FUZZ_JSON_DEPTH);
	struct json_object *v;

	if (tok == NULL)
		return NULL;
	v = json_tokener_parse_ex(tok, s, (int)n);
	if (json_tokener_get_error(tok) == json_tokener_continue)
		v = json_tokener_parse_ex(tok, "", 1);
	json_tokener_free(tok);
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *end = in + size, *json, *part;
	size_t tlen, jlen;
	struct mustache_template *t, *p;
	struct mustache_error err;
	struct fuzz_ctx fc;
	struct json_object *v;
	struct buf out = BUF_INIT, again = BUF_INIT;
	char msg[600];
	int r1, r2;

	if (size > MUSTACHE_MAX_TEMPLATE_SIZE)
		return 0;
	json = memchr(in, '\0', size);
	tlen = json ? (size_t)(json - in) : size;
	json = json ? json + 1 : end;
	part = memchr(json, '\0', (size_t)(end - json));
	jlen = part ? (size_t)(part - json) : (size_t)(end - json);
	part = part ? part + 1 : end;

	t = mustache_compile("t", in, tlen, &err);
	if (t == NULL) {
		mustache_error_string(&err, msg, sizeof msg);
		if (err.line == 0 || err.col == 0 || strlen(err.message) == 0)
			abort();	/* every compile error must have a position */
		return 0;
	}
	p = mustache_compile("p", part, (size_t)(end - part), &err);
	fc.self = t;
	fc.partial = p;
	v = parse(json, jlen);

	/* Rendering is a pure function of its inputs: two renders must agree. */
	r1 = mustache_render(t, v, lookup, &fc, &out, &err);
	if (r1 < 0)
		mustache_error_string(&err, msg, sizeof msg);
	buf_puts(&again, "prefix");
	r2 = mustache_render(t, v, lookup, &fc, &again, &err);
	if (r1 != r2)
		abort();
	if (r1 == 0 && (again.len != out.len + 6 ||
	    memcmp(again.data + 6, buf_cstr(&out), out.len) != 0))
		abort();
	if (r1 < 0 && strcmp(buf_cstr(&again), "prefix") != 0)
		abort();	/* a failed render must leave the buffer as it found it */

	buf_free(&out);
	buf_free(&again);
	json_object_put(v);
	mustache_free(p);
	mustache_free(t);
	return 0;
}
