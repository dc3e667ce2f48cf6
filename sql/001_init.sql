-- Liveline core schema. Forward-only; kept Postgres 15 compatible (PGlite runs a newer Postgres).

CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'editor', 'partner')),
  -- sha256 of the key: keys are 256-bit random, so a fast hash is as strong as a slow one.
  key_hash    text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);

CREATE TABLE stories (
  id                text PRIMARY KEY,
  slug              text NOT NULL UNIQUE,
  title             text NOT NULL,
  summary           text,
  section           text,
  language          text NOT NULL DEFAULT 'en',
  status            text NOT NULL CHECK (status IN ('draft', 'live', 'ended')),
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  last_update_at    timestamptz,
  -- Head of the story's event log. Taking the next seq is `UPDATE ... SET seq = seq + 1`, which
  -- row-locks the story: writers to one story are serialised and seq stays gapless.
  seq               bigint NOT NULL DEFAULT 0,
  update_count      integer NOT NULL DEFAULT 0,
  pinned_update_id  text
);
CREATE INDEX stories_created_idx ON stories (created_at DESC, id DESC);
CREATE INDEX stories_status_created_idx ON stories (status, created_at DESC, id DESC);

CREATE TABLE updates (
  id            text PRIMARY KEY,
  story_id      text NOT NULL REFERENCES stories (id),
  headline      text,
  blocks        json NOT NULL,  -- json, not jsonb: keeps each block's key order as posted
  html          text NOT NULL,
  key_event     boolean NOT NULL DEFAULT false,
  author_id     text NOT NULL,
  author_name   text NOT NULL,
  created_at    timestamptz NOT NULL,
  published_at  timestamptz NOT NULL,
  edited_at     timestamptz,
  deleted_at    timestamptz,
  seq           bigint NOT NULL
);
CREATE INDEX updates_story_published_idx ON updates (story_id, published_at DESC, id DESC) WHERE deleted_at IS NULL;

-- The story's ordered change log. `body` is the Event exactly as clients receive it, stored as
-- text so replay and fan-out send it without re-serialising.
CREATE TABLE events (
  story_id  text NOT NULL REFERENCES stories (id),
  seq       bigint NOT NULL,
  type      text NOT NULL,
  at        timestamptz NOT NULL,
  body      text NOT NULL,
  PRIMARY KEY (story_id, seq)
);

-- Idempotency-Key replays, scoped to the API key that sent them.
CREATE TABLE idempotency_keys (
  api_key_id    text NOT NULL,
  key           text NOT NULL,
  story_id      text NOT NULL,
  request_hash  text NOT NULL,
  update_id     text NOT NULL REFERENCES updates (id),
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (api_key_id, key)
);
