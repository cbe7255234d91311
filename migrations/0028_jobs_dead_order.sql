-- 0028: dead letters page by when their job was queued (created_at, id), not by when they
-- died (updated_at): that moves when a retried job dies again, and a list paged by it then
-- showed a row twice or skipped one between two pages (src/jobs/queue.c jobs_stmt_dead,
-- src/notify/list.c notify_stmt_dead). The admin page's index follows the new order.
DROP INDEX jobs_dead;
CREATE INDEX jobs_dead ON jobs (org_id, created_at DESC, id DESC) WHERE status = 'dead';
