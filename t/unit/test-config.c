/* config: defaults, file, environment precedence, and one message per bad key. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "notify/notify.h"
#include "tap.h"

static char tmpfile_path[] = "/tmp/kairos-test-config-XXXXXX";

static void
write_file(const char *text)
{
	int fd = mkstemp(tmpfile_path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
}

extern char **environ;

/* A module that keeps its values in a struct of its own (struct config_table's size). */
struct pets {
	char *name;
	long  legs;
	bool  tame;
};

static int checks_run;

static int
pets_check_legs(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	checks_run++;
	if (*(const long *)value % 2 == 0 || !config_production(cfg))
		return 0;
	buf_printf(errors, "%s: an odd number of legs in production\n", k->name);
	return -1;
}

static int
pets_check(const struct config *cfg, const void *values, struct buf *errors)
{
	const struct pets *p = values;

	(void)cfg;
	if (p->tame || strcmp(p->name, "rex") != 0)
		return 0;
	buf_printf(errors, "KAIROS_PET_TAME: rex must be tame\n");
	return 1;
}

static const struct config_key pets_keys[] = {
	{ "KAIROS_PET_NAME", CONFIG_STRING, offsetof(struct pets, name), "tom", 0, 0, NULL, true, NULL, "Name." },
	{ "KAIROS_PET_LEGS", CONFIG_INT, offsetof(struct pets, legs), "4", 0, 100, NULL, false, pets_check_legs, "Legs." },
	{ "KAIROS_PET_TAME", CONFIG_BOOL, offsetof(struct pets, tame), "true", 0, 0, NULL, false, NULL, "Tame." },
};
static const struct config_table pets_settings = {
	"pets", "Pets", CONFIG_KEYS(pets_keys), sizeof(struct pets), pets_check,
};
static const struct config_table *const pets_tables[] = { &core_settings, &pets_settings, NULL };

/* Removes every KAIROS_* variable, so the test sees only what it sets. */
static void
clear_env(void)
{
	char name[256];

	for (size_t i = 0; environ[i] != NULL;) {
		const char *eq = strchr(environ[i], '=');

		if (strncmp(environ[i], "KAIROS_", 7) == 0 && eq && (size_t)(eq - environ[i]) < sizeof name) {
			memcpy(name, environ[i], (size_t)(eq - environ[i]));
			name[eq - environ[i]] = '\0';
			unsetenv(name);
			i = 0;
			continue;
		}
		i++;
	}
}

