import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import type { UpdateRow } from '../store/schema.js'
import type { Block, Correction, Update } from './schema.js'

export function presentUpdate(row: UpdateRow): Update {
  const published = row.status === 'published'
  return {
    id: row.id,
    storyId: row.story_id,
    status: row.status,
    headline: row.headline,
    blocks: row.blocks as Block[],
    html: row.html,
    keyEvent: row.key_event,
    author: {
      id: row.author_id,
      name: row.author_name,
      title: row.author_title,
      avatarUrl: row.author_avatar_url,
    },
    createdAt: toWireTime(row.created_at),
    // Until publication the column only holds a sort position, not a time readers saw it.
    publishedAt: published ? toWireTime(row.published_at) : null,
    publishAt: toWireTimeOrNull(row.publish_at),
    editedAt: toWireTimeOrNull(row.edited_at),
    corrections: (row.corrections as Correction[] | null) ?? [],
    seq: published ? row.seq : 0,
  }
}
