/* argon2-bench.c: what one argon2id costs on this machine, with Kairos's own code and
 * parameters (src/auth/password.c, AUTH_ARGON2_* in src/auth/auth.h), for `bench/run auth`:
 * the raw ceiling that verify-otp and staff sign-in cannot beat per core.
 *
 *   argon2-bench rate SECONDS   hashes and verifications per second on the calling core:
 *                               "hashes_per_sec=H verifies_per_sec=V"
 *   argon2-bench hash           the encoded hash of the line on standard input (without its
 *                               newline), which the bench stores as many numbers' code */
#include "auth/auth.h"
#include "bench-clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Calls of one step in `seconds`, per second. */
static double
rate(double seconds, int (*step)(char *), char *hash)
{
	double t0 = bench_now(), t;
	long n = 0;

	do {
		if (step(hash) < 0) {
			fprintf(stderr, "argon2-bench: argon2id failed\n");
			exit(1);
		}
		n++;
	} while ((t = bench_now() - t0) < seconds);
	return (double)n / t;
}

static int
hash_step(char *out)
{
	return auth_hash("123456", 6, out);
}

static int
verify_step(char *hash)
{
	return auth_hash_verify(hash, "123456", 6) ? 0 : -1;
}

int
main(int argc, char **argv)
{
	char hash[AUTH_HASH_MAX], line[AUTH_PASSWORD_MAX + 2];
	double seconds, h;

	if (argc == 3 && strcmp(argv[1], "rate") == 0 && (seconds = atof(argv[2])) > 0) {
		h = rate(seconds / 2, hash_step, hash);
		printf("hashes_per_sec=%.1f verifies_per_sec=%.1f\n", h, rate(seconds / 2, verify_step, hash));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "hash") == 0 && fgets(line, sizeof line, stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (auth_hash(line, strlen(line), hash) < 0)
			return 1;
		puts(hash);
		return 0;
	}
	fprintf(stderr, "usage: argon2-bench rate SECONDS | argon2-bench hash < secret\n");
	return 2;
}
