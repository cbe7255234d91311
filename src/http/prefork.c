/* prefork.c: the master process. Binds nothing itself (the caller passes the listening
 * socket), forks workers, restarts the ones that die (backing off when they crash in a
 * loop), replaces them one at a time on SIGHUP, and drains them on SIGTERM.
 *
 * Signals reach the master through a signalfd, and workers tell it they are ready through
 * a pipe, so the whole master is one poll() loop with no async-signal-safety traps. */
#include "http/http.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define PREFORK_MAX_WORKERS      256
#define PREFORK_SLOTS            (2 * PREFORK_MAX_WORKERS)	/* old + new during a reload */
/* A worker that dies sooner than this after starting counts as crash-looping. */
#define PREFORK_CRASH_WINDOW_MS  2000
#define PREFORK_BACKOFF_MIN_MS   100
#define PREFORK_BACKOFF_MAX_MS   30000
/* How long a replacement worker may take to become ready before a reload is abandoned. */
#define PREFORK_READY_TIMEOUT_MS 30000

enum prefork_state { SLOT_FREE, SLOT_STARTING, SLOT_READY, SLOT_STOPPING };

struct prefork_slot {
	enum prefork_state state;
	pid_t              pid;
	unsigned           generation;
	long long          started_ms;
};

struct prefork_master {
	const struct http_prefork *pf;
	struct prefork_slot slots[PREFORK_SLOTS];
	unsigned  generation;		/* workers of older generations are being replaced */
	unsigned  wanted;
	unsigned  crashes;		/* consecutive quick deaths */
	long long next_spawn_ms;	/* backoff: no spawn before this */
	bool      rolling;		/* a SIGHUP replacement is in progress */
	long long roll_started_ms;
	bool      stopping;
	long long stop_deadline_ms;
	int       sfd;
	int       ready_rd, ready_wr;
};

static int prefork_ready_fd = -1;

static long long
prefork_now_ms(void)
{
	return clock_mono_us() / 1000;
}

void
http_prefork_ready(void)
{
	pid_t pid = getpid();

	if (prefork_ready_fd < 0)
		return;
	/* sizeof(pid_t) < PIPE_BUF: the write is atomic even with many workers. */
	if (write(prefork_ready_fd, &pid, sizeof pid) != (ssize_t)sizeof pid)
		log_warn("ready signal lost", "%s", strerror(errno));
	close(prefork_ready_fd);
	prefork_ready_fd = -1;
}

/* The pool size the caller wants, kept within 1..PREFORK_MAX_WORKERS. */
static unsigned
prefork_wanted(const struct http_prefork *pf)
{
	unsigned n = pf->worker_count(pf->ctx);

	return n == 0 ? 1 : n > PREFORK_MAX_WORKERS ? PREFORK_MAX_WORKERS : n;
}

static unsigned
prefork_count(const struct prefork_master *m, enum prefork_state state, bool current)
{
	unsigned n = 0;

	for (size_t i = 0; i < PREFORK_SLOTS; i++)
		if (m->slots[i].state == state &&
		    (!current || m->slots[i].generation == m->generation))
			n++;
	return n;
}

static struct prefork_slot *
prefork_find(struct prefork_master *m, pid_t pid)
{
	for (size_t i = 0; i < PREFORK_SLOTS; i++)
		if (m->slots[i].state != SLOT_FREE && m->slots[i].pid == pid)
			return &m->slots[i];
	return NULL;
}

static void
prefork_child(struct prefork_master *m)
{
	sigset_t set;
	int sfd, status;

	/* If the master dies, its workers must not linger holding the socket. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(1);
	close(m->sfd);
	close(m->ready_rd);
	prefork_ready_fd = m->ready_wr;
	log_set_role("worker");

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGHUP, SIG_IGN);	/* reloads are the master's business */
	signal(SIGCHLD, SIG_DFL);
	if (sfd < 0)
		_exit(1);
	status = m->pf->worker_main(m->pf->ctx, m->pf->listen_fd, sfd);
	/* exit, not _exit: LeakSanitizer checks a worker's memory at exit in test builds */
	exit(status);
}

