import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import type { CommentRow } from '../store/schema.js'
import type { RuleCode } from './rules.js'
import type { Comment } from './schema.js'

/** The Comment wire object, keys in the contract's order. Never the client key. */
export function presentComment(row: CommentRow): Comment {
  return {
    id: row.id,
    storyId: row.story_id,
    name: row.name,
    text: row.text,
    status: row.status,
    reasons: row.reasons as RuleCode[],
    createdAt: toWireTime(row.created_at),
    decidedAt: toWireTimeOrNull(row.decided_at),
  }
}
