/* config.c: loads, validates and reports the keys of every module's table (their
 * settings.c files; src/settings.c lists them). Nothing here names a module's key but
 * KAIROS_CONFIG, which says where the file is, and KAIROS_ENV, which config_production reads. */
#include "core/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A config file is a handful of lines; anything bigger is not a config file. */
#define CONFIG_FILE_MAX_BYTES  (64 * 1024)
#define CONFIG_LINE_MAX        4096
#define CONFIG_PREFIX          "KAIROS_"

/* The file's own key: read first, to find the file. */
#define CONFIG_FILE_KEY        "KAIROS_CONFIG"

extern char **environ;

/* Where table i's values live: its own struct, or cfg. */
static void *
config_base(struct config *cfg, size_t i)
{
	return cfg->tables[i]->size > 0 ? cfg->values[i] : (void *)cfg;
}

const void *
config_values(const struct config *cfg, const struct config_table *t)
{
	for (size_t i = 0; cfg->tables != NULL && cfg->tables[i] != NULL; i++)
		if (cfg->tables[i] == t)
			return config_base((struct config *)cfg, i);
	return NULL;	/* a table that is not in the list: a programming error */
}

/* The key named name[0..len) in any table, and where its value goes. */
static const struct config_key *
config_find(struct config *cfg, const char *name, size_t len, void **base)
{
	for (size_t i = 0; cfg->tables[i] != NULL; i++)
		for (size_t j = 0; j < cfg->tables[i]->nkeys; j++) {
			const struct config_key *k = &cfg->tables[i]->keys[j];

			if (strlen(k->name) == len && memcmp(k->name, name, len) == 0) {
				*base = config_base(cfg, i);
				return k;
			}
		}
	return NULL;
}

static bool
config_enum_allows(const char *choices, const char *value)
{
	size_t n = strlen(value);
	const char *p = choices;

	while (*p) {
		const char *end = strchr(p, '|');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, value, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

static int
config_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return (*out = true), 0;
		if (strcasecmp(v, no[i]) == 0)
			return (*out = false), 0;
	}
	return -1;
}

