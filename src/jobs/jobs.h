/* jobs: `kairos jobs`, the background runner (outbox sends, reminders, syncs, hold expiry).
 *
 * It keeps a database connection, LISTENs on the "kairos_jobs" channel and wakes on a
 * notification or a timer tick; each wake sends the due notifications (notify/). */
#ifndef KAIROS_JOBS_H
#define KAIROS_JOBS_H

/* Seconds between ticks when nothing notifies us. */
#define JOBS_TICK_SECONDS     5
#define JOBS_RECONNECT_MAX_MS 30000

/* argv[0] is "jobs"; returns the exit status. */
int jobs_main(int argc, char **argv, const char *config_file);

#endif
