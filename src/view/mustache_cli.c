/* `kairos mustache`: renders a template file over JSON data, for template authors.
 *
 * Partials are files under one directory, loaded the first time a render asks for them
 * and cached for the run (a miss is cached too). Because dynamic partial names come
 * from the data, a name is only ever mapped to a path below that directory: no absolute
 * names, no empty, "." or ".." segments, no NUL bytes. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "view/mustache.h"

#include "core/buf.h"
#include "core/mem.h"

#include <json-c/json.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest JSON document read, and deepest nesting json-c may build from it. */
#define CLI_MAX_DATA_SIZE	(64 * 1024 * 1024)
#define CLI_JSON_DEPTH		64
/* Longest partial name mapped to a file. */
#define CLI_MAX_NAME		1024

#define EXIT_USAGE		2

struct cached {
	char				*name;
	size_t				 len;
	struct mustache_template	*tmpl;	/* NULL: no such partial */
};

struct cli {
	const char		*dir;
	struct cached		*cache;
	size_t			 ncache, capcache;
	bool			 failed;	/* a partial could not be read or compiled */
};

static void
usage(FILE *f)
{
	fputs("usage: kairos mustache [--partials DIR] TEMPLATE [DATA.json]\n"
	    "Renders TEMPLATE over the JSON in DATA.json (standard input without it).\n"
	    "{{>name}} is DIR/name.mustache; DIR defaults to TEMPLATE's directory.\n", f);
}

/* Reads at most limit bytes of a file ("-" or NULL: standard input). Returns 0, or -1
 * with a message printed. With regular_only, anything but a regular file counts as
 * missing (*missing set), so a partial name cannot make us block on a FIFO or device. */
static int
read_file(const char *path, size_t limit, bool regular_only, struct buf *b, bool *missing)
{
	const char *shown = path ? path : "<stdin>";
	int fd = 0;
	struct stat st;
	char chunk[65536];
	ssize_t n;

	if (missing)
		*missing = false;
	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer. */
	if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC |
	    (regular_only ? O_NONBLOCK : 0))) < 0) {
		if (missing && (errno == ENOENT || errno == ENOTDIR)) {
			*missing = true;
			return -1;
		}
		fprintf(stderr, "%s: %s\n", shown, strerror(errno));
		return -1;
	}
	if (regular_only && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		if (fd != 0)
			close(fd);
		if (missing)
			*missing = true;
		return -1;
	}
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", shown, strerror(errno));
			break;
		}
		if (n == 0) {
			if (fd != 0)
				close(fd);
			return 0;
		}
		if ((size_t)n > limit - b->len) {
			fprintf(stderr, "%s: larger than %zu bytes\n", shown, limit);
			break;
		}
		buf_append(b, chunk, (size_t)n);
	}
	if (fd != 0)
		close(fd);
	return -1;
}

static void
print_error(const struct mustache_error *err)
{
	char msg[MUSTACHE_ERROR_FILE_MAX + MUSTACHE_ERROR_MSG_MAX + 32];

	fprintf(stderr, "%s\n", mustache_error_string(err, msg, sizeof msg));
}

static struct mustache_template *
compile_file(const char *path, bool partial, bool *missing)
{
	struct buf src = BUF_INIT;
	struct mustache_error err;
	struct mustache_template *t = NULL;

	if (read_file(path, MUSTACHE_MAX_TEMPLATE_SIZE, partial, &src, missing) == 0) {
		t = mustache_compile(path, buf_cstr(&src), src.len, &err);
		if (t == NULL)
			print_error(&err);
	}
	buf_free(&src);
	return t;
}

static bool
valid_partial_name(const char *name, size_t len)
{
	size_t i = 0, j;

	if (len == 0 || len > CLI_MAX_NAME || memchr(name, '\0', len) != NULL ||
	    name[0] == '/')
		return false;
	while (i <= len) {
		for (j = i; j < len && name[j] != '/'; j++)
			;
		if (j == i || (j - i == 1 && name[i] == '.') ||
		    (j - i == 2 && name[i] == '.' && name[i + 1] == '.'))
			return false;
		i = j + 1;
	}
	return true;
}

