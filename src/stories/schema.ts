import * as v from 'valibot'
import { PageQuery } from '../lib/page-query.js'
import { SLUG_PATTERN } from '../lib/slug.js'
import { COMMENTS_SETTINGS, STORY_STATUSES } from '../store/schema.js'

export const MAX_TITLE_LENGTH = 300
export const MAX_SUMMARY_LENGTH = 2000
const MAX_SECTION_LENGTH = 100

export const StoryStatusSchema = v.picklist(STORY_STATUSES)
/** Whether readers may comment: `off` | `moderated` | `open` | `closed` (docs/comments.md). */
export const CommentsSettingSchema = v.picklist(COMMENTS_SETTINGS)

const Title = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_TITLE_LENGTH))
const Summary = v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(MAX_SUMMARY_LENGTH)))
const Section = v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(MAX_SECTION_LENGTH)))

const Language = v.pipe(
  v.string(),
  v.regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or pt-BR'),
)

export const CreateStoryInput = v.strictObject({
  title: Title,
  slug: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(80),
      v.regex(SLUG_PATTERN, 'must be lower-case letters, digits and single dashes'),
    ),
  ),
  summary: v.optional(Summary),
  section: v.optional(Section),
  language: v.optional(Language, 'en'),
  status: v.optional(StoryStatusSchema, 'draft'),
})
export type CreateStoryInput = v.InferOutput<typeof CreateStoryInput>

export const UpdateStoryInput = v.strictObject({
  title: v.optional(Title),
  summary: v.optional(Summary),
  section: v.optional(Section),
  language: v.optional(Language),
  status: v.optional(StoryStatusSchema),
  comments: v.optional(CommentsSettingSchema),
  pinnedUpdateId: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1)))),
})
export type UpdateStoryInput = v.InferOutput<typeof UpdateStoryInput>

export const ListStoriesQuery = v.object({ ...PageQuery.entries, status: v.optional(StoryStatusSchema) })
export type ListStoriesQuery = v.InferOutput<typeof ListStoriesQuery>

export const Story = v.object({
  id: v.string(),
  slug: v.string(),
  title: v.string(),
  summary: v.nullable(v.string()),
  section: v.nullable(v.string()),
  language: v.string(),
  status: StoryStatusSchema,
  comments: CommentsSettingSchema,
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  updatedAt: v.pipe(v.string(), v.isoTimestamp()),
  lastUpdateAt: v.nullable(v.pipe(v.string(), v.isoTimestamp())),
  seq: v.number(),
  updateCount: v.number(),
  pinnedUpdateId: v.nullable(v.string()),
})
export type Story = v.InferOutput<typeof Story>

export const StoryList = v.object({ items: v.array(Story), nextCursor: v.nullable(v.string()) })
