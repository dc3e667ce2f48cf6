-- People (bylines), the contributor role, scheduled and submitted updates, corrections.

CREATE TABLE people (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  title       text,
  avatar_url  text,
  bio         text,
  created_at  timestamptz NOT NULL
);
CREATE INDEX people_name_idx ON people (name, id);

ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
  CHECK (role IN ('admin', 'editor', 'contributor', 'partner'));
-- A deleted person leaves the key working under the key's own name.
ALTER TABLE api_keys ADD COLUMN person_id text REFERENCES people (id) ON DELETE SET NULL;

-- The byline is copied onto the update when it is posted (or re-set with authorId), so a
-- published update keeps the byline it was published with.
ALTER TABLE updates ADD COLUMN author_title text;
ALTER TABLE updates ADD COLUMN author_avatar_url text;
-- Only published updates are public; the others wait for an editor or for publish_at.
ALTER TABLE updates ADD COLUMN status text NOT NULL DEFAULT 'published'
  CHECK (status IN ('published', 'scheduled', 'submitted'));
ALTER TABLE updates ADD COLUMN publish_at timestamptz;
-- A scheduler's claim on a due update: other instances skip it until then (a dead claimer's
-- claim simply runs out).
ALTER TABLE updates ADD COLUMN claimed_until timestamptz;
ALTER TABLE updates ADD COLUMN corrections json NOT NULL DEFAULT '[]';
-- The key that posted it: a contributor may edit only its own submissions.
ALTER TABLE updates ADD COLUMN created_by text;
UPDATE updates SET created_by = author_id;
ALTER TABLE updates ALTER COLUMN created_by SET NOT NULL;

-- What every instance's scheduler asks: the next scheduled update that is due.
CREATE INDEX updates_scheduled_idx ON updates (publish_at) WHERE status = 'scheduled' AND deleted_at IS NULL;
-- The editors' queues.
CREATE INDEX updates_story_status_idx ON updates (story_id, status, created_at DESC, id DESC)
  WHERE status <> 'published' AND deleted_at IS NULL;
