import * as v from 'valibot'
import { wholeNumber } from '../lib/whole-number.js'

export const MAX_EVENTS_PAGE = 1000

export const EventsQuery = v.object({
  since: v.optional(wholeNumber(), '0'),
  limit: v.optional(wholeNumber(1, MAX_EVENTS_PAGE), '100'),
})

export const EventTypeSchema = v.picklist([
  'update.created',
  'update.edited',
  'update.deleted',
  'story.updated',
  'comment.published',
  'comment.removed',
])
/** Reader-comment events: sent to webhook endpoints only when their `events` list names them. */
export const COMMENT_EVENT_TYPES = ['comment.published', 'comment.removed'] as const
/** The one list of event types: the type union and the documented picklist both come from it. */
export type EventType = v.InferOutput<typeof EventTypeSchema>

/** The Event wire object (documentation; events are stored and sent as serialised JSON). */
export const Event = v.object({
  story: v.string(),
  seq: v.number(),
  type: EventTypeSchema,
  at: v.string(),
  lastUpdateAt: v.nullable(v.string()),
  update: v.optional(v.looseObject({ id: v.string() })),
  updateId: v.optional(v.string()),
  storyState: v.optional(v.looseObject({ id: v.string() })),
  comment: v.optional(v.looseObject({ id: v.string() })),
  commentId: v.optional(v.string()),
})

export const EventPage = v.object({ events: v.array(Event), head: v.number() })
