/* view.c: the template registry: a sorted array of compiled templates, found by name. */
#include "view/view.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct view_entry {
	char                     *name;	/* "partials/field" */
	struct mustache_template *tpl;
	char                     *src;	/* the file as read, NUL-terminated (view_source) */
};

struct view_registry {
	struct view_entry *items;	/* sorted by name */
	size_t             count, cap;
};

/* Longest template file we read; the engine refuses larger sources anyway. */
#define VIEW_READ_MAX MUSTACHE_MAX_TEMPLATE_SIZE

static int
view_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct view_entry *)a)->name, ((const struct view_entry *)b)->name);
}

static int
view_add(struct view_registry *r, const char *path, const char *name, struct buf *err)
{
	struct mustache_error merr;
	struct mustache_template *tpl;
	char msg[MUSTACHE_ERROR_FILE_MAX + MUSTACHE_ERROR_MSG_MAX + 32];
	size_t len;
	char *src;

	if (r->count == VIEW_MAX_TEMPLATES) {
		buf_printf(err, "%s: more than %d templates\n", path, VIEW_MAX_TEMPLATES);
		return -1;
	}
	if ((src = file_read(path, VIEW_READ_MAX, &len, err)) == NULL) {
		buf_putc(err, '\n');
		return -1;
	}
	/* the error names the file as the author knows it: templates/pages/home.mustache */
	tpl = mustache_compile(path, src, len, &merr);
	if (tpl == NULL) {
		free(src);
		buf_printf(err, "%s\n", mustache_error_string(&merr, msg, sizeof msg));
		return -1;
	}
	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->items = xrealloc(r->items, r->cap * sizeof *r->items);
	}
	r->items[r->count].name = xstrdup(name);
	r->items[r->count].tpl = tpl;
	r->items[r->count].src = src;
	r->count++;
	return 0;
}

/* Walks dir; prefix is the name so far ("" at the top, "partials/" below). */
static int
view_scan(struct view_registry *r, const char *dir, const char *prefix, unsigned depth,
    struct buf *err)
{
	struct dirent *de;
	int problems = 0;
	DIR *d;

	if (depth > 8) {
		buf_printf(err, "%s: directories nested too deeply\n", dir);
		return 1;
	}
	if ((d = opendir(dir)) == NULL) {
		buf_printf(err, "templates directory %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096], name[VIEW_MAX_NAME + 1];
		size_t n = strlen(de->d_name), sl = strlen(VIEW_SUFFIX);
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			char sub[VIEW_MAX_NAME + 2];

			if (snprintf(sub, sizeof sub, "%s%s/", prefix, de->d_name) >= (int)sizeof sub) {
				buf_printf(err, "%s: name too long\n", path);
				problems++;
				continue;
			}
			problems += view_scan(r, path, sub, depth + 1, err);
			continue;
		}
		if (n <= sl || strcmp(de->d_name + n - sl, VIEW_SUFFIX) != 0)
			continue;
		if (snprintf(name, sizeof name, "%s%.*s", prefix, (int)(n - sl), de->d_name) >=
		    (int)sizeof name) {
			buf_printf(err, "%s: name too long\n", path);
			problems++;
			continue;
		}
		if (view_add(r, path, name, err) < 0)
			problems++;
	}
	closedir(d);
	return problems;
}

struct view_registry *
view_registry_load(const char *dir, struct buf *err)
{
	struct view_registry *r = xcalloc(1, sizeof *r);

	if (view_scan(r, dir, "", 0, err) > 0) {
		view_registry_free(r);
		return NULL;
	}
	qsort(r->items, r->count, sizeof *r->items, view_entry_cmp);
	return r;
}

void
view_registry_free(struct view_registry *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].name);
		mustache_free(r->items[i].tpl);
		free(r->items[i].src);
	}
	free(r->items);
	free(r);
}

size_t
view_registry_count(const struct view_registry *r)
{
	return r->count;
}

const char *
view_name(const struct view_registry *r, size_t i)
{
	return i < r->count ? r->items[i].name : NULL;
}

const char *
view_source(const struct view_registry *r, const char *name)
{
	struct view_entry key = { .name = (char *)name }, *e;

	e = bsearch(&key, r->items, r->count, sizeof *r->items, view_entry_cmp);
	return e != NULL ? e->src : NULL;
}

const struct mustache_template *
view_lookup(const struct view_registry *r, const char *name, size_t len)
{
	size_t lo = 0, hi = r->count;

	/* names with NUL bytes (from data, via dynamic partials) never match a file */
	if (len > VIEW_MAX_NAME || memchr(name, '\0', len) != NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(r->items[mid].name, name, len);

		if (c == 0 && r->items[mid].name[len] != '\0')
			c = 1;
		if (c == 0)
			return r->items[mid].tpl;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct mustache_template *
view_lookup_cb(void *ctx, const char *name, size_t len)
{
	return view_lookup(ctx, name, len);
}

int
view_render(const struct view_registry *r, const char *name, struct json_object *model,
    struct buf *out, struct mustache_error *err)
{
	const struct mustache_template *t = view_lookup(r, name, strlen(name));

	if (t == NULL) {
		snprintf(err->file, sizeof err->file, "%s", name);
		err->line = err->col = 0;
		snprintf(err->message, sizeof err->message, "no such template");
		return -1;
	}
	return mustache_render(t, model, view_lookup_cb, (void *)r, out, err);
}
