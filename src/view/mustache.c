/* mustache: compile once into a flat node array, render many times over json-c.
 *
 * Compilation has three passes over the source:
 *   1. tokenize: split into text and tags, applying set-delimiter tags as they come,
 *      validating names and pairing every opening tag with its closing tag;
 *   2. standalone: decide which tags stand alone on their line and trim that line's
 *      whitespace and newline from the neighbouring text;
 *   3. build: emit nodes in pre-order into one array (each node knows the index of its
 *      next sibling, so a section's children are the nodes up to that index), copying
 *      text, names and indentation into one string pool, splitting dotted names into
 *      parts hashed the way json-c hashes keys.
 *
 * Indentation of standalone partials is applied at render time, because a compiled
 * partial is shared by every place that includes it: each node remembers whether it
 * begins a source line, a text node where the lines inside it begin, and the renderer
 * keeps a stack of indentation strings to write there. Standalone blocks ({{$name}})
 * are re-indented the way the inheritance spec asks: their common leading whitespace
 * is stripped at compile time and the indentation of the block at the place it is
 * expanded is written back at render time. */
#include "view/mustache.h"

#include "core/buf.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <json-c/json.h>
#include <json-c/linkhash.h>

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Node types of a compiled template. */
enum {
	M_TEXT,
	M_VAR,		/* {{name}}: escaped */
	M_RAW,		/* {{{name}}} and {{&name}} */
	M_SECTION,
	M_INVERTED,
	M_PARTIAL,
	M_PARENT,	/* children are its block overrides, nothing else */
	M_BLOCK
};

#define MF_BOL		0x01	/* begins a source line: indentation goes before it */
#define MF_STANDALONE	0x02	/* partial, parent or block alone on its line: indent it */
#define MF_DYNAMIC	0x04	/* partial or parent name comes from the data */
#define MF_BLANK	0x08	/* text whose first line is empty: never indented */

struct mnode {
	uint8_t		type;
	uint8_t		flags;
	uint32_t	next;		/* index of the next sibling */
	uint32_t	line, col;	/* of the tag, for render errors */
	uint32_t	off, len;	/* text, or static partial/parent/block name, in pool */
	uint32_t	ioff, ilen;	/* indentation in pool, when MF_STANDALONE */
	uint32_t	nkids;		/* sections and blocks: nodes at the top level of
					 * their content, the render steps it costs */
	union {
		struct {	/* names: parts[part..]; nparts 0 is "." */
			uint32_t	part, nparts;
		};
		struct {	/* text: the lines inside it that indentation precedes
				 * start at offsets brks[brk..], so a render need not
				 * search for them */
			uint32_t	brk, nbrk;
		};
	};
};

/* Text from the pool and the flattened indentation is copied in whole blocks of
 * OUT_PAD bytes, which may read and write up to OUT_PAD - 1 bytes past a piece: the pool
 * and the indentation carry that much padding, and the output that much spare room. A
 * piece then costs one or two block copies instead of a chain of length tests. */
#define OUT_PAD		16

/* Name parts whose table slot a render remembers (a power of two; see get_key()). */
#define KEY_HINTS	128

/* One part of a dotted name, hashed the way json-c hashes object keys, so a lookup
 * skips straight to probing the object's table. */
struct mpart {
	unsigned long	hash;
	uint32_t	hint;	/* its slot in a render's hints (see get_key()) */
	union {
		uint32_t	 off;	/* the NUL-terminated key in pool, while compiling */
		const char	*key;	/* pool + off, once the pool is final */
	};
};

struct mustache_template {
	char		*name;
	struct mnode	*nodes;
	uint32_t	 nnodes;
	char		*pool;		/* every string is followed by a NUL */
	struct mpart	*parts;
	uint32_t	*brks;
	uint32_t	 nroot;		/* nodes at the top level */
	/* json-c's key hash when the hashes were taken, or NULL when probe_table() cannot
	 * be trusted: a table that hashes otherwise is searched the ordinary way */
	lh_hash_fn	*hash_fn;
};

/* ---- errors ---------------------------------------------------------------------- */

static void set_error(struct mustache_error *, const char *, unsigned, unsigned,
	const char *, ...) __attribute__((format(printf, 5, 6)));

