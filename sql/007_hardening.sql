-- Idempotency keys expire (24 h by default): the pruner finds expired ones by age.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Webhook secret rotation: the secret being replaced keeps signing (next to the new one) until
-- it expires, so partners can switch without missing a delivery.
ALTER TABLE webhooks
  ADD COLUMN previous_secret text,
  ADD COLUMN previous_secret_expires_at timestamptz;