static int
prefork_spawn(struct prefork_master *m)
{
	struct prefork_slot *slot = NULL;
	pid_t pid;

	for (size_t i = 0; i < PREFORK_SLOTS && slot == NULL; i++)
		if (m->slots[i].state == SLOT_FREE)
			slot = &m->slots[i];
	if (slot == NULL)
		return -1;
	fflush(NULL);	/* or buffered output would be written twice, once by the child */
	pid = fork();
	if (pid < 0) {
		log_error("fork failed", "%s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		prefork_child(m);
	slot->state = SLOT_STARTING;
	slot->pid = pid;
	slot->generation = m->generation;
	slot->started_ms = prefork_now_ms();
	log_debug("worker started", "pid %ld generation %u", (long)pid, m->generation);
	return 0;
}

static void
prefork_stop_slot(struct prefork_slot *slot)
{
	if (slot->state == SLOT_FREE || slot->state == SLOT_STOPPING)
		return;
	slot->state = SLOT_STOPPING;
	kill(slot->pid, SIGTERM);
}

/* One step of a rolling replacement (SIGHUP): start one new worker; once it is ready,
 * retire one old one; repeat until no old generation is left. The old worker goes only
 * after its replacement serves, so capacity never drops and no request is refused.
 * Returns true when it changed something and may be called again at once. */
static bool
prefork_roll(struct prefork_master *m)
{
	unsigned cur_ready = prefork_count(m, SLOT_READY, true);
	unsigned cur_starting = prefork_count(m, SLOT_STARTING, true);
	unsigned old_live = 0;
	struct prefork_slot *old = NULL;

	for (size_t i = 0; i < PREFORK_SLOTS; i++) {
		struct prefork_slot *s = &m->slots[i];

		if (s->generation != m->generation &&
		    (s->state == SLOT_READY || s->state == SLOT_STARTING)) {
			old_live++;
			if (old == NULL)
				old = s;
		}
	}
	if (cur_starting > 0) {
		if (prefork_now_ms() - m->roll_started_ms > PREFORK_READY_TIMEOUT_MS) {
			log_error("reload abandoned", "%s", "a new worker did not become ready");
			m->rolling = false;
		}
		return false;
	}
	if (old != NULL && cur_ready + old_live > m->wanted) {
		prefork_stop_slot(old);
		return true;
	}
	if (cur_ready < m->wanted) {
		m->roll_started_ms = prefork_now_ms();
		prefork_spawn(m);
		return false;
	}
	m->rolling = false;
	log_info("reload complete", "%u workers of generation %u", cur_ready, m->generation);
	return false;
}

static void
prefork_reap(struct prefork_master *m)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct prefork_slot *slot = prefork_find(m, pid);
		long long lived;

		if (slot == NULL)
			continue;
		lived = prefork_now_ms() - slot->started_ms;
		if (slot->state != SLOT_STOPPING) {
			if (WIFSIGNALED(status))
				log_error("worker died", "pid %ld killed by signal %d after %lld ms",
				    (long)pid, WTERMSIG(status), lived);
			else
				log_error("worker exited", "pid %ld status %d after %lld ms", (long)pid,
				    WEXITSTATUS(status), lived);
			if (slot->state == SLOT_STARTING && slot->generation == m->generation &&
			    m->rolling) {
				log_error("reload abandoned",
				    "%s", "a new worker failed to start; old workers keep serving");
				m->rolling = false;
			}
			if (lived < PREFORK_CRASH_WINDOW_MS) {
				long long delay = PREFORK_BACKOFF_MIN_MS;

				for (unsigned i = 0; i < m->crashes && delay < PREFORK_BACKOFF_MAX_MS; i++)
					delay *= 2;
				if (delay > PREFORK_BACKOFF_MAX_MS)
					delay = PREFORK_BACKOFF_MAX_MS;
				m->crashes++;
				m->next_spawn_ms = prefork_now_ms() + delay;
				log_warn("worker crash loop", "restarting in %lld ms", delay);
			} else
				m->crashes = 0;
		}
		slot->state = SLOT_FREE;
		slot->pid = 0;
	}
}

static void
prefork_read_ready(struct prefork_master *m)
{
	pid_t pids[64];
	ssize_t n;

	while ((n = read(m->ready_rd, pids, sizeof pids)) > 0)
		for (size_t i = 0; i < (size_t)n / sizeof *pids; i++) {
			struct prefork_slot *slot = prefork_find(m, pids[i]);

			if (slot != NULL && slot->state == SLOT_STARTING)
				slot->state = SLOT_READY;
		}
}

