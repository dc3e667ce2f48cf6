import * as v from 'valibot'

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

export const CreateUpdateInput = v.strictObject({
  headline: v.optional(Headline),
  blocks: Blocks,
  keyEvent: v.optional(v.boolean(), false),
  pinned: v.optional(v.boolean(), false),
})
export type CreateUpdateInput = v.InferOutput<typeof CreateUpdateInput>

export const EditUpdateInput = v.pipe(
  v.strictObject({
    headline: v.optional(Headline),
    blocks: v.optional(Blocks),
    keyEvent: v.optional(v.boolean()),
  }),
  v.check((input) => Object.keys(input).length > 0, 'give at least one of headline, blocks, keyEvent'),
)
export type EditUpdateInput = v.InferOutput<typeof EditUpdateInput>

export const Update = v.object({
  id: v.string(),
  storyId: v.string(),
  headline: v.nullable(v.string()),
  blocks: v.array(Block),
  html: v.string(),
  keyEvent: v.boolean(),
  author: v.object({ id: v.string(), name: v.string() }),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  publishedAt: v.pipe(v.string(), v.isoTimestamp()),
  editedAt: v.nullable(v.pipe(v.string(), v.isoTimestamp())),
  seq: v.number(),
})
export type Update = v.InferOutput<typeof Update>

export const UpdateList = v.object({ items: v.array(Update), nextCursor: v.nullable(v.string()) })