static void
set_error(struct mustache_error *err, const char *file, unsigned line, unsigned col,
	const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	snprintf(err->file, sizeof err->file, "%s", file);
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

const char *
mustache_error_string(const struct mustache_error *err, char *dst, size_t size)
{
	if (size == 0)
		return dst;
	if (err->line)
		snprintf(dst, size, "%s:%u:%u: %s", err->file, err->line, err->col,
		    err->message);
	else
		snprintf(dst, size, "%s: %s", err->file, err->message);
	return dst;
}

/* Copies a name from the template or the data into a message: bounded, and with
 * control bytes and invalid UTF-8 escaped so a message is always printable text. */
#define QUOTE_MAX	48

static const char *
quote(char *dst, size_t size, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0;

	while (i < n && i < QUOTE_MAX && o + 8 < size) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		if (c >= 0x80 && (k = utf8_sequence_length(s + i, n - i)) > 0) {
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '\'') {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else
			dst[o++] = (char)c;
		i++;
	}
	if (i < n && o + 4 <= size) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

/* ---- compilation ----------------------------------------------------------------- */

enum {
	T_TEXT,
	T_VAR,
	T_RAW,
	T_SECTION,
	T_INVERTED,
	T_CLOSE,
	T_COMMENT,
	T_DELIM,
	T_PARTIAL,
	T_PARENT,
	T_BLOCK
};

#define TF_DYNAMIC	0x01
#define TF_ALONE	0x02	/* standalone: its whole line goes */
#define TF_PAIRLINE	0x04	/* {{$b}}{{/b}} alone on a line: indentation goes, newline stays */

struct tok {
	uint32_t	start, end;	/* source extent; text shrinks in the standalone pass */
	uint32_t	nstart, nlen;	/* the name, trimmed, without a dynamic '*' */
	uint32_t	match;		/* opening <-> closing tag */
	uint32_t	ls, ie;		/* standalone: the line's leading whitespace */
	uint8_t		kind;
	uint8_t		flags;
};

/* A whitespace prefix to remove from, or add to, the start of lines. */
struct ws {
	const char	*p;
	uint32_t	 n;
};

struct cstate {
	const char		*src;
	uint32_t		 len;
	const char		*file;
	struct mustache_error	*err;

	struct tok		*toks;
	uint32_t		 ntoks, captoks;

	struct mnode		*nodes;
	uint32_t		 nnodes, capnodes;
	struct buf		 pool;
	struct mpart		*parts;
	uint32_t		 nparts, capparts;
	uint32_t		*brks;
	uint32_t		 nbrks, capbrks;

	uint32_t		 bol_at;	/* a node starting here begins a line */
	uint32_t		 lc_pos, lc_line, lc_col;	/* line/column cursor */
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool
is_hs(char c)
{
	return c == ' ' || c == '\t';
}

/* Does s (before e) start a line with no text, which indentation does not precede? */
static bool
empty_line(const char *s, const char *e)
{
	return s == e || s[0] == '\n' || (s[0] == '\r' && s + 1 < e && s[1] == '\n');
}

/* Advances the cursor to pos; positions come in source order, so the whole build
 * costs one pass over the source. */
static void
linecol(struct cstate *cs, uint32_t pos, unsigned *line, unsigned *col)
{
	if (pos < cs->lc_pos) {
		cs->lc_pos = 0;
		cs->lc_line = cs->lc_col = 1;
	}
	for (; cs->lc_pos < pos; cs->lc_pos++) {
		unsigned char c = (unsigned char)cs->src[cs->lc_pos];

		if (c == '\n') {
			cs->lc_line++;
			cs->lc_col = 1;
		} else if ((c & 0xc0) != 0x80)
			cs->lc_col++;
	}
	*line = cs->lc_line;
	*col = cs->lc_col;
}

static int cerror(struct cstate *, uint32_t, const char *, ...)
	__attribute__((format(printf, 3, 4)));

static int
cerror(struct cstate *cs, uint32_t pos, const char *fmt, ...)
{
	char msg[MUSTACHE_ERROR_MSG_MAX];
	unsigned line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cs->lc_pos = 0;
	cs->lc_line = cs->lc_col = 1;
	linecol(cs, pos, &line, &col);
	set_error(cs->err, cs->file, line, col, "%s", msg);
	return -1;
}

static const char *
find(const char *h, size_t hn, const char *needle, size_t nn)
{
	const char *p = h, *last;

	if (hn < nn)
		return NULL;
	last = h + (hn - nn);
	while (p <= last) {
		p = memchr(p, needle[0], (size_t)(last - p) + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle, nn) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Array a of n items of size bytes, with room for one more: its capacity *cap doubles,
 * from first. Returns the array, perhaps moved. */
static void *
grow(void *a, uint32_t n, uint32_t *cap, size_t size, uint32_t first)
{
	if (n < *cap)
		return a;
	*cap = *cap ? *cap * 2 : first;
	return xrealloc(a, *cap * size);
}

static uint32_t
push_tok(struct cstate *cs, uint8_t kind, uint32_t start, uint32_t end)
{
	struct tok *t;

	cs->toks = grow(cs->toks, cs->ntoks, &cs->captoks, sizeof *cs->toks, 64);
	t = &cs->toks[cs->ntoks];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->start = start;
	t->end = end;
	return cs->ntoks++;
}

/* A name for partials, parents and blocks: any run of non-whitespace. */
static bool
valid_name(const char *s, uint32_t n)
{
	uint32_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (is_ws(s[i]) || s[i] == '\0')
			return false;
	return true;
}

/* A name looked up in the data: "." or dot-separated non-empty parts. */
static bool
valid_dotted(const char *s, uint32_t n)
{
	uint32_t i;

	if (!valid_name(s, n))
		return false;
	if (n == 1 && s[0] == '.')
		return true;
	if (s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return false;
	return true;
}

/* Closing tags repeat the opening tag's content: compare "*name" and "name" forms. */
static char
key_char(const struct cstate *cs, const struct tok *t, uint32_t i)
{
	if (t->flags & TF_DYNAMIC)
		return i == 0 ? '*' : cs->src[t->nstart + i - 1];
	return cs->src[t->nstart + i];
}

static bool
same_key(const struct cstate *cs, const struct tok *a, const struct tok *b)
{
	uint32_t an = a->nlen + (a->flags & TF_DYNAMIC ? 1 : 0);
	uint32_t bn = b->nlen + (b->flags & TF_DYNAMIC ? 1 : 0);
	uint32_t i;

	if (an != bn)
		return false;
	for (i = 0; i < an; i++)
		if (key_char(cs, a, i) != key_char(cs, b, i))
			return false;
	return true;
}

static const char *
kind_name(uint8_t kind)
{
	switch (kind) {
	case T_INVERTED:	return "inverted section";
	case T_PARENT:		return "parent";
	case T_BLOCK:		return "block";
	default:		return "section";
	}
}

static int
tokenize(struct cstate *cs)
{
	const char *src = cs->src;
	uint32_t len = cs->len, pos = 0, stack[MUSTACHE_MAX_NESTING];
	char otag[MUSTACHE_MAX_DELIM], ctag[MUSTACHE_MAX_DELIM];
	size_t olen = 2, clen = 2;
	unsigned depth = 0;
	char q[4 * QUOTE_MAX + 8], q2[4 * QUOTE_MAX + 8];

	memcpy(otag, "{{", 2);
	memcpy(ctag, "}}", 2);
	while (pos < len) {
		const char *o, *c;
		char closer[MUSTACHE_MAX_DELIM + 1];
		size_t cn = 0;
		uint32_t ts, p, ce, a, b, i;
		uint8_t kind = T_VAR, flags = 0;
		struct tok *t;
		bool dotted;

		o = find(src + pos, len - pos, otag, olen);
		if (o == NULL) {
			push_tok(cs, T_TEXT, pos, len);
			break;
		}
		ts = (uint32_t)(o - src);
		if (ts > pos)
			push_tok(cs, T_TEXT, pos, ts);
		p = ts + (uint32_t)olen;
		if (p < len) {
			switch (src[p]) {
			case '{': kind = T_RAW; closer[cn++] = '}'; break;
			case '&': kind = T_RAW; break;
			case '#': kind = T_SECTION; break;
			case '^': kind = T_INVERTED; break;
			case '/': kind = T_CLOSE; break;
			case '!': kind = T_COMMENT; break;
			case '=': kind = T_DELIM; closer[cn++] = '='; break;
			case '>': kind = T_PARTIAL; break;
			case '<': kind = T_PARENT; break;
			case '$': kind = T_BLOCK; break;
			default: break;
			}
			if (kind != T_VAR)
				p++;
		}
		memcpy(closer + cn, ctag, clen);
		cn += clen;
		c = find(src + p, len - p, closer, cn);
		if (c == NULL)
			return cerror(cs, ts, "unclosed tag: no '%s' after '%s'",
			    quote(q, sizeof q, closer, cn), quote(q2, sizeof q2, otag, olen));
		ce = (uint32_t)(c - src);
		pos = ce + (uint32_t)cn;
		a = p;
		b = ce;
		while (a < b && is_ws(src[a]))
			a++;
		while (b > a && is_ws(src[b - 1]))
			b--;

		if (kind == T_COMMENT) {
			push_tok(cs, T_COMMENT, ts, pos);
			continue;
		}
		if (kind == T_DELIM) {
			uint32_t o1 = a, o2, c1, c2;

			while (a < b && !is_ws(src[a]))
				a++;
			o2 = a;
			while (a < b && is_ws(src[a]))
				a++;
			c1 = a;
			while (a < b && !is_ws(src[a]))
				a++;
			c2 = a;
			if (o2 == o1 || c2 == c1 || c2 != b ||
			    o2 - o1 > MUSTACHE_MAX_DELIM || c2 - c1 > MUSTACHE_MAX_DELIM ||
			    memchr(src + o1, '=', o2 - o1) || memchr(src + c1, '=', c2 - c1) ||
			    memchr(src + o1, '\0', o2 - o1) || memchr(src + c1, '\0', c2 - c1))
				return cerror(cs, ts, "bad set-delimiter tag: want two "
				    "delimiters of 1 to %d characters, without '=' or "
				    "whitespace, as in {{=<%% %%>=}}", MUSTACHE_MAX_DELIM);
			olen = o2 - o1;
			memcpy(otag, src + o1, olen);
			clen = c2 - c1;
			memcpy(ctag, src + c1, clen);
			push_tok(cs, T_DELIM, ts, pos);
			continue;
		}
		if ((kind == T_PARTIAL || kind == T_PARENT || kind == T_CLOSE) &&
		    a < b && src[a] == '*') {
			flags |= TF_DYNAMIC;
			a++;
			while (a < b && is_ws(src[a]))
				a++;
		}
		if (a == b)
			return cerror(cs, ts, "empty tag name");
		dotted = kind == T_VAR || kind == T_RAW || kind == T_SECTION ||
		    kind == T_INVERTED || (flags & TF_DYNAMIC);
		if (!(dotted ? valid_dotted(src + a, b - a) : valid_name(src + a, b - a)))
			return cerror(cs, ts, "invalid tag name '%s'",
			    quote(q, sizeof q, src + a, b - a));

		i = push_tok(cs, kind, ts, pos);
		t = &cs->toks[i];
		t->flags = flags;
		t->nstart = a;
		t->nlen = b - a;
		if (kind == T_SECTION || kind == T_INVERTED || kind == T_PARENT ||
		    kind == T_BLOCK) {
			if (depth == MUSTACHE_MAX_NESTING)
				return cerror(cs, ts, "sections nested deeper than %d levels",
				    MUSTACHE_MAX_NESTING);
			stack[depth++] = i;
		} else if (kind == T_CLOSE) {
			struct tok *open;

			if (depth == 0)
				return cerror(cs, ts, "closing tag '%s' without an open section",
				    quote(q, sizeof q, src + a, b - a));
			open = &cs->toks[stack[depth - 1]];
			if (!same_key(cs, open, t)) {
				unsigned line, col;

				cs->lc_pos = 0;
				cs->lc_line = cs->lc_col = 1;
				linecol(cs, open->start, &line, &col);
				return cerror(cs, ts, "closing tag '%s%s' does not match %s "
				    "'%s%s' opened at %u:%u",
				    flags & TF_DYNAMIC ? "*" : "",
				    quote(q, sizeof q, src + a, b - a), kind_name(open->kind),
				    open->flags & TF_DYNAMIC ? "*" : "",
				    quote(q2, sizeof q2, src + open->nstart, open->nlen),
				    line, col);
			}
			open->match = i;
			t->match = stack[--depth];
		}
	}
	if (depth > 0) {
		const struct tok *open = &cs->toks[stack[depth - 1]];

		return cerror(cs, open->start, "unclosed %s '%s%s'", kind_name(open->kind),
		    open->flags & TF_DYNAMIC ? "*" : "",
		    quote(q, sizeof q, src + open->nstart, open->nlen));
	}
	return 0;
}

/* Tags that render nothing where they stand may stand alone on a line. */
static bool
may_stand_alone(uint8_t kind)
{
	return kind != T_TEXT && kind != T_VAR && kind != T_RAW;
}

/* Is [ls, start) the whitespace from a line start to the tag? */
static bool
alone_before(const struct cstate *cs, uint32_t start, uint32_t *ls)
{
	uint32_t p = start;

	while (p > 0 && is_hs(cs->src[p - 1]))
		p--;
	*ls = p;
	return p == 0 || cs->src[p - 1] == '\n';
}

/* Is there only whitespace from the tag to the end of its line? *nl is where the
 * line break (or the end) starts, *le where the next line starts. */
static bool
alone_after(const struct cstate *cs, uint32_t end, uint32_t *nl, uint32_t *le)
{
	uint32_t p = end;

	while (p < cs->len && is_hs(cs->src[p]))
		p++;
	*nl = p;
	if (p == cs->len) {
		*le = p;
		return true;
	}
	if (cs->src[p] == '\n') {
		*le = p + 1;
		return true;
	}
	if (cs->src[p] == '\r' && p + 1 < cs->len && cs->src[p + 1] == '\n') {
		*le = p + 2;
		return true;
	}
	return false;
}

static void
trim_before(struct cstate *cs, uint32_t i, uint32_t ls)
{
	struct tok *t;

	if (i == 0 || (t = &cs->toks[i - 1])->kind != T_TEXT)
		return;
	t->end = ls > t->start ? ls : t->start;
}

static void
trim_after(struct cstate *cs, uint32_t j, uint32_t to)
{
	struct tok *t;

	if (j + 1 >= cs->ntoks || (t = &cs->toks[j + 1])->kind != T_TEXT)
		return;
	t->start = to < t->end ? to : t->end;
}

/* Tags alone on their line vanish with the line. Parent and block tags also pair up the
 * way the inheritance spec's examples need: {{<p}}{{$b}}, {{/b}}{{/p}} and
 * {{<p}}{{/p}} vanish with their line like one tag, and {{$b}}{{/b}} gives up its
 * indentation (which it then applies to its content) but keeps its newline. */
static void
standalone(struct cstate *cs)
{
	uint32_t i, j, ls, nl, le;

	for (i = 0; i < cs->ntoks; i++) {
		struct tok *t = &cs->toks[i], *u;

		if (!may_stand_alone(t->kind) || (t->flags & (TF_ALONE | TF_PAIRLINE)))
			continue;
		if (!alone_before(cs, t->start, &ls))
			continue;
		if (alone_after(cs, t->end, &nl, &le)) {
			t->flags |= TF_ALONE;
			t->ls = ls;
			t->ie = t->start;
			trim_before(cs, i, ls);
			trim_after(cs, i, le);
			continue;
		}
		j = i + 1;
		if (j < cs->ntoks && cs->toks[j].kind == T_TEXT) {
			const struct tok *m = &cs->toks[j];
			uint32_t k;

			for (k = m->start; k < m->end && is_hs(cs->src[k]); k++)
				;
			if (k < m->end)
				continue;
			j++;
		}
		if (j >= cs->ntoks || !may_stand_alone(cs->toks[j].kind))
			continue;
		u = &cs->toks[j];
		if (!alone_after(cs, u->end, &nl, &le))
			continue;
		if ((t->kind == T_PARENT && ((u->kind == T_BLOCK && j < t->match) ||
		    j == t->match)) ||
		    (t->kind == T_CLOSE && cs->toks[t->match].kind == T_BLOCK &&
		    u->kind == T_CLOSE && cs->toks[u->match].kind == T_PARENT)) {
			t->flags |= TF_ALONE;
			u->flags |= TF_ALONE;
			t->ls = u->ls = ls;
			t->ie = u->ie = t->start;
			trim_before(cs, i, ls);
			if (j == i + 2)
				cs->toks[i + 1].end = cs->toks[i + 1].start;
			trim_after(cs, j, le);
		} else if (t->kind == T_BLOCK && j == t->match && j == i + 1) {
			t->flags |= TF_PAIRLINE;
			u->flags |= TF_PAIRLINE;
			t->ls = ls;
			t->ie = t->start;
			trim_before(cs, i, ls);
			trim_after(cs, j, nl);
		}
	}
}

/* ---- build ---- */

static uint32_t
pool_add(struct cstate *cs, const char *s, size_t n)
{
	uint32_t off = (uint32_t)cs->pool.len;

	buf_append(&cs->pool, s, n);
	buf_putc(&cs->pool, '\0');
	return off;
}

static uint32_t
new_node(struct cstate *cs, uint8_t type, uint32_t pos)
{
	struct mnode *n;
	unsigned line, col;

	cs->nodes = grow(cs->nodes, cs->nnodes, &cs->capnodes, sizeof *cs->nodes, 32);
	n = &cs->nodes[cs->nnodes];
	memset(n, 0, sizeof *n);
	n->type = type;
	linecol(cs, pos, &line, &col);
	n->line = line;
	n->col = col;
	n->next = cs->nnodes + 1;
	return cs->nnodes++;
}

static bool
tag_bol(const struct cstate *cs, const struct tok *t)
{
	return t->start == 0 || cs->src[t->start - 1] == '\n' || cs->bol_at == t->start;
}

/* Splits a dotted name into NUL-terminated parts once, so a render only walks them. */
static void
add_dotted(struct cstate *cs, uint32_t k, const struct tok *t)
{
	const char *s = cs->src + t->nstart;
	uint32_t n = t->nlen, i = 0, first = cs->nparts;

	if (n == 1 && s[0] == '.') {
		cs->nodes[k].part = first;
		cs->nodes[k].nparts = 0;
		return;
	}
	while (i < n) {
		uint32_t j = i;

		while (j < n && s[j] != '.')
			j++;
		cs->parts = grow(cs->parts, cs->nparts, &cs->capparts, sizeof *cs->parts, 32);
		cs->parts[cs->nparts].hash = 0;
		cs->parts[cs->nparts++].off = pool_add(cs, s + i, j - i);
		i = j + 1;
	}
	cs->nodes[k].part = first;
	cs->nodes[k].nparts = cs->nparts - first;
}

static void
add_name(struct cstate *cs, uint32_t k, const struct tok *t)
{
	if (t->flags & TF_DYNAMIC) {
		cs->nodes[k].flags |= MF_DYNAMIC;
		add_dotted(cs, k, t);
	} else {
		cs->nodes[k].off = pool_add(cs, cs->src + t->nstart, t->nlen);
		cs->nodes[k].len = t->nlen;
	}
}

/* The part of w beyond the prefix s that enclosing blocks strip. */
static struct ws
relative(struct ws w, struct ws s)
{
	struct ws r = { w.p, 0 };

	if (w.n >= s.n && memcmp(w.p, s.p, s.n) == 0) {
		r.p = w.p + s.n;
		r.n = w.n - s.n;
	}
	return r;
}

static void
set_indent(struct cstate *cs, uint32_t k, struct ws w)
{
	cs->nodes[k].flags |= MF_STANDALONE;
	cs->nodes[k].ioff = pool_add(cs, w.p, w.n);
	cs->nodes[k].ilen = w.n;
}

/* Text, minus the prefix s at the start of each line. */
static void
emit_text(struct cstate *cs, uint32_t a, uint32_t b, struct ws s)
{
	const char *src = cs->src;
	bool bol = a == 0 || src[a - 1] == '\n' || cs->bol_at == a;
	bool at_line = bol;
	uint32_t off = (uint32_t)cs->pool.len, p = a, k;

	while (p < b) {
		const char *nl;
		uint32_t q;

		if (at_line && s.n) {
			for (k = 0; k < s.n && p + k < b && src[p + k] == s.p[k]; k++)
				;
			p += k;
			if (p == b) {
				cs->bol_at = b;	/* the tag that follows begins the line */
				break;
			}
		}
		nl = memchr(src + p, '\n', b - p);
		q = nl ? (uint32_t)(nl - src) + 1 : b;
		buf_append(&cs->pool, src + p, q - p);
		p = q;
		at_line = true;
	}
	if (cs->pool.len > off) {
		uint32_t n = new_node(cs, M_TEXT, a), len = (uint32_t)cs->pool.len - off;
		const char *txt = cs->pool.data + off, *nl;

		cs->nodes[n].off = off;
		cs->nodes[n].len = len;
		cs->nodes[n].flags = (bol ? MF_BOL : 0) |
		    (empty_line(txt, txt + len) ? MF_BLANK : 0);
		cs->nodes[n].brk = cs->nbrks;
		for (nl = txt; (nl = memchr(nl, '\n', len - (size_t)(nl - txt))) != NULL; nl++)
			if (!empty_line(nl + 1, txt + len)) {
				cs->brks = grow(cs->brks, cs->nbrks, &cs->capbrks, sizeof *cs->brks,
				    32);
				cs->brks[cs->nbrks++] = (uint32_t)(nl + 1 - txt);
			}
		cs->nodes[n].nbrk = cs->nbrks - cs->nodes[n].brk;
		buf_putc(&cs->pool, '\0');
	}
}

struct lcp {
	bool		 any;
	const char	*p;
	uint32_t	 n;
};

static void
lcp_add(struct lcp *l, const char *p, uint32_t n)
{
	uint32_t k;

	if (!l->any) {
		l->any = true;
		l->p = p;
		l->n = n;
		return;
	}
	for (k = 0; k < l->n && k < n && l->p[k] == p[k]; k++)
		;
	l->n = k;
}

/* Collects the common leading whitespace of the lines a block's content renders,
 * skipping blank lines and what a parent tag ignores, as build() does. */
static void
scan_lines(struct cstate *cs, uint32_t from, uint32_t to, bool in_parent, struct lcp *l)
{
	const char *src = cs->src;
	uint32_t j;

	for (j = from; j < to; j++) {
		const struct tok *t = &cs->toks[j];

		if (t->kind == T_TEXT) {
			uint32_t p = t->start, b = t->end, w;
			bool at_line = p == 0 || src[p - 1] == '\n';

			if (in_parent)
				continue;
			while (p < b) {
				const char *nl;

				if (at_line) {
					for (w = 0; p + w < b && is_hs(src[p + w]); w++)
						;
					if (p + w == b) {
						if (j + 1 < to)
							lcp_add(l, src + p, w);
					} else if (src[p + w] != '\n' && !(src[p + w] == '\r' &&
					    p + w + 1 < b && src[p + w + 1] == '\n'))
						lcp_add(l, src + p, w);
				}
				nl = memchr(src + p, '\n', b - p);
				if (nl == NULL)
					break;
				p = (uint32_t)(nl - src) + 1;
				at_line = true;
			}
			continue;
		}
		if (in_parent && t->kind != T_BLOCK) {
			if (t->kind == T_SECTION || t->kind == T_INVERTED || t->kind == T_PARENT)
				j = t->match;
			continue;
		}
		if (!(t->flags & (TF_ALONE | TF_PAIRLINE)) &&
		    (t->start == 0 || src[t->start - 1] == '\n'))
			lcp_add(l, src + t->start, 0);
		if (t->kind == T_PARENT) {
			scan_lines(cs, j + 1, t->match, true, l);
			j = t->match;
		} else if (t->kind == T_BLOCK) {
			scan_lines(cs, j + 1, t->match, false, l);
			j = t->match;
		}
	}
}

/* The nodes at the top level of [first, end): what rendering them costs in render
 * steps. */
static uint32_t
count_kids(const struct cstate *cs, uint32_t first, uint32_t end)
{
	uint32_t i, k = 0;

	for (i = first; i < end; i = cs->nodes[i].next)
		k++;
	return k;
}

/* Emits tokens [from, to) as nodes. s is the whitespace the innermost standalone
 * block strips from each line; in_parent says we are directly inside a parent tag,
 * where only blocks count. */
static void
build(struct cstate *cs, uint32_t from, uint32_t to, struct ws s, bool in_parent)
{
	uint32_t i, k;

	for (i = from; i < to; i++) {
		struct tok *t = &cs->toks[i];
		struct ws tagws = { cs->src + t->ls, t->ie - t->ls };
		uint8_t type;

		switch (t->kind) {
		case T_TEXT:
			if (!in_parent && t->start < t->end)
				emit_text(cs, t->start, t->end, s);
			break;
		case T_VAR:
		case T_RAW:
			if (in_parent)
				break;
			k = new_node(cs, t->kind == T_VAR ? M_VAR : M_RAW, t->start);
			if (tag_bol(cs, t))
				cs->nodes[k].flags |= MF_BOL;
			add_dotted(cs, k, t);
			break;
		case T_SECTION:
		case T_INVERTED:
			if (in_parent) {
				i = t->match;
				break;
			}
			k = new_node(cs, t->kind == T_SECTION ? M_SECTION : M_INVERTED, t->start);
			if (!(t->flags & TF_ALONE) && tag_bol(cs, t))
				cs->nodes[k].flags |= MF_BOL;
			add_dotted(cs, k, t);
			build(cs, i + 1, t->match, s, false);
			cs->nodes[k].next = cs->nnodes;
			cs->nodes[k].nkids = count_kids(cs, k + 1, cs->nnodes);
			i = t->match;
			break;
		case T_PARTIAL:
		case T_PARENT:
			if (in_parent) {
				if (t->kind == T_PARENT)
					i = t->match;
				break;
			}
			type = t->kind == T_PARTIAL ? M_PARTIAL : M_PARENT;
			k = new_node(cs, type, t->start);
			add_name(cs, k, t);
			if (t->flags & TF_ALONE)
				set_indent(cs, k, relative(tagws, s));
			else if (tag_bol(cs, t))
				cs->nodes[k].flags |= MF_BOL;
			if (type == M_PARENT) {
				build(cs, i + 1, t->match, s, true);
				cs->nodes[k].next = cs->nnodes;
				i = t->match;
			}
			break;
		case T_BLOCK:
			k = new_node(cs, M_BLOCK, t->start);
			add_name(cs, k, t);
			if (t->flags & TF_ALONE) {
				struct lcp l = { false, NULL, 0 };
				struct ws inner;

				scan_lines(cs, i + 1, t->match, false, &l);
				inner.p = l.any ? l.p : tagws.p;
				inner.n = l.any ? l.n : tagws.n;
				set_indent(cs, k, relative(inner, s));
				build(cs, i + 1, t->match, inner, false);
			} else {
				if (t->flags & TF_PAIRLINE)
					set_indent(cs, k, relative(tagws, s));
				else if (tag_bol(cs, t))
					cs->nodes[k].flags |= MF_BOL;
				build(cs, i + 1, t->match, s, false);
			}
			cs->nodes[k].next = cs->nnodes;
			cs->nodes[k].nkids = count_kids(cs, k + 1, cs->nnodes);
			i = t->match;
			break;
		default:	/* comments, set-delimiter and closing tags leave no node */
			break;
		}
	}
}

/* Keys of the table probe_agrees() checks: enough for collisions and a resize. */
#define PROBE_CHECK_KEYS	100

static long probe_table(const struct lh_table *, const char *, unsigned long);

/* probe_table() relies on how json-c lays out and probes its tables, which linkhash.h
 * declares but calls internal: before trusting it, check that it agrees with json-c on
 * a table that has grown, has collisions and has deleted slots. */
static bool
probe_agrees(void)
{
	struct json_object *o = json_object_new_object(), *want, *got;
	struct lh_table *lt;
	char key[32];
	bool same = true;
	long slot;
	int i;

	for (i = 0; i < PROBE_CHECK_KEYS; i++) {
		snprintf(key, sizeof key, "k%d", i);
		json_object_object_add(o, key, json_object_new_int(i));
	}
	for (i = 0; i < PROBE_CHECK_KEYS; i += 3) {
		snprintf(key, sizeof key, "k%d", i);
		json_object_object_del(o, key);
	}
	lt = json_object_get_object(o);
	for (i = 0; same && lt != NULL && i < 2 * PROBE_CHECK_KEYS; i++) {
		snprintf(key, sizeof key, "k%d", i);
		slot = probe_table(lt, key, lh_get_hash(lt, key));
		want = NULL;
		got = slot < 0 ? NULL : (struct json_object *)lh_entry_v(&lt->table[slot]);
		same = json_object_object_get_ex(o, key, &want) == (slot >= 0) &&
		    want == got;
	}
	json_object_put(o);
	return same && lt != NULL;
}

/* probe_agrees(), asked once per process: json-c's table code does not change while
 * it runs, and the check costs more than compiling a small template. */
static bool
own_probe_ok(void)
{
	static atomic_int verdict;	/* 0 not asked yet, 1 agrees, 2 disagrees */
	int v = atomic_load_explicit(&verdict, memory_order_relaxed);

	if (v == 0) {
		v = probe_agrees() ? 1 : 2;
		atomic_store_explicit(&verdict, v, memory_order_relaxed);
	}
	return v == 1;
}

/* json-c hashes keys with one process-wide function and seed, so the hash of every
 * name part can be taken once, here, from a throwaway object's table. */
static void
hash_parts(struct mustache_template *t, uint32_t nparts)
{
	struct json_object *probe = json_object_new_object();
	struct lh_table *lt = json_object_get_object(probe);
	/* hint slots are dealt out in turn, process-wide, so no two parts share one
	 * until KEY_HINTS parts have been compiled, and a render finds its slot with
	 * one load rather than a hash of the part's address */
	static atomic_uint next_hint;
	uint32_t i;

	for (i = 0; i < nparts; i++) {
		t->parts[i].key = t->pool + t->parts[i].off;	/* off is read first */
		t->parts[i].hint = atomic_fetch_add_explicit(&next_hint, 1,
		    memory_order_relaxed) & (KEY_HINTS - 1);
		if (lt != NULL)
			t->parts[i].hash = lh_get_hash(lt, t->parts[i].key);
	}
	if (lt != NULL && own_probe_ok())
		t->hash_fn = lt->hash_fn;
	json_object_put(probe);
}

struct mustache_template *
mustache_compile(const char *name, const char *src, size_t len, struct mustache_error *err)
{
	struct cstate cs;
	struct mustache_template *t;
	struct ws none = { "", 0 };

	if (name == NULL)
		name = "<template>";
	if (len > MUSTACHE_MAX_TEMPLATE_SIZE) {
		set_error(err, name, 0, 0, "template is %zu bytes, more than the %d allowed",
		    len, MUSTACHE_MAX_TEMPLATE_SIZE);
		return NULL;
	}
	if (src == NULL)
		src = "";
	memset(&cs, 0, sizeof cs);
	cs.src = src;
	cs.len = (uint32_t)len;
	cs.file = name;
	cs.err = err;
	cs.bol_at = UINT32_MAX;
	cs.lc_line = cs.lc_col = 1;
	if (tokenize(&cs) < 0) {
		free(cs.toks);
		return NULL;
	}
	standalone(&cs);
	build(&cs, 0, cs.ntoks, none, false);
	free(cs.toks);
	/* rendering copies text in whole blocks that may read past the last string */
	buf_reserve(&cs.pool, OUT_PAD);
	memset(cs.pool.data + cs.pool.len, 0, OUT_PAD);
	cs.pool.len += OUT_PAD;

	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	t->nodes = cs.nodes;
	t->nnodes = cs.nnodes;
	t->pool = buf_detach(&cs.pool);
	t->parts = cs.parts;
	t->brks = cs.brks;
	t->nroot = count_kids(&cs, 0, cs.nnodes);
	hash_parts(t, cs.nparts);
	return t;
}

void
mustache_free(struct mustache_template *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->nodes);
	free(t->pool);
	free(t->parts);
	free(t->brks);
	free(t);
}

const char *
mustache_name(const struct mustache_template *t)
{
	return t->name;
}

/* ---- rendering ------------------------------------------------------------------- */

/* The helpers of the node loop are small and hot: they go in line whatever the
 * compiler's size heuristics say (a call costs more than most nodes), and their rare
 * slow paths stay out of line. */
#define HOT	inline __attribute__((always_inline))
#define COLD	__attribute__((noinline, cold))

/* Bytes of indentation kept flattened for one-copy line starts. */
#define FLAT_INDENT	256

/* Static partial and parent tags whose template a render remembers (a power of two):
 * a partial in a loop asks the resolver once, not once per item. */
#define PARTIAL_CACHE	16

/* The block overrides of one parent tag being expanded; the chain is the dynamic
 * scope in which blocks look for overrides, the outermost winning. */
struct ovr {
	const struct mustache_template	*t;
	uint32_t			 first, end;
	const struct ovr		*outer;
};

/* A context of the stack, with its table when it is an object: most names are found
 * in the innermost context, and asking json-c for the table once per context rather
 * than once per name saves a call per lookup. */
struct frame {
	struct json_object		*v;
	struct lh_table			*lt;
};

struct rstate {
	struct buf			*out;
	size_t				 out_start;
	size_t				 out_max;	/* out_start + the output limit */
	/* out->len may grow to lim with no check: the allocation has OUT_PAD bytes and
	 * a NUL to spare past it, and it is at most out_max */
	size_t				 lim;
	mustache_lookup_fn		 lookup;
	void				*lookup_ctx;
	struct mustache_error		*err;
	const struct ovr		*ovr;
	unsigned long			 steps;
	unsigned			 depth, pdepth;
	unsigned			 nctx, nind, ind_base;
	/* What a line start gets: indentation segments [ind_base, nind), flattened at
	 * ind_flat unless they are too long (NULL), ind_len bytes in all (0: none). */
	const char			*ind_flat;
	size_t				 ind_len;
	struct frame			 ctx[MUSTACHE_MAX_RENDER_DEPTH + 1];
	uint32_t			 hints[KEY_HINTS];	/* see get_key() */
	struct {
		const struct mnode		*tag;	/* NULL: empty slot */
		const struct mustache_template	*t;	/* NULL: no such partial */
	}				 partials[PARTIAL_CACHE];
	/* The indentation stack, as strings and, while it fits, also flattened into one
	 * string (segment i starting at at[i]) so a line costs one copy. */
	struct ws			 ind[MUSTACHE_MAX_RENDER_DEPTH];
	size_t				 at[MUSTACHE_MAX_RENDER_DEPTH + 1];
	char				 flat[FLAT_INDENT + OUT_PAD];
};

static int rerror(struct rstate *, const struct mustache_template *,
	const struct mnode *, const char *, ...) __attribute__((format(printf, 4, 5)));

static int
rerror(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	const char *fmt, ...)
{
	char msg[MUSTACHE_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	set_error(rs->err, t->name, n->line, n->col, "%s", msg);
	return -1;
}

/* Whether v, of type type, opens a section. */
static inline bool
truthy(struct json_object *v, enum json_type type)
{
	double d;

	if (type == json_type_boolean)	/* what most sections test: no jump table */
		return json_object_get_boolean(v);
	switch (type) {
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		d = json_object_get_double(v);
		return d != 0 && !isnan(d);
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return true;
	default:
		return false;
	}
}

/* Is e's key `key`? The two sentinels, LH_EMPTY and LH_FREED, are the two highest
 * addresses, so one comparison rules both out, and strcmp() runs only for a key that
 * starts with the right byte. */
static HOT bool
key_is(const struct lh_entry *e, const char *key)
{
	const char *k = lh_entry_k(e);

	return (uintptr_t)k < (uintptr_t)LH_FREED && k[0] == key[0] &&
	    strcmp(k + 1, key + 1) == 0;
}

/* json-c's own probe, lh_table_lookup_entry_w_hash(), costs a 64-bit division and two
 * calls per slot, one indirect; lookups were a third of the render time. This is the
 * same open addressing with linear probing: the remainder is a mask for the
 * power-of-two sizes json-c's object tables have. Returns the slot, or -1. */
static long
probe_table(const struct lh_table *lt, const char *key, unsigned long hash)
{
	unsigned long size = (unsigned long)lt->size, n, tries;
	const struct lh_entry *e;

	if (size == 0)
		return -1;
	n = (size & (size - 1)) == 0 ? hash & (size - 1) : hash % size;
	for (tries = 0; tries < size; tries++) {
		e = &lt->table[n];
		if (lh_entry_k(e) == LH_EMPTY)
			return -1;
		if (key_is(e, key))
			return (long)n;
		if (++n == size)
			n = 0;
	}
	return -1;
}

/* A key not in the slot its hint names: the probe, and the hint for next time. */
static bool
get_key_probe(const struct mustache_template *t, const struct mpart *p,
	const struct lh_table *lt, uint32_t *hint, struct json_object **v)
{
	long slot;

	if (lt->hash_fn != t->hash_fn)
		return lh_table_lookup_ex((struct lh_table *)lt, p->key, (void **)v);
	if ((slot = probe_table(lt, p->key, p->hash)) < 0)
		return false;
	*hint = (uint32_t)slot;
	*v = (struct json_object *)lh_entry_v(&lt->table[slot]);
	return true;
}

/* One key of one object's table. The items of an array are mostly built alike, so a
 * key tends to sit in the same slot of each item's table: the slot where this name part
 * was last found is tried first, and a hit costs one key compare and no probe. Keys are
 * unique in a table, so any slot that holds the key is the one json-c would find. When
 * json-c's table layout is not trusted (own_probe_ok()), every hint is out of range. */
static HOT bool
get_key(struct rstate *rs, const struct mustache_template *t, const struct mpart *p,
	const struct lh_table *lt, struct json_object **v)
{
	uint32_t *hint = &rs->hints[p->hint];
	const char *k;

	/* as key_is(), less the first-byte test: a hinted slot mostly holds the key */
	if (*hint < (unsigned long)lt->size &&
	    (uintptr_t)(k = lh_entry_k(&lt->table[*hint])) < (uintptr_t)LH_FREED &&
	    strcmp(k, p->key) == 0) {
		*v = (struct json_object *)lh_entry_v(&lt->table[*hint]);
		return true;
	}
	return get_key_probe(t, p, lt, hint, v);
}

/* Walks the context stack for the first part, then descends for the rest: a dotted
 * name never falls back to outer contexts once its first part is found. */
static HOT struct json_object *
resolve(struct rstate *rs, const struct mustache_template *t, const struct mnode *n)
{
	const struct mpart *parts;
	const struct frame *f;
	struct json_object *v;
	const struct lh_table *lt;
	uint32_t k;

	if (n->nparts == 0)
		return rs->ctx[rs->nctx - 1].v;
	parts = t->parts + n->part;	/* parts is NULL in a template without names */
	for (f = rs->ctx + rs->nctx; f-- > rs->ctx;) {
		if (f->lt == NULL || !get_key(rs, t, &parts[0], f->lt, &v))
			continue;
		for (k = 1; k < n->nparts; k++)
			if ((lt = json_object_get_object(v)) == NULL ||
			    !get_key(rs, t, &parts[k], lt, &v))
				return NULL;
		return v;
	}
	return NULL;
}

/* Most prices and measures have a few decimals: if d is m / 10^k exactly for a small
 * k and an m of at most 15 digits, print m with a decimal point, which is what %.15g
 * would print (m / 10^k is within half an ulp of d, far less than half a unit in its
 * 15th digit) without the cost of printf and strtod. */
static size_t
format_decimal(char *dst, double d)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
	char digits[24];
	double a = d < 0 ? -d : d, m;
	uint64_t u;
	size_t n = 0, i, o = 0;
	int k;

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	for (k = 0;; k++) {
		if (k == (int)(sizeof pow10 / sizeof pow10[0]) || (m = a * pow10[k]) >= 1e15)
			return 0;
		m = (double)(uint64_t)(m + 0.5);	/* no libm: round half up */
		if (m / pow10[k] == a)
			break;
	}
	for (u = (uint64_t)m; u > 0 || n <= (size_t)k; u /= 10)
		digits[n++] = (char)('0' + u % 10);
	if (d < 0)
		dst[o++] = '-';
	for (i = n; i-- > 0;) {
		dst[o++] = digits[i];
		if (i == (size_t)k && k > 0)
			dst[o++] = '.';
	}
	dst[o] = '\0';
	return o;
}

/* The shortest decimal that reads back as the same double, as JavaScript prints. */
static size_t
format_double(char *dst, size_t size, double d)
{
	int prec, n = 0;
	size_t len;

	if (isnan(d))
		return (size_t)snprintf(dst, size, "NaN");
	if (isinf(d))
		return (size_t)snprintf(dst, size, d < 0 ? "-Infinity" : "Infinity");
	if (d == 0)
		return (size_t)snprintf(dst, size, "0");
	if (size >= 24 && (len = format_decimal(dst, d)) > 0)
		return len;
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(dst, size, "%.*g", prec, d);
		if (strtod(dst, NULL) == d)
			break;
	}
	return n < 0 ? 0 : (size_t)n;
}

/* What scalar_text() found: no scalar, a string, or a number or boolean, whose text
 * never holds a byte that HTML escaping replaces. */
enum scalar {
	SCALAR_NONE,
	SCALAR_STRING,
	SCALAR_PLAIN
};

/* The text a scalar interpolates as, in num (at least 32 bytes) or in the value;
 * NUL-terminated either way, as a partial name given to the resolver must be. */
static enum scalar
scalar_text(struct json_object *v, char *num, size_t size, const char **s, size_t *n)
{
	char *end = num + size - 1, *p;
	int64_t i;

	switch (json_object_get_type(v)) {
	case json_type_string:
		*s = json_object_get_string(v);
		*n = (size_t)json_object_get_string_len(v);
		return SCALAR_STRING;
	case json_type_int:
		*end = '\0';
		i = json_object_get_int64(v);
		if (i == INT64_MAX)	/* json-c saturates; it may hold a larger uint64 */
			p = buf_format_uint(end, json_object_get_uint64(v));
		else if (i < 0) {
			p = buf_format_uint(end, (uint64_t)0 - (uint64_t)i);
			*--p = '-';
		} else
			p = buf_format_uint(end, (uint64_t)i);
		*s = p;
		*n = (size_t)(end - p);
		return SCALAR_PLAIN;
	case json_type_double:
		*n = format_double(num, size, json_object_get_double(v));
		*s = num;
		return SCALAR_PLAIN;
	case json_type_boolean:
		*s = json_object_get_boolean(v) ? "true" : "false";
		*n = strlen(*s);
		return SCALAR_PLAIN;
	default:
		return SCALAR_NONE;
	}
}

/* The output limit and the spare room past out->len, after anything that grew out. */
static void
set_lim(struct rstate *rs)
{
	const struct buf *b = rs->out;
	size_t room = b->cap > OUT_PAD ? b->cap - OUT_PAD - 1 : 0;

	rs->lim = room < rs->out_max ? room : rs->out_max;
	if (rs->lim < b->len)
		rs->lim = b->len;
}

static COLD int
out_grow(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	size_t need)
{
	if (need > rs->out_max - rs->out->len)
		return rerror(rs, t, n, "output larger than %lu bytes",
		    (unsigned long)MUSTACHE_MAX_OUTPUT_SIZE);
	buf_reserve(rs->out, need + OUT_PAD);
	set_lim(rs);
	return 0;
}

/* Makes room for `need` more bytes of output, or fails (at node n) when they would
 * take it past the limit: one comparison checks both. It is strict so that even an
 * empty piece allocates an output that has none yet (lim is then its length), and
 * every copy has a buffer to point into. */
static HOT int
out_room(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	size_t need)
{
	if (need < rs->lim - rs->out->len)
		return 0;
	return out_grow(rs, t, n, need);
}

/* Copies n bytes of the pool or the flattened indentation to d, where out_room() has
 * made room, in whole OUT_PAD-byte blocks (see OUT_PAD); returns the end of the copy. */
static HOT char *
put_padded(char *d, const char *s, size_t n)
{
	size_t k = 0;

	do
		memcpy(d + k, s + k, OUT_PAD);
	while ((k += OUT_PAD) < n);
	return d + n;
}

/* Copies n bytes as two overlapping fixed-size copies, which compile to a few moves:
 * a page is made of over a thousand pieces, most shorter than SHORT_COPY bytes, and a
 * call to memcpy() costs more than such a piece. For data, which has no padding. */
#define SHORT_COPY	32

static HOT void
copy_short(char *d, const char *s, size_t n)
{
	enum { HALF = SHORT_COPY / 2 };
	char a[HALF], z[HALF];

	if (n >= HALF) {
		memcpy(a, s, HALF);
		memcpy(z, s + n - HALF, HALF);
		memcpy(d, a, HALF);
		memcpy(d + n - HALF, z, HALF);
	} else if (n >= 8) {
		memcpy(a, s, 8);
		memcpy(z, s + n - 8, 8);
		memcpy(d, a, 8);
		memcpy(d + n - 8, z, 8);
	} else if (n >= 4) {
		memcpy(a, s, 4);
		memcpy(z, s + n - 4, 4);
		memcpy(d, a, 4);
		memcpy(d + n - 4, z, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* Appends without terminating: the output is NUL-terminated once, when the render
 * ends, which saves a store and a call per piece of a page made of small pieces. */
static HOT int
out_put(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	const char *s, size_t len)
{
	struct buf *b = rs->out;

	if (out_room(rs, t, n, len) < 0)
		return -1;
	if (len <= SHORT_COPY)
		copy_short(b->data + b->len, s, len);
	else
		memcpy(b->data + b->len, s, len);
	b->len += len;
	return 0;
}

/* Most values have nothing to escape: their clean start is copied here, in line, and
 * only the rest, if any, goes to buf_append_html(). */
static HOT int
out_html(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	/* four bytes a step: most values are clean, and the test per byte is short */
	for (i = 0; i + 4 <= len; i += 4)
		if (buf_html_special[u[i]] | buf_html_special[u[i + 1]] |
		    buf_html_special[u[i + 2]] | buf_html_special[u[i + 3]])
			break;
	for (; i < len && buf_html_special[u[i]] == 0; i++)
		;
	if (out_put(rs, t, n, s, i) < 0)
		return -1;
	if (i == len)
		return 0;
	buf_append_html(rs->out, s + i, len - i);
	if (rs->out->len > rs->out_max)
		return rerror(rs, t, n, "output larger than %lu bytes",
		    (unsigned long)MUSTACHE_MAX_OUTPUT_SIZE);
	set_lim(rs);
	return 0;
}

/* Indentation too long to keep flat, a segment at a time: hundreds of nested
 * indentations copied from large templates are checked against the output limit
 * piece by piece. */
static COLD int
put_indent_deep(struct rstate *rs, const struct mustache_template *t,
	const struct mnode *n)
{
	unsigned i;

	for (i = rs->ind_base; i < rs->nind; i++)
		if (out_put(rs, t, n, rs->ind[i].p, rs->ind[i].n) < 0)
			return -1;
	return 0;
}

static HOT int
put_indent(struct rstate *rs, const struct mustache_template *t, const struct mnode *n)
{
	struct buf *b = rs->out;

	if (rs->ind_len == 0)
		return 0;
	if (rs->ind_flat == NULL)
		return put_indent_deep(rs, t, n);
	if (out_room(rs, t, n, rs->ind_len) < 0)
		return -1;
	b->len = (size_t)(put_padded(b->data + b->len, rs->ind_flat, rs->ind_len) - b->data);
	return 0;
}

/* After a change to the indentation stack or its base. */
static void
set_ind(struct rstate *rs)
{
	rs->ind_len = rs->at[rs->nind] - rs->at[rs->ind_base];
	rs->ind_flat = rs->at[rs->nind] <= FLAT_INDENT ? rs->flat + rs->at[rs->ind_base] : NULL;
}

/* Text under indentation that is not flat, a line at a time. */
static COLD int
render_text_deep(struct rstate *rs, const struct mustache_template *t,
	const struct mnode *n, bool bol)
{
	const char *s = t->pool + n->off;
	uint32_t k, at = 0, to;

	if (bol && put_indent_deep(rs, t, n) < 0)
		return -1;
	for (k = 0; k < n->nbrk; k++) {
		to = t->brks[n->brk + k];
		if (out_put(rs, t, n, s + at, to - at) < 0 || put_indent_deep(rs, t, n) < 0)
			return -1;
		at = to;
	}
	return out_put(rs, t, n, s + at, n->len - at);
}

/* Text, with the indentation before each line it starts (the first too when bol): the
 * room for all of it is made at once, and the pieces are block copies. */
static HOT int
render_text(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	bool bol)
{
	const char *s = t->pool + n->off, *ind = rs->ind_flat;
	size_t ind_n = rs->ind_len;
	struct buf *b = rs->out;
	uint32_t k, at = 0, to;
	char *d;

	if (ind_n == 0) {
		if (out_room(rs, t, n, n->len) < 0)
			return -1;
		b->len = (size_t)(put_padded(b->data + b->len, s, n->len) - b->data);
		return 0;
	}
	bol = bol && !(n->flags & MF_BLANK);
	if (ind == NULL)
		return render_text_deep(rs, t, n, bol);
	if (out_room(rs, t, n, n->len + (n->nbrk + (size_t)bol) * ind_n) < 0)
		return -1;
	d = b->data + b->len;
	if (bol)
		d = put_padded(d, ind, ind_n);
	for (k = 0; k < n->nbrk; k++) {
		to = t->brks[n->brk + k];
		d = put_padded(d, s + at, to - at);
		d = put_padded(d, ind, ind_n);
		at = to;
	}
	d = put_padded(d, s + at, n->len - at);
	b->len = (size_t)(d - b->data);
	return 0;
}

static HOT int
render_value(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	struct json_object *v)
{
	char num[64];
	const char *s;
	size_t len;
	enum scalar k;

	if (v == NULL)
		return 0;
	/* Strings, most values, in two calls, not scalar_text()'s three: the length is 0
	 * for every other type. */
	if ((len = (size_t)json_object_get_string_len(v)) > 0) {
		s = json_object_get_string(v);
		k = SCALAR_STRING;
	} else if ((k = scalar_text(v, num, sizeof num, &s, &len)) == SCALAR_NONE) {
		s = json_object_to_json_string_length(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		if (s == NULL)
			return 0;
	}
	if (n->type == M_VAR && k != SCALAR_PLAIN)
		return out_html(rs, t, n, s, len);
	return out_put(rs, t, n, s, len);
}

/* Every node list rendered counts its nodes as steps, here, before it renders them. */
static HOT int
take_steps(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	uint32_t count)
{
	if ((rs->steps += count) > MUSTACHE_MAX_RENDER_STEPS)
		return rerror(rs, t, n, "render took more than %lu steps",
		    (unsigned long)MUSTACHE_MAX_RENDER_STEPS);
	return 0;
}

static int render_nodes(struct rstate *, const struct mustache_template *, uint32_t,
	uint32_t);

/* lt is v's table, NULL when v is not an object. */
static int
push_ctx(struct rstate *rs, const struct mustache_template *t, const struct mnode *n,
	struct json_object *v, struct lh_table *lt)
{
	if (rs->depth >= MUSTACHE_MAX_RENDER_DEPTH)
		return rerror(rs, t, n, "sections and partials nested deeper than %d "
		    "levels", MUSTACHE_MAX_RENDER_DEPTH);
	rs->depth++;
	rs->ctx[rs->nctx].v = v;
	rs->ctx[rs->nctx++].lt = lt;
	return 0;
}

/* A section's content in the context v (lt: its table, or NULL). */
static HOT int
render_in(struct rstate *rs, const struct mustache_template *t, uint32_t i,
	struct json_object *v, struct lh_table *lt)
{
	const struct mnode *n = &t->nodes[i];
	int r;

	if (push_ctx(rs, t, n, v, lt) < 0)
		return -1;
	r = render_nodes(rs, t, i + 1, n->next);
	rs->nctx--;
	rs->depth--;
	return r;
}

static int
render_section(struct rstate *rs, const struct mustache_template *t, uint32_t i)
{
	const struct mnode *n = &t->nodes[i];
	struct json_object *v = resolve(rs, t, n);
	enum json_type type = json_object_get_type(v);
	struct array_list *a;
	size_t k, len;
	int r = 0;

	if (n->type == M_INVERTED) {
		if (truthy(v, type))
			return 0;
		if (take_steps(rs, t, n, n->nkids) < 0)
			return -1;
		return render_nodes(rs, t, i + 1, n->next);
	}
	if (type == json_type_array) {
		/* the array's own list: a call per item saved */
		a = json_object_get_array(v);
		len = a->length;
		for (k = 0; k < len && r == 0; k++) {
			/* an item is a step too, so an empty section still counts */
			if (take_steps(rs, t, n, 1 + n->nkids) < 0)
				return -1;
			r = render_in(rs, t, i, a->array[k],
			    json_object_get_object(a->array[k]));
		}
		return r;
	}
	if (!truthy(v, type))
		return 0;
	if (take_steps(rs, t, n, n->nkids) < 0)
		return -1;
	/* only an object has a table: no call for the booleans most sections test */
	return render_in(rs, t, i, v, type == json_type_object ?
	    json_object_get_object(v) : NULL);
}

static int
push_indent(struct rstate *rs, const struct mustache_template *t, const struct mnode *n)
{
	size_t at = rs->at[rs->nind];

	if (n->ilen == 0)
		return 0;
	rs->ind[rs->nind].p = t->pool + n->ioff;
	rs->ind[rs->nind].n = n->ilen;
	if (at + n->ilen <= FLAT_INDENT)
		memcpy(rs->flat + at, t->pool + n->ioff, n->ilen);
	rs->nind++;
	rs->at[rs->nind] = at + n->ilen;
	set_ind(rs);
	return 1;
}

static void
pop_indent(struct rstate *rs, int pushed)
{
	if (pushed) {
		rs->nind -= (unsigned)pushed;
		set_ind(rs);
	}
}

static const struct mustache_template *
find_partial(struct rstate *rs, const struct mnode *n, const char *name, size_t len)
{
	size_t slot = ((uintptr_t)n / sizeof *n) & (PARTIAL_CACHE - 1);
	const struct mustache_template *pt;

	if (rs->lookup == NULL)
		return NULL;
	if (n->flags & MF_DYNAMIC)
		return rs->lookup(rs->lookup_ctx, name, len);
	if (rs->partials[slot].tag == n)
		return rs->partials[slot].t;
	pt = rs->lookup(rs->lookup_ctx, name, len);
	rs->partials[slot].tag = n;
	rs->partials[slot].t = pt;
	return pt;
}

/* {{>name}} and {{<name}}: renders another template in the current context. */
static int
render_partial(struct rstate *rs, const struct mustache_template *t, uint32_t i, bool bol)
{
	const struct mnode *n = &t->nodes[i];
	const struct mustache_template *pt;
	const char *name = t->pool + n->off;
	size_t len = n->len;
	char num[64], q[4 * QUOTE_MAX + 8];
	struct ovr o;
	unsigned saved;
	int r, pushed;

	if (!(n->flags & MF_STANDALONE) && bol && put_indent(rs, t, n) < 0)
		return -1;
	if (n->flags & MF_DYNAMIC) {
		struct json_object *v = resolve(rs, t, n);

		if (v == NULL ||
		    scalar_text(v, num, sizeof num, &name, &len) == SCALAR_NONE)
			return 0;
	}
	if ((pt = find_partial(rs, n, name, len)) == NULL)
		return 0;
	if (rs->pdepth >= MUSTACHE_MAX_PARTIAL_DEPTH)
		return rerror(rs, t, n, "partials nested deeper than %d levels, at '%s' "
		    "(endless recursion?)", MUSTACHE_MAX_PARTIAL_DEPTH,
		    quote(q, sizeof q, name, len));
	if (rs->depth >= MUSTACHE_MAX_RENDER_DEPTH)
		return rerror(rs, t, n, "sections and partials nested deeper than %d "
		    "levels", MUSTACHE_MAX_RENDER_DEPTH);
	if (take_steps(rs, t, n, pt->nroot) < 0)
		return -1;
	rs->pdepth++;
	rs->depth++;
	if (n->type == M_PARENT) {
		o.t = t;
		o.first = i + 1;
		o.end = n->next;
		o.outer = rs->ovr;
		rs->ovr = &o;
	}
	if (n->flags & MF_STANDALONE) {
		pushed = push_indent(rs, t, n);
		r = render_nodes(rs, pt, 0, pt->nnodes);
		pop_indent(rs, pushed);
	} else {
		/* An inline partial's lines are not indented, as the spec's reference does. */
		saved = rs->ind_base;
		rs->ind_base = rs->nind;
		set_ind(rs);
		r = render_nodes(rs, pt, 0, pt->nnodes);
		rs->ind_base = saved;
		set_ind(rs);
	}
	if (n->type == M_PARENT)
		rs->ovr = o.outer;
	rs->pdepth--;
	rs->depth--;
	return r;
}

static HOT int render_node(struct rstate *, const struct mustache_template *,
	uint32_t, bool);

/* {{$name}}: the outermost override in scope, else the block's own content. */
static int
render_block(struct rstate *rs, const struct mustache_template *t, uint32_t i, bool bol)
{
	const struct mnode *n = &t->nodes[i];
	const struct mustache_template *ct = t;
	uint32_t first = i + 1, end = n->next, nkids = n->nkids, k;
	const struct ovr *o;
	int r, pushed = 0;

	for (o = rs->ovr; o != NULL; o = o->outer) {
		for (k = o->first; k < o->end; k = o->t->nodes[k].next) {
			const struct mnode *b = &o->t->nodes[k];

			if (b->type == M_BLOCK && b->len == n->len &&
			    memcmp(o->t->pool + b->off, t->pool + n->off, n->len) == 0) {
				ct = o->t;
				first = k + 1;
				end = b->next;
				nkids = b->nkids;
				break;
			}
		}
	}
	if (rs->depth >= MUSTACHE_MAX_RENDER_DEPTH)
		return rerror(rs, t, n, "sections and partials nested deeper than %d "
		    "levels", MUSTACHE_MAX_RENDER_DEPTH);
	if (take_steps(rs, t, n, nkids) < 0)
		return -1;
	if (n->flags & MF_STANDALONE)	/* the content starts a line */
		bol = true;
	else if (bol && put_indent(rs, t, n) < 0)	/* even for no content */
		return -1;
	else	/* the content continues the line the tag is on */
		bol = false;
	if (first == end)
		return 0;
	rs->depth++;
	if (n->flags & MF_STANDALONE)	/* and takes this block's indentation */
		pushed = push_indent(rs, t, n);
	r = render_node(rs, ct, first, bol);
	if (r == 0)
		r = render_nodes(rs, ct, ct->nodes[first].next, end);
	pop_indent(rs, pushed);
	rs->depth--;
	return r;
}

/* One node; bol says whether it begins a line. In line in the loop below: the call
 * would cost more than most nodes. */
static HOT int
render_node(struct rstate *rs, const struct mustache_template *t, uint32_t i, bool bol)
{
	const struct mnode *n = &t->nodes[i];

	/* tests in the order of the enum: most nodes are text or values, and a jump
	 * table costs more than the tests that find them */
	if (n->type == M_TEXT)
		return render_text(rs, t, n, bol);
	/* partials and blocks place their own indentation */
	if (bol && n->type < M_PARTIAL && put_indent(rs, t, n) < 0)
		return -1;
	if (n->type <= M_RAW)
		return render_value(rs, t, n, resolve(rs, t, n));
	if (n->type <= M_INVERTED)
		return render_section(rs, t, i);
	if (n->type <= M_PARENT)
		return render_partial(rs, t, i, bol);
	return render_block(rs, t, i, bol);
}

/* Renders the sibling nodes [first, end), whose steps the caller has taken. */
static int
render_nodes(struct rstate *rs, const struct mustache_template *t, uint32_t first,
	uint32_t end)
{
	uint32_t i;

	for (i = first; i < end; i = t->nodes[i].next)
		if (render_node(rs, t, i, t->nodes[i].flags & MF_BOL) < 0)
			return -1;
	return 0;
}

int
mustache_render(const struct mustache_template *t, struct json_object *data,
	mustache_lookup_fn lookup, void *lookup_ctx, struct buf *out,
	struct mustache_error *err)
{
	struct rstate rs;
	int r = 0;

	if (t == NULL) {
		set_error(err, "<template>", 0, 0, "no template to render");
		return -1;
	}
	rs.out = out;
	rs.out_start = out->len;
	rs.out_max = out->len + MUSTACHE_MAX_OUTPUT_SIZE;
	set_lim(&rs);
	rs.lookup = lookup;
	rs.lookup_ctx = lookup_ctx;
	rs.err = err;
	rs.ovr = NULL;
	rs.steps = 0;
	rs.depth = rs.pdepth = 0;
	rs.nind = rs.ind_base = 0;
	rs.at[0] = 0;
	set_ind(&rs);
	memset(rs.partials, 0, sizeof rs.partials);
	memset(rs.hints, own_probe_ok() ? 0 : 0xff, sizeof rs.hints);
	rs.ctx[0].v = data;
	rs.ctx[0].lt = json_object_get_object(data);
	rs.nctx = 1;
	if (t->nnodes > 0 && take_steps(&rs, t, &t->nodes[0], t->nroot) < 0)
		r = -1;
	if (r == 0)
		r = render_nodes(&rs, t, 0, t->nnodes);
	if (r < 0)
		out->len = rs.out_start;
	if (out->data != NULL)
		out->data[out->len] = '\0';
	return r;
}
