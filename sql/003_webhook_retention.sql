-- Retention: finished deliveries (succeeded or failed) are deleted some time after they finished,
-- with their attempts (ON DELETE CASCADE). Pending deliveries are never deleted.
ALTER TABLE webhook_deliveries ADD COLUMN finished_at timestamptz;
UPDATE webhook_deliveries d
SET finished_at = coalesce(
  d.delivered_at,
  (SELECT max(a.at) FROM webhook_attempts a WHERE a.delivery_id = d.id),
  d.created_at
)
WHERE d.status <> 'pending';
-- What the pruner scans, oldest first.
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (finished_at) WHERE status <> 'pending';
