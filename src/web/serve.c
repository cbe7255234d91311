/* serve.c: `kairos serve` — configuration, the FastCGI socket, and the worker pool. */
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct serve_master {
	struct config cfg;		/* owned; replaced on a valid SIGHUP reload */
	const char   *config_file;	/* --config, or NULL */
};

static void
serve_apply_log_level(const struct config *cfg)
{
	enum log_level level = LOG_INFO;

	log_level_parse(cfg->log_level, &level);
	log_set_level(level);
}

/* What serve needs beyond config_load: the JWT keys parse. 0, or -1 logged. */
static int
serve_config_check(const struct config *cfg)
{
	struct auth_keyring ring;
	struct buf err = BUF_INIT;
	int rc = 0;

	if (auth_keyring_parse(cfg->jwt_keys, &ring, &err) < 0) {
		log_error("configuration invalid", "KAIROS_JWT_KEYS: %s (kairos serve needs it)",
		    buf_cstr(&err));
		rc = -1;
	}
	buf_free(&err);
	return rc;
}

static int
serve_reload(void *ctx)
{
	struct serve_master *m = ctx;
	struct config fresh;

	if (config_load_logged(&fresh, m->config_file) < 0)
		return -1;
	if (serve_config_check(&fresh) < 0) {
		config_free(&fresh);
		return -1;
	}
	if (strcmp(fresh.socket_path, m->cfg.socket_path) != 0)
		log_warn("socket unchanged", "KAIROS_SOCKET changes need a restart; still on %s",
		    m->cfg.socket_path);
	config_free(&m->cfg);
	m->cfg = fresh;
	serve_apply_log_level(&m->cfg);
	return 0;
}

static unsigned
serve_worker_count(void *ctx)
{
	struct serve_master *m = ctx;
	long cores;

	if (m->cfg.workers > 0)
		return (unsigned)m->cfg.workers;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores > 0 ? (unsigned)cores : 1;
}

static unsigned
serve_shutdown_timeout(void *ctx)
{
	return (unsigned)((struct serve_master *)ctx)->cfg.shutdown_timeout;
}

static int
serve_worker_main(void *ctx, int listen_fd, int stop_fd)
{
	struct serve_master *m = ctx;
	struct buf err = BUF_INIT;
	struct web_app app;
	char dir[4096];
	int rc = 1;

	memset(&app, 0, sizeof app);
	app.cfg = m->cfg;	/* this process's copy, made by fork */
	snprintf(dir, sizeof dir, "%s/migrations", app.cfg.share_dir);
	if (auth_keyring_parse(app.cfg.jwt_keys, &app.keys, &err) < 0 ||
	    db_migrations_load(dir, &app.migrations, &err) < 0 || web_views_load(&app, &err) < 0) {
		log_error("worker cannot start", "%s", buf_cstr(&err));
		goto out;
	}
	db_init(&app.db, app.cfg.database_url, (int)app.cfg.db_connect_timeout,
	    app.cfg.statement_timeout_ms);
	app.db.before = web_db_first_use;
	app.db.before_ctx = &app;
	http_prefork_ready();
	rc = http_fcgi_serve(listen_fd, stop_fd, web_dispatch, &app) == 0 ? 0 : 1;
	db_close(&app.db);
out:
	web_views_free(&app);
	db_migrations_free(&app.migrations);
	config_free(&m->cfg);
	buf_free(&err);
	close(stop_fd);
	close(listen_fd);
	return rc;
}

int
web_serve_main(int argc, char **argv, const char *config_file)
{
	struct serve_master m = { .config_file = config_file };
	struct http_prefork pf;
	int rc;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: kairos serve\n");
		return 2;
	}
	log_set_role("master");
	if (config_load_logged(&m.cfg, config_file) < 0)
		return 1;
	if (serve_config_check(&m.cfg) < 0) {
		config_free(&m.cfg);
		return 1;
	}
	serve_apply_log_level(&m.cfg);
	config_start_test_clock(&m.cfg, true);	/* before the workers fork: they share it */
	/* libphonenumber's metadata, loaded here once: every worker forked after shares it */
	if (phone_init() < 0) {
		log_error("phone numbers unavailable", "libphonenumber failed to load its metadata");
		config_free(&m.cfg);
		return 1;
	}
	pf = (struct http_prefork){
		.listen_fd = http_fcgi_listen(m.cfg.socket_path, (unsigned)m.cfg.socket_mode),
		.worker_main = serve_worker_main,
		.reload = serve_reload,
		.worker_count = serve_worker_count,
		.shutdown_timeout = serve_shutdown_timeout,
		.ctx = &m,
	};
	if (pf.listen_fd < 0) {
		config_free(&m.cfg);
		return 1;
	}
	log_info("listening", "%s", m.cfg.socket_path);
	rc = http_prefork_run(&pf);
	close(pf.listen_fd);
	unlink(m.cfg.socket_path);
	config_free(&m.cfg);
	return rc;
}
