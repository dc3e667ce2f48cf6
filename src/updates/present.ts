import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import type { UpdateRow } from '../store/schema.js'
import type { Block, Update } from './schema.js'

export function presentUpdate(row: UpdateRow): Update {
  return {
    id: row.id,
    storyId: row.story_id,
    headline: row.headline,
    blocks: row.blocks as Block[],
    html: row.html,
    keyEvent: row.key_event,
    author: { id: row.author_id, name: row.author_name },
    createdAt: toWireTime(row.created_at),
    publishedAt: toWireTime(row.published_at),
    editedAt: toWireTimeOrNull(row.edited_at),
    seq: row.seq,
  }
}
