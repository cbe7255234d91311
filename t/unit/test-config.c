/* config: defaults, file, environment precedence, and one message per bad key. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
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
		/* KAIROS_PROVIDER_RATE_LIMITS: NAME=N pairs; config_rate_limit reads one back */
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
		is_int(config_rate_limit(&cfg, "sendgrid"), 600, "config_rate_limit reads a provider's rate");
		is_int(config_rate_limit(&cfg, "meta"), 0, "and 0 (unlimited) for one not listed");
		is_int(cfg.notify_concurrency, 16, "KAIROS_NOTIFY_CONCURRENCY defaults to 16");
		config_free(&cfg);
		unsetenv("KAIROS_PROVIDER_RATE_LIMITS");
	}
	buf_free(&errors);
	return tap_done();
}
