import * as v from 'valibot'
import { PageQuery } from '../lib/page-query.js'
import { UPDATE_STATUSES } from '../store/schema.js'

export const MAX_BLOCKS = 50
export const MAX_BLOCK_TEXT = 10_000
export const MAX_HEADLINE = 300
const MAX_SHORT_TEXT = 1000
const MAX_URL = 2048

const isHttpUrl = (value: string) => {
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}

// Only http(s): javascript:, data: and friends must never reach a reader's page.
const HttpUrl = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(MAX_URL),
  v.url('must be a URL'),
  v.check(isHttpUrl, 'must be an http or https URL'),
)
const BlockText = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(MAX_BLOCK_TEXT),
)
const ShortText = v.pipe(v.string(), v.trim(), v.maxLength(MAX_SHORT_TEXT))

export const TextBlock = v.strictObject({ type: v.literal('text'), text: BlockText })
export const QuoteBlock = v.strictObject({
  type: v.literal('quote'),
  text: BlockText,
  attribution: v.optional(ShortText),
})
export const ImageBlock = v.strictObject({
  type: v.literal('image'),
  url: HttpUrl,
  caption: v.optional(ShortText),
  credit: v.optional(ShortText),
  alt: v.optional(ShortText),
})
export const EmbedBlock = v.strictObject({ type: v.literal('embed'), url: HttpUrl })

export const Block = v.variant('type', [TextBlock, QuoteBlock, ImageBlock, EmbedBlock])
export type Block = v.InferOutput<typeof Block>

const Blocks = v.pipe(
  v.array(Block),
  v.minLength(1, 'an update needs at least one block'),
  v.maxLength(MAX_BLOCKS, `at most ${MAX_BLOCKS} blocks`),
)
const Headline = v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(MAX_HEADLINE)))

export const MAX_CORRECTION = 1000
const MAX_ID = 200

/** RFC 3339 with a zone (`Z` or an offset), as a Date. */
const PublishAt = v.pipe(
  v.string(),
  v.trim(),
  v.isoTimestamp('must be an RFC 3339 time with a zone, such as 2026-11-24T14:00:00.000Z'),
  v.transform((s) => new Date(s)),
  v.check((d) => !Number.isNaN(d.getTime()), 'must be a real time'),
)
const PersonId = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_ID))

export const CreateUpdateInput = v.strictObject({
  headline: v.optional(Headline),
  blocks: Blocks,
  keyEvent: v.optional(v.boolean(), false),
  pinned: v.optional(v.boolean(), false),
  /** In the future: the update waits as `scheduled` until then. */
  publishAt: v.optional(PublishAt),
  /** The person whose byline the update carries (editors); else the key's person or name. */
  authorId: v.optional(PersonId),
})
export type CreateUpdateInput = v.InferOutput<typeof CreateUpdateInput>

export const EditUpdateInput = v.pipe(
  v.strictObject({
    headline: v.optional(Headline),
    blocks: v.optional(Blocks),
    keyEvent: v.optional(v.boolean()),
    /** Publish a submitted or scheduled update now. */
    status: v.optional(v.literal('published')),
    /** Reschedule a scheduled (or schedule a submitted) update. */
    publishAt: v.optional(PublishAt),
    /** A correction note: appended to `corrections` of a published update. */
    correction: v.optional(
      v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_CORRECTION)),
    ),
    authorId: v.optional(PersonId),
  }),
  v.check(
    (input) => Object.keys(input).length > 0,
    'give at least one of headline, blocks, keyEvent, status, publishAt, correction, authorId',
  ),
)
export type EditUpdateInput = v.InferOutput<typeof EditUpdateInput>

export const UpdateStatusSchema = v.picklist(UPDATE_STATUSES)

export const Author = v.object({
  /** The person's id, or the key's id when the key has no person. */
  id: v.string(),
  name: v.string(),
  title: v.nullable(v.string()),
  avatarUrl: v.nullable(v.string()),
})
export type Author = v.InferOutput<typeof Author>

export const Correction = v.object({ at: v.pipe(v.string(), v.isoTimestamp()), note: v.string() })
export type Correction = v.InferOutput<typeof Correction>

export const Update = v.object({
  id: v.string(),
  storyId: v.string(),
  status: UpdateStatusSchema,
  headline: v.nullable(v.string()),
  blocks: v.array(Block),
  html: v.string(),
  keyEvent: v.boolean(),
  author: Author,
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  /** Null until the update is published. */
  publishedAt: v.nullable(v.pipe(v.string(), v.isoTimestamp())),
  /** When a scheduled update is (or was) due; null when it was never scheduled. */
  publishAt: v.nullable(v.pipe(v.string(), v.isoTimestamp())),
  editedAt: v.nullable(v.pipe(v.string(), v.isoTimestamp())),
  corrections: v.array(Correction),
  /** The seq of the update's latest event; 0 while it is unpublished (it has none). */
  seq: v.number(),
})
export type Update = v.InferOutput<typeof Update>

export const UpdateList = v.object({ items: v.array(Update), nextCursor: v.nullable(v.string()) })

/** `?status=`: editors list the queues (`submitted`, `scheduled`); the default is what readers see. */
export const UpdateListQuery = v.object({
  ...PageQuery.entries,
  status: v.optional(UpdateStatusSchema),
})
export type UpdateListQuery = v.InferOutput<typeof UpdateListQuery>
