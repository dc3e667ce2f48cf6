import * as v from 'valibot'
import { PageQuery } from '../lib/page-query.js'
import { RULE_CODES } from './rules.js'

export const MAX_COMMENT_NAME_LENGTH = 60
export const MAX_COMMENT_TEXT_LENGTH = 2000

// C0 and C1 controls (and DEL); the text may keep line breaks and tabs, a name may not.
const NAME_CONTROL = /\p{Cc}/u
const TEXT_CONTROL = /[^\P{Cc}\n\t]/u
// Embeddings, overrides and isolates reorder what a reader sees ("moc.elgoog" shown as "google.com").
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u

/** Length in characters (code points), as a reader counts them: an emoji is one. */
function characters(text: string): number {
  let count = 0
  for (const _ of text) count++
  return count
}

function commentField(label: string, maxLength: number, control: RegExp, controlMessage: string) {
  return v.pipe(
    v.string(`${label} must be a string`),
    // NFC first, so "é" typed as e + accent counts once and compares equal to the precomposed one.
    v.transform((s) => s.normalize('NFC').replace(/\r\n?/g, '\n').trim()),
    v.check((s) => s.length > 0, `${label} must not be empty`),
    v.check((s) => characters(s) <= maxLength, `${label} must be at most ${maxLength} characters`),
    v.check((s) => !control.test(s), controlMessage),
    v.check(
      (s) => !BIDI_CONTROL.test(s),
      `${label} must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)`,
    ),
  )
}

/**
 * The body of `POST /v1/stories/:story/comments`: name 1-60 and text 1-2000 characters after NFC
 * normalisation and trimming; control and bidi-override characters refused.
 */
export const CreateCommentInput = v.strictObject({
  name: commentField(
    'name',
    MAX_COMMENT_NAME_LENGTH,
    NAME_CONTROL,
    'name must not contain control characters',
  ),
  text: commentField(
    'text',
    MAX_COMMENT_TEXT_LENGTH,
    TEXT_CONTROL,
    'text must not contain control characters other than line breaks and tabs',
  ),
})
export type CreateCommentInput = v.InferOutput<typeof CreateCommentInput>

export const CommentStatusSchema = v.picklist(['pending', 'published', 'rejected'])

/** The Comment on the wire (contract, "Reader comments"). */
export const Comment = v.object({
  id: v.string(),
  storyId: v.string(),
  name: v.string(),
  text: v.string(),
  status: CommentStatusSchema,
  /** The automatic rules that fired, possibly none. */
  reasons: v.array(v.picklist(RULE_CODES)),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  decidedAt: v.nullable(v.pipe(v.string(), v.isoTimestamp())),
})
export type Comment = v.InferOutput<typeof Comment>

/** `?limit=&cursor=&status=` of the comments list; `status` other than published needs an editor key. */
export const ListCommentsQuery = v.object({ ...PageQuery.entries, status: v.optional(CommentStatusSchema) })
export type ListCommentsQuery = v.InferOutput<typeof ListCommentsQuery>

/** An editor's decision on a comment. */
export const ModerateCommentInput = v.strictObject({ status: v.picklist(['published', 'rejected']) })
export type ModerateCommentInput = v.InferOutput<typeof ModerateCommentInput>

export const CommentList = v.object({ items: v.array(Comment), nextCursor: v.nullable(v.string()) })