int
main(void)
{
	struct buf errors = BUF_INIT;
	struct config cfg;
	int n;

	clear_env();
	n = config_load(&cfg, NULL, &errors);
	is_int(n, 1, "with nothing set, only the required database URL is missing");
	ok(strstr(errors.data, "KAIROS_DATABASE_URL: required") != NULL, "and the message names it");
	config_free(&cfg);

	buf_reset(&errors);
	setenv("KAIROS_DATABASE_URL", "dbname=kairos", 1);
	n = config_load(&cfg, NULL, &errors);
	is_int(n, 0, "a database URL is enough");
	is_int(cfg.workers, 0, "workers default to 0 (one per core)");
	is_int(cfg.max_body_bytes, 1048576, "body limit default");
	is_str(cfg.env, "production", "the environment defaults to production");
	ok(!cfg.debug_routes, "debug routes default off");
	config_free(&cfg);

	buf_reset(&errors);
	setenv("KAIROS_WORKERS", "lots", 1);
	setenv("KAIROS_ENV", "staging", 1);
	setenv("KAIROS_NOPE", "1", 1);
	setenv("KAIROS_SOCKET_MODE", "0999", 1);
	n = config_load(&cfg, NULL, &errors);
	is_int(n, 4, "four bad keys, four problems");
	ok(strstr(errors.data, "KAIROS_WORKERS (environment): \"lots\" is not a whole number") != NULL,
	    "bad number named");
	ok(strstr(errors.data, "KAIROS_ENV (environment): \"staging\" is not one of") != NULL,
	    "bad choice named");
	ok(strstr(errors.data, "KAIROS_NOPE (environment): unknown key") != NULL, "unknown key named");
	ok(strstr(errors.data, "KAIROS_SOCKET_MODE (environment)") != NULL, "bad octal named");
	config_free(&cfg);
	unsetenv("KAIROS_NOPE");
	unsetenv("KAIROS_ENV");
	unsetenv("KAIROS_SOCKET_MODE");

	buf_reset(&errors);
	setenv("KAIROS_WORKERS", "999", 1);
	n = config_load(&cfg, NULL, &errors);
	ok(n == 1 && strstr(errors.data, "999 is outside 0..256"), "out of range is named with the range");
	config_free(&cfg);
	unsetenv("KAIROS_WORKERS");

	buf_reset(&errors);
	write_file("# comment\n\nexport KAIROS_WORKERS=3\nKAIROS_ENV=\"test\"\n"
	    "KAIROS_DEBUG_ROUTES=yes\nKAIROS_SOCKET_MODE=0600\n");
	setenv("KAIROS_WORKERS", "5", 1);
	n = config_load(&cfg, tmpfile_path, &errors);
	is_int(n, 0, "a config file with comments, export and quotes loads");
	is_int(cfg.workers, 5, "the environment wins over the file");
	is_str(cfg.env, "test", "quoted values are unquoted");
	ok(cfg.debug_routes, "booleans accept yes");
	is_int(cfg.socket_mode, 0600, "the socket mode is octal");
	config_free(&cfg);
	unlink(tmpfile_path);
	unsetenv("KAIROS_WORKERS");

	buf_reset(&errors);
	strcpy(tmpfile_path, "/tmp/kairos-test-config-XXXXXX");
	write_file("KAIROS_ENV=production\nKAIROS_DEBUG_ROUTES=true\nKAIROS_TYPO=1\nnonsense\n");
	n = config_load(&cfg, tmpfile_path, &errors);
	is_int(n, 3, "bad file: unknown key, bad line, debug routes in production");
	ok(strstr(errors.data, "line 3: unknown key KAIROS_TYPO") != NULL, "file errors give the line");
	ok(strstr(errors.data, "line 4: expected KEY=VALUE") != NULL, "a line without = is named");
	ok(strstr(errors.data, "not allowed when KAIROS_ENV=production") != NULL,
	    "debug routes are refused in production");
	config_free(&cfg);
	unlink(tmpfile_path);

	buf_reset(&errors);
	n = config_load(&cfg, "/nonexistent/kairos.env", &errors);
	ok(n >= 1 && strstr(errors.data, "/nonexistent/kairos.env: No such file"),
	    "a missing config file is an error, not silence");
	config_free(&cfg);

	/* Email: what each provider needs, and plain SMTP only to this machine in production. */
	{
		static const struct {
			const char *env, *want;	/* KEY=value lines; the message expected, or NULL */
			const char *name;
		} cases[] = {
			{ "KAIROS_EMAIL_PROVIDER=sendgrid", "KAIROS_SENDGRID_API_KEY: required with KAIROS_EMAIL_PROVIDER=sendgrid",
			  "sendgrid needs an API key" },
			{ "KAIROS_EMAIL_PROVIDER=sendgrid", "KAIROS_EMAIL_FROM: required with KAIROS_EMAIL_PROVIDER=sendgrid",
			  "and a sender" },
			{ "KAIROS_EMAIL_PROVIDER=smtp", "KAIROS_SMTP_URL: required with KAIROS_EMAIL_PROVIDER=smtp",
			  "smtp needs a server" },
			{ "KAIROS_EMAIL_PROVIDER=smtp\nKAIROS_EMAIL_FROM=a@example.org\nKAIROS_SMTP_URL=http://x",
			  "must start with smtp:// or smtps://", "an SMTP URL that is not one is refused" },
			{ "KAIROS_EMAIL_FROM=a@example.org> NOTIFY=NEVER", "is not an email address",
			  "a sender that could extend an SMTP command is refused" },
			{ "KAIROS_EMAIL_PROVIDER=smtp\nKAIROS_EMAIL_FROM=a@example.org\nKAIROS_SMTP_URL=smtp://mail.example.org\nKAIROS_SMTP_ALLOW_PLAINTEXT=true\nKAIROS_ENV=production",
			  "KAIROS_SMTP_ALLOW_PLAINTEXT: not allowed in production", "plain SMTP across the network in production is refused" },
			{ "KAIROS_EMAIL_PROVIDER=smtp\nKAIROS_EMAIL_FROM=a@example.org\nKAIROS_SMTP_URL=smtp://127.evil.example:25\nKAIROS_SMTP_ALLOW_PLAINTEXT=true\nKAIROS_ENV=production",
			  "KAIROS_SMTP_ALLOW_PLAINTEXT: not allowed in production", "a host name starting 127. is not loopback" },
			{ "KAIROS_EMAIL_PROVIDER=smtp\nKAIROS_EMAIL_FROM=a@example.org\nKAIROS_SMTP_URL=smtp://localhost.evil.example\nKAIROS_SMTP_ALLOW_PLAINTEXT=true\nKAIROS_ENV=production",
			  "KAIROS_SMTP_ALLOW_PLAINTEXT: not allowed in production", "nor one starting localhost." },
			{ "KAIROS_EMAIL_PROVIDER=smtp\nKAIROS_EMAIL_FROM=a@example.org\nKAIROS_SMTP_URL=smtp://user@127.0.0.1:25\nKAIROS_SMTP_ALLOW_PLAINTEXT=true\nKAIROS_ENV=production",
			  NULL, "plain SMTP to 127.0.0.1 in production is allowed (a local relay)" },
			{ "KAIROS_EMAIL_PROVIDER=smtp\nKAIROS_EMAIL_FROM=a@example.org\nKAIROS_SMTP_URL=smtp://[::1]:25\nKAIROS_SMTP_ALLOW_PLAINTEXT=true\nKAIROS_ENV=production",
			  NULL, "so is [::1]" },
			{ "KAIROS_EMAIL_PROVIDER=smtp\nKAIROS_EMAIL_FROM=a@example.org\nKAIROS_SMTP_URL=smtp://mail.example.org:587",
			  NULL, "STARTTLS to any host is fine" },
		};

		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			char text[512];

			buf_reset(&errors);
			snprintf(text, sizeof text, "%s\n", cases[i].env);
			strcpy(tmpfile_path, "/tmp/kairos-test-config-XXXXXX");
			write_file(text);
			n = config_load(&cfg, tmpfile_path, &errors);
			if (cases[i].want == NULL)
				ok(n == 0, "%s", cases[i].name);
			else
				ok(n > 0 && strstr(buf_cstr(&errors), cases[i].want) != NULL, "%s", cases[i].name);
			if (!(cases[i].want == NULL ? n == 0 : strstr(buf_cstr(&errors), cases[i].want) != NULL))
				diag("errors: %s", buf_cstr(&errors));
			config_free(&cfg);
			unlink(tmpfile_path);
		}
	}
	{
		/* KAIROS_PROVIDER_RATE_LIMITS: NAME=N pairs; notify_rate_limit reads one back */
		static const struct {
			const char *value, *want, *name;
		} cases[] = {
			{ "", NULL, "no rate limits: allowed" },
			{ "twilio=50,sendgrid=600,meta=80,gallabox=20,smtp=10", NULL, "every provider named once" },
			{ "twilio=fast", "the rate of twilio must be a whole number", "a rate that is no number" },
			{ "twilio=0", "the rate of twilio must be a whole number", "a rate of 0 (empty means unlimited)" },
			{ "twilio=100001", "1..100000", "a rate over the maximum" },
			{ "twilio=-5", "the rate of twilio must be a whole number", "a negative rate" },
			{ "twilio=5,twilio=6", "twilio is named twice", "a provider named twice" },
			{ "pigeon=5", "NAME one of twilio, sendgrid, smtp, meta, gallabox", "an unknown provider" },
			{ "twilio=5,", "a trailing comma", "a trailing comma" },
			{ "twilio = 5", "expected NAME=N pairs", "spaces" },
		};

		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			buf_reset(&errors);
			setenv("KAIROS_PROVIDER_RATE_LIMITS", cases[i].value, 1);
			n = config_load(&cfg, NULL, &errors);
			if (cases[i].want == NULL)
				ok(n == 0, "%s", cases[i].name);
			else
				ok(n == 1 && strstr(buf_cstr(&errors), cases[i].want) != NULL, "%s", cases[i].name);
			config_free(&cfg);
		}
		setenv("KAIROS_PROVIDER_RATE_LIMITS", "twilio=50,sendgrid=600", 1);
		n = config_load(&cfg, NULL, &errors);
		is_int(notify_rate_limit(&cfg, "sendgrid"), 600, "notify_rate_limit reads a provider's rate");
		is_int(notify_rate_limit(&cfg, "meta"), 0, "and 0 (unlimited) for one not listed");
		is_int(cfg.notify_concurrency, 16, "KAIROS_NOTIFY_CONCURRENCY defaults to 16");
		config_free(&cfg);
		unsetenv("KAIROS_PROVIDER_RATE_LIMITS");
	}

	/* A table of one's own: its values in its own struct, its key checks and table check. */
	{
		const struct pets *p;
		char *out = NULL;
		size_t outlen = 0;
		FILE *f;

		clear_env();
		buf_reset(&errors);
		n = config_load_tables(&cfg, pets_tables, NULL, &errors);
		p = config_values(&cfg, &pets_settings);
		is_int(n, 0, "a table of one's own loads its defaults");
		ok(p != NULL && p != (const void *)&cfg, "into a struct of its own");
		is_str(p->name, "tom", "a string default");
		is_int(p->legs, 4, "a number default");
		ok(p->tame, "a boolean default");
		is_int(checks_run, 1, "each key's check runs once per load");
		ok(config_values(&cfg, &notify_settings) == NULL, "a table not loaded has no values");
		f = open_memstream(&out, &outlen);
		config_print(&cfg, f);
		fclose(f);
		ok(strstr(out, "KAIROS_PET_NAME=********\n") != NULL && strstr(out, "KAIROS_PET_LEGS=4\n") != NULL,
		    "config_print reads its values, masking its secrets");
		free(out);
		config_free(&cfg);

		buf_reset(&errors);
		setenv("KAIROS_PET_NAME", "rex", 1);
		setenv("KAIROS_PET_LEGS", "3", 1);
		setenv("KAIROS_PET_TAME", "no", 1);
		setenv("KAIROS_WORKERS", "2", 1);	/* http's: not in this list of tables */
		n = config_load_tables(&cfg, pets_tables, NULL, &errors);
		p = config_values(&cfg, &pets_settings);
		is_int(n, 3, "a key check, a table check and an unknown key: three problems");
		is_str(p->name, "rex", "the environment sets a value in the module's struct");
		ok(strstr(buf_cstr(&errors), "KAIROS_PET_LEGS: an odd number of legs in production") != NULL, "the key's check reports");
		ok(strstr(buf_cstr(&errors), "KAIROS_PET_TAME: rex must be tame") != NULL, "the table's check reports");
		ok(strstr(buf_cstr(&errors), "KAIROS_WORKERS (environment): unknown key") != NULL,
		    "a key of a table not listed is unknown");
		config_free(&cfg);

		buf_reset(&errors);
		setenv("KAIROS_ENV", "test", 1);
		unsetenv("KAIROS_WORKERS");
		n = config_load_tables(&cfg, pets_tables, NULL, &errors);
		is_int(n, 1, "a key check sees another table's value (KAIROS_ENV=test: odd legs allowed)");
		config_free(&cfg);
		clear_env();
	}
	{
		/* Every key is declared by one module only. */
		size_t keys = 0, dup = 0;

		for (size_t i = 0; config_tables[i] != NULL; i++)
			for (size_t j = 0; j < config_tables[i]->nkeys; j++) {
				keys++;
				for (size_t a = 0; config_tables[a] != NULL; a++)
					for (size_t b = 0; b < config_tables[a]->nkeys; b++)
						if ((a != i || b != j) && strcmp(config_tables[i]->keys[j].name,
						    config_tables[a]->keys[b].name) == 0)
							dup++;
			}
		is_int(dup, 0, "no key is declared by two modules");
		ok(keys >= 59, "the tables declare every key (%zu)", keys);
	}
	buf_free(&errors);
	return tap_done();
}
