import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import type { StoryRow } from '../store/schema.js'
import type { Story } from './schema.js'

export function presentStory(row: StoryRow): Story {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    summary: row.summary,
    section: row.section,
    language: row.language,
    status: row.status,
    comments: row.comments,
    createdAt: toWireTime(row.created_at),
    updatedAt: toWireTime(row.updated_at),
    lastUpdateAt: toWireTimeOrNull(row.last_update_at),
    seq: row.seq,
    updateCount: row.update_count,
    pinnedUpdateId: row.pinned_update_id,
  }
}
