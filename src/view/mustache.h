/* mustache: Kairos's own mustache engine (spec v1.4 without lambdas, with the optional
 * inheritance and dynamic-names modules).
 *
 * A template is parsed once by mustache_compile() into an immutable node array and then
 * rendered any number of times, from any number of places, over a json-c value. Nothing is
 * re-parsed at render time, and rendering allocates nothing of its own beyond growing the
 * caller's output buffer.
 *
 * Partials ({{>name}}) and parents ({{<name}}...{{/name}}) are resolved at render time
 * through a callback that returns an already compiled template, so a registry can compile
 * every file once at start-up and share them; a render asks once per tag. Dynamic names
 * ({{>*field}}) take the name from the data at render time, and are asked each time.
 *
 * Semantics worth knowing (the spec leaves them to the implementation):
 *   - Falsey for sections and inverted sections: a missing name, null, false, 0, 0.0,
 *     NaN, "" and []. Everything else, {} included, is truthy.
 *   - Interpolation: strings as they are; integers in decimal; doubles in the shortest
 *     form that reads back to the same value (1.21 -> "1.21", 2.0 -> "2"); true/false as
 *     "true"/"false"; null and misses as nothing; objects and arrays as compact JSON.
 *   - {{name}} escapes & < > " and ' (as &#39;) through buf_append_html(); {{{name}}} and
 *     {{&name}} do not escape.
 *   - Tag names may not contain whitespace or NUL bytes, and dotted names may not have
 *     empty parts ("a..b"); such a template does not compile rather than render blanks.
 *   - Block overrides are dynamically scoped: the outermost override of a name wins, and
 *     it reaches blocks in the parent's own partials too.
 *   - A standalone partial indents every line of its own source; an inline partial is
 *     not indented (spec). Text that comes from data is never re-indented.
 *
 * Limits are compile-time constants so that every resource a hostile template or data
 * set can claim is bounded; each can be lowered with -D for fuzzing.
 */
#ifndef KAIROS_VIEW_MUSTACHE_H
#define KAIROS_VIEW_MUSTACHE_H

#include <stddef.h>

#include "core/buf.h"

struct json_object;

/* Largest template source mustache_compile() accepts, in bytes. */
#ifndef MUSTACHE_MAX_TEMPLATE_SIZE
#define MUSTACHE_MAX_TEMPLATE_SIZE	(1024 * 1024)
#endif

/* Deepest nesting of sections, inverted sections, parents and blocks inside one
 * template; deeper is a compile error. */
#ifndef MUSTACHE_MAX_NESTING
#define MUSTACHE_MAX_NESTING		64
#endif

/* Longest opening or closing delimiter a set-delimiter tag may choose, in bytes. */
#ifndef MUSTACHE_MAX_DELIM
#define MUSTACHE_MAX_DELIM		16
#endif

/* Deepest chain of partial and parent expansions at render time; a self-recursive
 * partial with data that never ends stops here with an error. */
#ifndef MUSTACHE_MAX_PARTIAL_DEPTH
#define MUSTACHE_MAX_PARTIAL_DEPTH	64
#endif

/* Deepest render-time nesting of sections, partials, parents and block expansions
 * together; bounds the C stack a render can use. */
#ifndef MUSTACHE_MAX_RENDER_DEPTH
#define MUSTACHE_MAX_RENDER_DEPTH	512
#endif

/* Most bytes one render may produce, and most nodes it may visit: together they stop
 * templates whose output or work grows exponentially with partial recursion. */
#ifndef MUSTACHE_MAX_OUTPUT_SIZE
#define MUSTACHE_MAX_OUTPUT_SIZE	(64UL * 1024 * 1024)
#endif
#ifndef MUSTACHE_MAX_RENDER_STEPS
#define MUSTACHE_MAX_RENDER_STEPS	50000000UL
#endif

#define MUSTACHE_ERROR_FILE_MAX		256
#define MUSTACHE_ERROR_MSG_MAX		256

/* Where and why a compile or render failed. `file` is the name given to
 * mustache_compile() for the template at fault (a partial's own name when the fault is
 * in a partial); line and col are 1-based, col counting characters (UTF-8 lead bytes),
 * and are 0 when the error has no position. `message` has no position prefix: see
 * mustache_error_string(). */
struct mustache_error {
	char		file[MUSTACHE_ERROR_FILE_MAX];
	unsigned	line;
	unsigned	col;
	char		message[MUSTACHE_ERROR_MSG_MAX];
};

/* A compiled template: immutable, so one may be rendered concurrently by many threads. */
struct mustache_template;

/* Resolves a partial or parent name to a compiled template, or NULL if there is none
 * (which renders as nothing, as the spec asks). `name` is `len` bytes followed by a NUL;
 * for a dynamic name it comes from the data and may contain anything, NUL bytes, "/" and
 * ".." included, so a resolver that maps names to files must validate it. The returned
 * template stays owned by the resolver and must outlive the render call. A render may
 * ask once for each partial tag of a template and reuse the answer (a partial in a loop
 * is looked up once), so a resolver answers the same name the same way for the length
 * of a render. */
typedef const struct mustache_template *(*mustache_lookup_fn)(void *ctx,
	const char *name, size_t len);

/* Compiles `len` bytes of `src` (which need not be NUL-terminated and may contain NUL
 * bytes). `name` (may be NULL) names the template in error messages, usually its file
 * name; it is copied. Returns a template the caller owns and releases with
 * mustache_free(), or NULL with *err filled (err may be NULL). */
struct mustache_template *mustache_compile(const char *name, const char *src,
	size_t len, struct mustache_error *err);

/* Releases a template; NULL is fine. */
void mustache_free(struct mustache_template *t);

/* The name given to mustache_compile(); owned by t. */
const char *mustache_name(const struct mustache_template *t);

/* Renders t over `data` (NULL is JSON null) and appends the result to `out`. `lookup`
 * may be NULL, when every partial and parent renders as nothing. Returns 0, or -1 with
 * *err filled (err may be NULL) and `out` truncated back to its length on entry, so a
 * half-rendered page never escapes. `data` is only read, except that json-c caches the
 * JSON text of any object or array interpolated with {{name}} inside that object. */
int mustache_render(const struct mustache_template *t, struct json_object *data,
	mustache_lookup_fn lookup, void *lookup_ctx, struct buf *out,
	struct mustache_error *err);

/* Formats err as "file:line:col: message" (or "file: message" without a position) into
 * dst, truncating to size bytes; returns dst. */
const char *mustache_error_string(const struct mustache_error *err, char *dst,
	size_t size);

/* `kairos mustache [--partials DIR] TEMPLATE [DATA.json]`: renders TEMPLATE over the JSON
 * in DATA.json (standard input without it) to standard output. {{>a/b}} is the file
 * DIR/a/b.mustache, DIR defaulting to TEMPLATE's directory; a missing file renders as
 * nothing. argv[0] is "mustache". Returns the exit status: 0, 1 for a bad template, bad
 * data or an I/O error (reported on standard error as file:line:col: message), 2 for a
 * usage error. */
int mustache_cli_main(int argc, char **argv);

#endif
