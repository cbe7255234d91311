/* user_cli.c: `kairos user add` — staff accounts from the command line, above all the
 * first admin of a new installation (AUTH-5). The password is read from standard input so
 * it never appears in the process list or shell history. */
#include "auth/auth.h"
#include "audit/audit.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

static struct db_stmt auth_stmt_cli_org = DB_STMT("auth_cli_org", 1,
	"SELECT id FROM organisations WHERE CASE WHEN $1 = '' THEN is_default ELSE slug = $1 END");

static struct db_stmt auth_stmt_cli_add = DB_STMT("auth_cli_add", 5,
	"INSERT INTO users (org_id, role, email, name, password_hash) VALUES ($1, $2, $3, $4, $5)"
	" ON CONFLICT DO NOTHING RETURNING id");

static int
auth_user_usage(void)
{
	fprintf(stderr, "usage: kairos user add --role admin|practitioner|receptionist --email EMAIL"
	    " [--name NAME] [--org SLUG] --password-stdin\n");
	return 2;
}

/* One line of standard input without its newline. -1 when too long or absent. */
static int
auth_read_password(char *out, size_t size)
{
	size_t n;

	if (fgets(out, (int)size, stdin) == NULL)
		return -1;
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == size - 1)
		return -1;	/* no newline within the limit: longer than AUTH_PASSWORD_MAX */
	out[n] = '\0';
	return (int)n;
}

int
auth_user_main(int argc, char **argv, struct db *db)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' }, { "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' }, { "org", required_argument, NULL, 'o' },
		{ "password-stdin", no_argument, NULL, 'p' }, { NULL, 0, NULL, 0 },
	};
	const char *role = NULL, *email = NULL, *name = NULL, *org = "";
	char password[AUTH_PASSWORD_MAX + 2], hash[AUTH_HASH_MAX], org_id[AUTH_UUID_SIZE],
	     id[AUTH_UUID_SIZE];
	bool from_stdin = false;
	int c, len, rc = 1;

	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return auth_user_usage();
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (c) {
		case 'r': role = optarg; break;
		case 'e': email = optarg; break;
		case 'n': name = optarg; break;
		case 'o': org = optarg; break;
		case 'p': from_stdin = true; break;
		default: return auth_user_usage();
		}
	if (optind != argc || role == NULL || email == NULL || !from_stdin)
		return auth_user_usage();
	if ((auth_role_parse(role) & AUTH_ROLES_STAFF) == 0) {
		fprintf(stderr, "kairos user: --role must be admin, practitioner or receptionist\n");
		return 2;
	}
	if (strlen(email) > 254 || strchr(email, '@') == NULL) {
		fprintf(stderr, "kairos user: --email must be an email address\n");
		return 2;
	}
	if ((len = auth_read_password(password, sizeof password)) < AUTH_PASSWORD_MIN) {
		fprintf(stderr, "kairos user: the password (one line on standard input) must be %d to %d characters\n",
		    AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
		OPENSSL_cleanse(password, sizeof password);
		return 2;
	}
	if (auth_hash(password, (size_t)len, hash) < 0) {
		fprintf(stderr, "kairos user: cannot hash the password\n");
		OPENSSL_cleanse(password, sizeof password);
		return 1;
	}
	OPENSSL_cleanse(password, sizeof password);
	{
		const char *p[] = { org };

		if (db_query_value(db, &auth_stmt_cli_org, p, org_id, sizeof org_id) != DB_OK) {
			fprintf(stderr, "kairos user: no organisation %s\n", *org ? org : "(default)");
			return 1;
		}
	}
	if (db_exec_simple(db, "BEGIN") != DB_OK)
		goto fail;
	{
		const char *p[] = { org_id, role, email, name ? name : email, hash };
		PGresult *res = NULL;

		if (db_query(db, &auth_stmt_cli_add, p, &res) != DB_OK)
			goto fail;
		if (PQntuples(res) != 1) {
			PQclear(res);
			db_rollback(db);
			fprintf(stderr, "kairos user: %s already has an account\n", email);
			return 1;
		}
		db_copy(id, sizeof id, res, 0, 0);
		PQclear(res);
	}
	{
		char details[64];
		struct audit_entry e = { .org_id = org_id, .actor_kind = "system",
			.action = "auth.staff_created", .subject_type = "user", .subject_id = id,
			.details_json = details };

		snprintf(details, sizeof details, "{\"role\":\"%s\"}", role);
		if (audit_record(db, &e) != DB_OK || db_commit(db) != DB_OK)
			goto fail;
	}
	printf("created %s %s (%s)\n", role, email, id);
	rc = 0;
	return rc;
fail:
	fprintf(stderr, "kairos user: %s\n", db->error);
	db_rollback(db);
	return rc;
}