/* Sets one key from text; on a bad value appends a message naming where it came from. */
static int
config_set(void *base, const struct config_key *k, const char *value,
    const char *origin, struct buf *errors)
{
	char *field = (char *)base + k->offset;
	char *end;
	long n;

	switch (k->type) {
	case CONFIG_STRING:
	case CONFIG_ENUM:
		if (k->type == CONFIG_ENUM && !config_enum_allows(k->choices, value)) {
			buf_printf(errors, "%s (%s): \"%s\" is not one of %s\n",
			    k->name, origin, value, k->choices);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case CONFIG_INT:
	case CONFIG_OCTAL:
		errno = 0;
		n = strtol(value, &end, k->type == CONFIG_OCTAL ? 8 : 10);
		if (*value == '\0' || *end != '\0' || errno != 0) {
			buf_printf(errors, "%s (%s): \"%s\" is not a whole number%s\n",
			    k->name, origin, value, k->type == CONFIG_OCTAL ? " in octal" : "");
			return -1;
		}
		if (n < k->min || n > k->max) {
			buf_printf(errors, "%s (%s): %ld is outside %ld..%ld\n",
			    k->name, origin, n, k->min, k->max);
			return -1;
		}
		*(long *)field = n;
		return 0;
	case CONFIG_BOOL:
		if (config_parse_bool(value, (bool *)field) < 0) {
			buf_printf(errors, "%s (%s): \"%s\" is not true or false\n",
			    k->name, origin, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

static char *
config_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Reads KEY=VALUE lines; "export " prefixes, comments and quotes as in a shell env file. */
static int
config_read_file(struct config *cfg, const char *path, struct buf *errors)
{
	char line[CONFIG_LINE_MAX], origin[CONFIG_LINE_MAX + 32];
	unsigned lineno = 0;
	int problems = 0;
	long size;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(errors, "config file %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > CONFIG_FILE_MAX_BYTES) {
		buf_printf(errors, "config file %s: larger than %d bytes\n", path, CONFIG_FILE_MAX_BYTES);
		fclose(f);
		return 1;
	}
	rewind(f);
	while (fgets(line, sizeof line, f) != NULL) {
		const struct config_key *k;
		void *base;
		char *s, *eq, *key, *value;
		size_t vlen;

		lineno++;
		snprintf(origin, sizeof origin, "%s line %u", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			buf_printf(errors, "%s: line too long\n", origin);
			problems++;
			break;
		}
		s = config_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "export ", 7) == 0)
			s = config_trim(s + 7);
		if ((eq = strchr(s, '=')) == NULL) {
			buf_printf(errors, "%s: expected KEY=VALUE\n", origin);
			problems++;
			continue;
		}
		*eq = '\0';
		key = config_trim(s);
		value = config_trim(eq + 1);
		vlen = strlen(value);
		if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
			value[vlen - 1] = '\0';
			value++;
		}
		if ((k = config_find(cfg, key, strlen(key), &base)) == NULL) {
			buf_printf(errors, "%s: unknown key %s\n", origin, key);
			problems++;
			continue;
		}
		if (config_set(base, k, value, origin, errors) < 0)
			problems++;
	}
	fclose(f);
	return problems;
}

int
config_load(struct config *cfg, const char *file, struct buf *errors)
{
	return config_load_tables(cfg, config_tables, file, errors);
}

int
config_load_tables(struct config *cfg, const struct config_table *const *tables,
    const char *file, struct buf *errors)
{
	int problems = 0;
	const char *path;
	size_t i;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; tables[i] != NULL; i++)
		if (i == CONFIG_TABLES_MAX) {
			buf_printf(errors, "more than %d settings tables: raise CONFIG_TABLES_MAX\n",
			    CONFIG_TABLES_MAX);
			return 1;
		}
	cfg->tables = tables;
	for (i = 0; tables[i] != NULL; i++) {
		const struct config_table *t = tables[i];

		if (t->size > 0)
			cfg->values[i] = xcalloc(1, t->size);
		for (size_t j = 0; j < t->nkeys; j++)
			if (t->keys[j].def != NULL)
				config_set(config_base(cfg, i), &t->keys[j], t->keys[j].def, "default", errors);
	}

	path = file ? file : getenv(CONFIG_FILE_KEY);
	if (path != NULL && *path != '\0') {
		problems += config_read_file(cfg, path, errors);
		free(cfg->config_file);
		cfg->config_file = xstrdup(path);
	}

	for (char **e = environ; *e != NULL; e++) {
		const struct config_key *k;
		const char *eq = strchr(*e, '=');
		void *base;

		if (strncmp(*e, CONFIG_PREFIX, strlen(CONFIG_PREFIX)) != 0 || eq == NULL)
			continue;
		if ((k = config_find(cfg, *e, (size_t)(eq - *e), &base)) == NULL) {
			buf_printf(errors, "%.*s (environment): unknown key\n", (int)(eq - *e), *e);
			problems++;
			continue;
		}
		if (strcmp(k->name, CONFIG_FILE_KEY) == 0)
			continue;	/* already used to find the file */
		if (config_set(base, k, eq + 1, "environment", errors) < 0)
			problems++;
	}

	/* Every key's rule, then every table's rules across its keys: all problems at once. */
	for (i = 0; tables[i] != NULL; i++) {
		const struct config_table *t = tables[i];
		const char *base = config_base(cfg, i);

		for (size_t j = 0; j < t->nkeys; j++) {
			const struct config_key *k = &t->keys[j];
			const void *value = base + k->offset;

			if (k->def == NULL && (k->type == CONFIG_STRING || k->type == CONFIG_ENUM) &&
			    *(char *const *)value == NULL) {
				buf_printf(errors, "%s: required, not set\n", k->name);
				problems++;
			} else if (k->check != NULL && k->check(cfg, k, value, errors) < 0)
				problems++;
		}
		if (t->check != NULL)
			problems += t->check(cfg, base, errors);
	}
	return problems;
}

bool
config_production(const struct config *cfg)
{
	return cfg->env != NULL && strcmp(cfg->env, "production") == 0;
}

int
config_check_not_production(const struct config *cfg, const struct config_key *k,
    const void *value, struct buf *errors)
{
	if (!*(const bool *)value || !config_production(cfg))
		return 0;
	buf_printf(errors, "%s: not allowed when KAIROS_ENV=production\n", k->name);
	return -1;
}

int
config_refuse(const struct config_key *k, const char *text, const char *why, struct buf *errors)
{
	buf_printf(errors, "%s: \"%s\" %s\n", k->name, text, why);
	return -1;
}

void
config_start_test_clock(const struct config *cfg, bool share)
{
	long long at;

	if (config_production(cfg))
		return;	/* config_load refused both already: belt and braces */
	if (share && (cfg->debug_routes || (cfg->test_clock && *cfg->test_clock)) &&
	    clock_share_for_test() < 0)
		log_warn("test clock not shared", "mmap failed: /_debug/clock moves one worker only");
	if (cfg->test_clock && *cfg->test_clock && clock_parse_utc(cfg->test_clock, &at) == 0) {
		clock_start_at_for_test(at * 1000000LL);
		log_info("test clock", "the wall clock starts at %s", cfg->test_clock);
	}
}

void
config_free(struct config *cfg)
{
	for (size_t i = 0; cfg->tables != NULL && cfg->tables[i] != NULL; i++) {
		const struct config_table *t = cfg->tables[i];
		char *base = config_base(cfg, i);

		for (size_t j = 0; base != NULL && j < t->nkeys; j++)
			if (t->keys[j].type == CONFIG_STRING || t->keys[j].type == CONFIG_ENUM) {
				char **field = (char **)(base + t->keys[j].offset);

				free(*field);
				*field = NULL;
			}
		free(cfg->values[i]);
		cfg->values[i] = NULL;
	}
	cfg->tables = NULL;
}

void
config_print(const struct config *cfg, FILE *out)
{
	for (size_t i = 0; cfg->tables[i] != NULL; i++) {
		const struct config_table *t = cfg->tables[i];
		const char *base = config_base((struct config *)cfg, i);

		for (size_t j = 0; j < t->nkeys; j++) {
			const struct config_key *k = &t->keys[j];
			const char *field = base + k->offset;

			fprintf(out, "%s=", k->name);
			if (k->secret)
				fputs("********", out);
			else if (k->type == CONFIG_OCTAL)
				fprintf(out, "%04lo", *(const long *)field);
			else if (k->type == CONFIG_INT)
				fprintf(out, "%ld", *(const long *)field);
			else if (k->type == CONFIG_BOOL)
				fputs(*(const bool *)field ? "true" : "false", out);
			else
				fputs(*(char *const *)field ? *(char *const *)field : "", out);
			fputc('\n', out);
		}
	}
}

void
config_print_example(FILE *out)
{
	fputs("# Kairos configuration. Every key kairos knows is listed here with its default (commented\n"
	    "# out). Set them in the environment or in a file named by --config FILE or KAIROS_CONFIG;\n"
	    "# the environment wins. `kairos config --example` prints this list from the code, and\n"
	    "# `kairos config` prints the effective values (secrets masked).\n", out);
	for (size_t i = 0; config_tables[i] != NULL; i++) {
		const struct config_table *t = config_tables[i];

		fprintf(out, "\n# ---- %s (src/%s/settings.c) ----\n\n", t->title, t->module);
		for (size_t j = 0; j < t->nkeys; j++) {
			const struct config_key *k = &t->keys[j];

			fprintf(out, "%s# %s\n", j > 0 ? "\n" : "", k->doc);
			if (k->type == CONFIG_ENUM)
				fprintf(out, "# One of: %s.\n", k->choices);
			if (k->def == NULL)
				fprintf(out, "# Required.\n%s=\n", k->name);
			else
				fprintf(out, "#%s=%s\n", k->name, k->def);
		}
	}
}

void
config_print_secrets(FILE *out)
{
	for (size_t i = 0; config_tables[i] != NULL; i++)
		for (size_t j = 0; j < config_tables[i]->nkeys; j++)
			if (config_tables[i]->keys[j].secret)
				fprintf(out, "%s\n", config_tables[i]->keys[j].name);
}

int
config_load_logged(struct config *cfg, const char *file)
{
	struct buf errors = BUF_INIT;
	char *line, *nl;

	if (config_load(cfg, file, &errors) == 0) {
		buf_free(&errors);
		return 0;
	}
	for (line = errors.data; line != NULL && (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		log_error("configuration invalid", "%s", line);
	}
	buf_free(&errors);
	config_free(cfg);
	return -1;
}

const char *
config_admin_database_url(const struct config *cfg)
{
	return cfg->admin_database_url != NULL && *cfg->admin_database_url != '\0' ?
	    cfg->admin_database_url : cfg->database_url;
}