static void
prefork_begin_stop(struct prefork_master *m)
{
	m->stopping = true;
	m->stop_deadline_ms = prefork_now_ms() + 1000LL * m->pf->shutdown_timeout(m->pf->ctx);
	for (size_t i = 0; i < PREFORK_SLOTS; i++)
		prefork_stop_slot(&m->slots[i]);
	log_info("shutting down", "%u workers draining", prefork_count(m, SLOT_STOPPING, false));
}

static void
prefork_begin_reload(struct prefork_master *m)
{
	if (m->pf->reload(m->pf->ctx) != 0) {
		log_error("reload refused", "%s", "configuration invalid; keeping the running one");
		return;
	}
	m->wanted = prefork_wanted(m->pf);
	m->generation++;
	m->rolling = true;
	m->crashes = 0;
	m->next_spawn_ms = 0;
	log_info("reloading", "replacing workers with generation %u", m->generation);
}

static void
prefork_handle_signals(struct prefork_master *m)
{
	struct signalfd_siginfo si;

	while (read(m->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			prefork_reap(m);
			break;
		case SIGHUP:
			if (!m->stopping)
				prefork_begin_reload(m);
			break;
		case SIGTERM:
		case SIGINT:
			if (!m->stopping)
				prefork_begin_stop(m);
			break;
		}
	}
}

static int
prefork_poll_timeout(const struct prefork_master *m)
{
	long long now = prefork_now_ms(), wait = 1000;

	if (m->stopping)
		wait = m->stop_deadline_ms - now;
	else if (m->next_spawn_ms > now)
		wait = m->next_spawn_ms - now;
	return wait < 0 ? 0 : wait > 1000 ? 1000 : (int)wait;
}

int
http_prefork_run(const struct http_prefork *pf)
{
	struct prefork_master m;
	sigset_t set;
	int pipefd[2];

	memset(&m, 0, sizeof m);
	m.pf = pf;
	m.wanted = prefork_wanted(pf);
	log_set_role("master");

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked in the master and inherited blocked by workers, whose signalfd reads them. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((m.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    pipe2(pipefd, O_CLOEXEC) < 0) {
		log_error("master setup failed", "%s", strerror(errno));
		return 1;
	}
	m.ready_rd = pipefd[0];
	m.ready_wr = pipefd[1];
	fcntl(m.ready_rd, F_SETFL, O_NONBLOCK);
	log_info("started", "%u workers", m.wanted);

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = m.sfd, .events = POLLIN },
			{ .fd = m.ready_rd, .events = POLLIN },
		};
		unsigned live;

		if (!m.stopping) {
			if (m.rolling) {
				while (m.rolling && prefork_roll(&m))
					;
			} else {
				/* keep the pool full (after crashes) and no fuller (after a reload) */
				while (prefork_count(&m, SLOT_READY, false) +
				    prefork_count(&m, SLOT_STARTING, false) < m.wanted &&
				    prefork_now_ms() >= m.next_spawn_ms)
					if (prefork_spawn(&m) < 0 || m.crashes > 0)
						break;
			}
		}
		live = PREFORK_SLOTS - prefork_count(&m, SLOT_FREE, false);
		if (m.stopping && live == 0)
			break;
		if (m.stopping && prefork_now_ms() >= m.stop_deadline_ms) {
			log_warn("shutdown timeout", "killing %u workers", live);
			for (size_t i = 0; i < PREFORK_SLOTS; i++)
				if (m.slots[i].state != SLOT_FREE)
					kill(m.slots[i].pid, SIGKILL);
			m.stop_deadline_ms = prefork_now_ms() + 60000;
		}
		if (poll(pfd, 2, prefork_poll_timeout(&m)) < 0 && errno != EINTR) {
			log_error("poll failed", "%s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			prefork_read_ready(&m);
		if (pfd[0].revents)
			prefork_handle_signals(&m);
	}
	close(m.sfd);
	close(m.ready_rd);
	close(m.ready_wr);
	log_info("stopped", "%s", "all workers exited");
	return 0;
}
