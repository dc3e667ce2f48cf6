-- Signed webhooks: endpoints partners register, and a delivery queue kept in Postgres so nothing
-- is lost across restarts and several instances share the work (see docs/webhooks.md).

CREATE TABLE webhooks (
  id               text PRIMARY KEY,
  -- The API key that registered it ('admin' for the master key): partners manage only their own.
  owner_key_id     text NOT NULL,
  -- Partner-owned endpoints never receive events of draft stories; admin-owned ones do.
  owner_role       text NOT NULL CHECK (owner_role IN ('admin', 'partner')),
  url              text NOT NULL,
  -- Story ids, or {'*'} for every story.
  stories          text[] NOT NULL,
  -- Event types to send; NULL means every type (including types added later).
  events           text[],
  -- The whsec_ secret itself: HMAC signing needs it, so it cannot be stored hashed.
  secret           text NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  disabled_at      timestamptz,
  disabled_reason  text,
  last_success_at  timestamptz
);
CREATE INDEX webhooks_owner_idx ON webhooks (owner_key_id, created_at DESC, id DESC);
-- Every post looks up the enabled endpoints that follow its story (`stories && {'*', id}`).
CREATE INDEX webhooks_stories_idx ON webhooks USING gin (stories) WHERE disabled_at IS NULL;

-- One row per (endpoint, event). The body is read from `events` at send time; `id` is the
-- Standard Webhooks `webhook-id`, the same on every retry.
CREATE TABLE webhook_deliveries (
  id                text PRIMARY KEY,
  webhook_id        text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  story_id          text NOT NULL,
  seq               bigint NOT NULL,
  event_type        text NOT NULL,
  status            text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  -- Attempts in the current run of the retry schedule (a manual retry starts a new run).
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL,
  first_attempt_at  timestamptz,
  -- A claimed delivery belongs to one worker until lease_until; lease_token proves whose it is.
  lease_until       timestamptz,
  lease_token       text,
  created_at        timestamptz NOT NULL,
  delivered_at      timestamptz,
  FOREIGN KEY (story_id, seq) REFERENCES events (story_id, seq)
);
-- What the worker scans for due work.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- "Is there an earlier undelivered event for this endpoint and story?": keeps order per story.
CREATE INDEX webhook_deliveries_queue_idx ON webhook_deliveries (webhook_id, story_id, seq)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);

CREATE TABLE webhook_attempts (
  id            bigserial PRIMARY KEY,
  delivery_id   text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  at            timestamptz NOT NULL,
  -- NULL when no HTTP answer came (refused target, DNS failure, timeout, connection error).
  status_code   integer,
  latency_ms    integer NOT NULL,
  error         text
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
