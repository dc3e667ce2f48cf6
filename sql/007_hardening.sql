-- Idempotency keys expire (24 h by default): the pruner finds expired ones by age.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
