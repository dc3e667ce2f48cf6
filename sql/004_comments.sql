-- Reader comments (docs/comments.md): a story's comments setting and the comments themselves.

-- off (default): none accepted or shown; moderated: each waits for an editor; open: clean ones are
-- published at once; closed: nothing new, published ones stay.
ALTER TABLE stories
  ADD COLUMN comments text NOT NULL DEFAULT 'off'
  CHECK (comments IN ('off', 'moderated', 'open', 'closed'));

CREATE TABLE comments (
  id          text PRIMARY KEY,
  story_id    text NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  name        text NOT NULL,
  text        text NOT NULL,
  status      text NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
  -- The automatic rules that fired (rule codes), as the Comment's `reasons`.
  reasons     text[] NOT NULL DEFAULT '{}',
  -- A keyed hash (HMAC) of the sender's address prefix, never the address itself.
  client_key  text NOT NULL,
  created_at  timestamptz NOT NULL,
  decided_at  timestamptz
);
-- Readers' list (published, newest first) and the editors' queues (pending, rejected), keyset-paged.
CREATE INDEX comments_story_status_idx ON comments (story_id, status, created_at DESC, id DESC);
-- The moderation queue across stories (metrics: its length and oldest entry).
CREATE INDEX comments_pending_idx ON comments (created_at) WHERE status = 'pending';

-- Webhook endpoints with `events` NULL get every update and story event but no comment.* ones:
-- those go only to endpoints that name them (the contract's opt-in).
COMMENT ON COLUMN webhooks.events IS 'event types to send; NULL: every type except comment.*';
