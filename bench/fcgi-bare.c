/* fcgi-bare: the transport limit. A libfcgi responder that does nothing but answer "ok",
 * forked into N processes on one unix socket — what nginx + FastCGI can do on this machine
 * before any application work. bench/run puts it behind the same nginx as Kairos.
 *
 *   fcgi-bare SOCKET WORKERS */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char reply[] = "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";

int
main(int argc, char **argv)
{
	FCGX_Request req;
	int fd, workers;

	if (argc != 3 || (workers = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: fcgi-bare SOCKET WORKERS\n");
		return 2;
	}
	FCGX_Init();
	unlink(argv[1]);
	if ((fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
		perror("FCGX_OpenSocket");
		return 1;
	}
	chmod(argv[1], 0600);
	for (int i = 0; i < workers; i++)
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);	/* go when the master goes */
			FCGX_InitRequest(&req, fd, 0);
			while (FCGX_Accept_r(&req) >= 0) {
				FCGX_PutStr(reply, sizeof reply - 1, req.out);
				/* the same plain close as Kairos (src/http/fcgi.c), not the
				 * lingering one: the transport limit must be the best transport */
				FCGX_Detach(&req);
				FCGX_Finish_r(&req);
			}
			_exit(0);
		}
	while (wait(NULL) > 0)
		;
	return 0;
}
