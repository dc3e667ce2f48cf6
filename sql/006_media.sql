-- Uploaded images (POST /v1/media). Content-addressed: the id is the sha256 (hex) of the re-encoded
-- original, so the same photo uploaded twice is one row. Bytes live in Postgres so embedded (PGlite)
-- and production deployments keep media the same way, with the stories that use them.
CREATE TABLE media (
  id text PRIMARY KEY,
  content_type text NOT NULL,
  width integer NOT NULL CHECK (width > 0),
  height integer NOT NULL CHECK (height > 0),
  bytes integer NOT NULL,
  data bytea NOT NULL,
  uploaded_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Smaller sizes and WebP copies for srcset, by name (`480.webp`, `960.jpg`, ...). The original is
-- served from media.data and has no row here.
CREATE TABLE media_variants (
  media_id text NOT NULL REFERENCES media (id) ON DELETE CASCADE,
  name text NOT NULL,
  content_type text NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  bytes integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (media_id, name)
);
