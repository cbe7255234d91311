/* view: every template of Kairos, compiled once per worker, and rendering by name.
 *
 * The registry compiles each templates/ file NAME.mustache at worker start (a syntax error
 * stops the start with file:line:col). Templates find each other by path name without the
 * extension ("layout", "partials/field", "pages/home"); pages extend the layout through
 * inheritance blocks ({{<layout}}{{$main}}…{{/main}}{{/layout}}). */
#ifndef KAIROS_VIEW_H
#define KAIROS_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "view/mustache.h"

struct json_object;

/* More than Kairos will ever have; a guard against pointing the registry at the wrong tree. */
#define VIEW_MAX_TEMPLATES 4096
#define VIEW_MAX_NAME      200
#define VIEW_SUFFIX        ".mustache"

struct view_registry;

/* Compiles every *.mustache below dir. Returns a registry the caller owns
 * (view_registry_free), or NULL with "file:line:col: message" lines appended to err. */
struct view_registry *view_registry_load(const char *dir, struct buf *err);
void view_registry_free(struct view_registry *r);
size_t view_registry_count(const struct view_registry *r);
/* The name of the i-th template in name order, or NULL past the last. Owned by the registry. */
const char *view_name(const struct view_registry *r, size_t i);
/* The text of template `name` as read (NUL-terminated, owned by the registry), or NULL: for
 * what a page needs before it is rendered (web/ asks once, at load, which pages post a form). */
const char *view_source(const struct view_registry *r, const char *name);

/* The compiled template called name (len bytes), or NULL. Owned by the registry. */
const struct mustache_template *view_lookup(const struct view_registry *r, const char *name,
	size_t len);

/* Renders the template `name` over model into out (appended). 0, or -1 with *err set and
 * out as it was (an unknown name is an error too). */
int view_render(const struct view_registry *r, const char *name, struct json_object *model,
	struct buf *out, struct mustache_error *err);

#endif
