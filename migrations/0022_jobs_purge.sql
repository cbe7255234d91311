-- 0022: done jobs are purged once they finished KAIROS_JOBS_KEEP_DAYS ago (the hourly
-- jobs-purge task, src/jobs/queue.c): every message sent is a done notify.send job, so
-- without this the table and its indexes grow forever. The purge asks for the oldest done
-- jobs, a batch at a time; this index answers that without reading the queued and dead
-- rows, and stays as small as the retention keeps the done ones.
CREATE INDEX jobs_done ON jobs (finished_at) WHERE status = 'done';
