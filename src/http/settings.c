/* settings.c: http's keys — the FastCGI socket, the workers, request bodies, shutdown. */
#include "http/http.h"

#include <stddef.h>

#define F(field) offsetof(struct config, field)

static int
http_check_socket(const struct config *cfg, const struct config_key *k, const void *value,
    struct buf *errors)
{
	(void)cfg;
	if (*CONFIG_TEXT(value) != '\0')
		return 0;
	buf_printf(errors, "%s: must not be empty\n", k->name);
	return -1;
}

static const struct config_key http_keys[] = {
	{ "KAIROS_SOCKET", CONFIG_STRING, F(socket_path), "/run/kairos/kairos.sock", 0, 0, NULL, false,
	  http_check_socket, "Path of the FastCGI unix socket that nginx connects to." },
	{ "KAIROS_SOCKET_MODE", CONFIG_OCTAL, F(socket_mode), "0660", 0, 0777, NULL, false, NULL,
	  "Permissions of the FastCGI socket (octal)." },
	{ "KAIROS_WORKERS", CONFIG_INT, F(workers), "0", 0, 256, NULL, false, NULL,
	  "Number of worker processes; 0 means one per CPU core." },
	{ "KAIROS_MAX_BODY_BYTES", CONFIG_INT, F(max_body_bytes), "1048576", 1024, 64L * 1024 * 1024, NULL, false, NULL,
	  "Largest request body accepted; larger ones get 413. Keep nginx's client_max_body_size above it." },
	{ "KAIROS_SHUTDOWN_TIMEOUT", CONFIG_INT, F(shutdown_timeout), "30", 1, 3600, NULL, false, NULL,
	  "Seconds in-flight requests get to finish on SIGTERM before workers are killed." },
};

const struct config_table http_settings = {
	"http", "The FastCGI server", CONFIG_KEYS(http_keys), 0, NULL,
};