static const struct mustache_template *
lookup(void *ctx, const char *name, size_t len)
{
	struct cli *cli = ctx;
	struct cached *c;
	struct buf path = BUF_INIT;
	bool missing = false;
	size_t i;

	for (i = 0; i < cli->ncache; i++)
		if (cli->cache[i].len == len && memcmp(cli->cache[i].name, name, len) == 0)
			return cli->cache[i].tmpl;
	if (cli->ncache == cli->capcache) {
		cli->capcache = cli->capcache ? cli->capcache * 2 : 16;
		cli->cache = xrealloc(cli->cache, cli->capcache * sizeof *cli->cache);
	}
	c = &cli->cache[cli->ncache++];
	c->name = xmemdup(name, len);
	c->len = len;
	c->tmpl = NULL;
	if (!valid_partial_name(name, len))
		return NULL;
	buf_printf(&path, "%s/%.*s.mustache", cli->dir, (int)len, name);
	c->tmpl = compile_file(buf_cstr(&path), true, &missing);
	if (c->tmpl == NULL && !missing)
		cli->failed = true;
	buf_free(&path);
	return c->tmpl;
}

/* Parses the whole of b as one JSON value. */
static int
parse_json(const char *name, const struct buf *b, struct json_object **out)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	struct json_object *v;
	size_t end, i, line = 1, col = 1;
	const char *s = buf_cstr(b);

	if ((tok = json_tokener_new_ex(CLI_JSON_DEPTH)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", name);
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	v = json_tokener_parse_ex(tok, s, (int)b->len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* A number at the very end is only complete once the input ends. */
		v = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = b->len;
	}
	if (end > b->len)
		end = b->len;
	json_tokener_free(tok);
	if (jerr == json_tokener_success) {
		for (i = end; i < b->len && s[i] != '\0' && strchr(" \t\r\n", s[i]); i++)
			;
		if (i == b->len) {
			*out = v;
			return 0;
		}
		json_object_put(v);
		end = i;
	}
	for (i = 0; i < end; i++) {
		if (s[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	}
	fprintf(stderr, "%s:%zu:%zu: invalid JSON: %s\n", name, line, col,
	    jerr == json_tokener_success ? "unexpected data after the value" :
	    json_tokener_error_desc(jerr));
	return -1;
}

int
mustache_cli_main(int argc, char **argv)
{
	struct cli cli = { NULL, NULL, 0, 0, false };
	struct mustache_template *t = NULL;
	struct json_object *data = NULL;
	struct mustache_error err;
	struct buf in = BUF_INIT, out = BUF_INIT;
	const char *tpath = NULL, *dpath = NULL, *slash;
	char *dir = NULL;
	int i, npos = 0, rc = 1;
	size_t k;
	bool opts = true;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && strcmp(a, "--") == 0)
			opts = false;
		else if (opts && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			usage(stdout);
			return 0;
		} else if (opts && strcmp(a, "--partials") == 0) {
			if (++i == argc) {
				usage(stderr);
				return EXIT_USAGE;
			}
			cli.dir = argv[i];
		} else if (opts && strncmp(a, "--partials=", 11) == 0)
			cli.dir = a + 11;
		else if (opts && a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "mustache: unknown option %s\n", a);
			usage(stderr);
			return EXIT_USAGE;
		} else if (npos == 0) {
			tpath = a;
			npos++;
		} else if (npos == 1) {
			dpath = a;
			npos++;
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (tpath == NULL || (cli.dir != NULL && cli.dir[0] == '\0')) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cli.dir == NULL) {
		slash = strrchr(tpath, '/');
		dir = slash ? xstrndup(tpath, (size_t)(slash - tpath) + (slash == tpath)) :
		    xstrdup(".");
		cli.dir = dir;
	}
	if (dpath != NULL && strcmp(dpath, "-") == 0)
		dpath = NULL;

	if ((t = compile_file(tpath, false, NULL)) == NULL)
		goto done;
	if (read_file(dpath, CLI_MAX_DATA_SIZE, false, &in, NULL) < 0 ||
	    parse_json(dpath ? dpath : "<stdin>", &in, &data) < 0)
		goto done;
	if (mustache_render(t, data, lookup, &cli, &out, &err) < 0) {
		print_error(&err);
		goto done;
	}
	if (cli.failed)
		goto done;
	if (fwrite(buf_cstr(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "mustache: writing the output: %s\n", strerror(errno));
		goto done;
	}
	rc = 0;
done:
	for (k = 0; k < cli.ncache; k++) {
		free(cli.cache[k].name);
		mustache_free(cli.cache[k].tmpl);
	}
	free(cli.cache);
	free(dir);
	mustache_free(t);
	json_object_put(data);
	buf_free(&in);
	buf_free(&out);
	return rc;
}
