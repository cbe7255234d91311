#include "core/rand.h"

#include <errno.h>
#include <sys/random.h>

int
rand_bytes(void *out, size_t n)
{
	unsigned char *p = out;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int
rand_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	size_t i, done = 0;

	while (done < n) {
		size_t k = n - done < sizeof raw ? n - done : sizeof raw;

		if (rand_bytes(raw, k) < 0)
			return -1;
		for (i = 0; i < k; i++) {
			out[2 * (done + i)] = hex[raw[i] >> 4];
			out[2 * (done + i) + 1] = hex[raw[i] & 15];
		}
		done += k;
	}
	out[2 * n] = '\0';
	return 0;
}
