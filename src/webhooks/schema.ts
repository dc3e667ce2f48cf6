import * as v from 'valibot'
import { EventTypeSchema } from '../events/schema.js'
import { PageQuery } from '../lib/page-query.js'

/** Most stories one endpoint may name (beyond that, follow `*`). */
export const MAX_WEBHOOK_STORIES = 100

const Url = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'))

const Stories = v.pipe(
  v.array(v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200))),
  v.minLength(1, 'must name at least one story id, or be ["*"]'),
  v.maxLength(MAX_WEBHOOK_STORIES, `must name at most ${MAX_WEBHOOK_STORIES} stories (or be ["*"])`),
  v.check((ids) => !ids.includes('*') || ids.length === 1, '"*" must be the only entry'),
  v.transform((ids) => [...new Set(ids)]),
)

const Events = v.nullable(
  v.pipe(
    v.array(EventTypeSchema),
    v.minLength(1, 'must name at least one event type, or be null for every update and story event'),
    v.transform((types) => [...new Set(types)]),
  ),
)

export const CreateWebhookInput = v.strictObject({
  url: Url,
  stories: Stories,
  /** Absent or null: every update and story event; comment.* events only when named (opt-in). */
  events: v.optional(Events, null),
})
export type CreateWebhookInput = v.InferOutput<typeof CreateWebhookInput>

export const UpdateWebhookInput = v.strictObject({
  url: v.optional(Url),
  stories: v.optional(Stories),
  events: v.optional(Events),
  /** true re-enables a disabled endpoint (clearing disabledAt and disabledReason); false pauses it. */
  enabled: v.optional(v.boolean()),
})
export type UpdateWebhookInput = v.InferOutput<typeof UpdateWebhookInput>

const Time = v.pipe(v.string(), v.isoTimestamp())

export const Webhook = v.object({
  id: v.string(),
  url: v.string(),
  stories: v.array(v.string()),
  events: v.nullable(v.array(EventTypeSchema)),
  createdAt: Time,
  updatedAt: Time,
  disabledAt: v.nullable(Time),
  disabledReason: v.nullable(v.string()),
})
export type Webhook = v.InferOutput<typeof Webhook>

export const CreatedWebhook = v.object({
  ...Webhook.entries,
  secret: v.pipe(v.string(), v.description('whsec_<base64>: shown only in this response')),
})
export type CreatedWebhook = v.InferOutput<typeof CreatedWebhook>

/** Longest overlap of a rotation: both secrets sign for at most this long. */
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 24 * 3600
/** The overlap when none is asked for. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 3600

export const RotateSecretInput = v.strictObject({
  overlapSeconds: v.optional(
    v.pipe(
      v.number(),
      v.integer('must be a whole number of seconds'),
      v.minValue(0, 'must be 0 or more'),
      v.maxValue(MAX_ROTATION_OVERLAP_SECONDS, `must be at most ${MAX_ROTATION_OVERLAP_SECONDS} (7 days)`),
      v.description('How long the old secret keeps signing next to the new one; 0 ends it at once'),
    ),
    DEFAULT_ROTATION_OVERLAP_SECONDS,
  ),
})
export type RotateSecretInput = v.InferOutput<typeof RotateSecretInput>

export const RotatedWebhook = v.object({
  ...Webhook.entries,
  secret: v.pipe(v.string(), v.description('The new whsec_<base64>: shown only in this response')),
  previousSecretExpiresAt: v.pipe(
    v.nullable(Time),
    v.description(
      'Until then deliveries carry a signature with the old secret too; null: it stopped at once',
    ),
  ),
})
export type RotatedWebhook = v.InferOutput<typeof RotatedWebhook>

export const WebhookList = v.object({ items: v.array(Webhook), nextCursor: v.nullable(v.string()) })

export const DeliveryStatusSchema = v.picklist(['pending', 'succeeded', 'failed'])

export const Attempt = v.object({
  at: Time,
  statusCode: v.nullable(v.number()),
  latencyMs: v.number(),
  error: v.nullable(v.string()),
})

export const Delivery = v.object({
  id: v.pipe(v.string(), v.description('the webhook-id header of every attempt')),
  webhookId: v.string(),
  story: v.string(),
  seq: v.number(),
  type: EventTypeSchema,
  status: DeliveryStatusSchema,
  createdAt: Time,
  nextAttemptAt: v.nullable(Time),
  deliveredAt: v.nullable(Time),
  attemptCount: v.number(),
  attempts: v.pipe(v.array(Attempt), v.description('the latest attempts, oldest first')),
})
export type Delivery = v.InferOutput<typeof Delivery>

export const DeliveryList = v.object({ items: v.array(Delivery), nextCursor: v.nullable(v.string()) })

export const ListDeliveriesQuery = v.object({
  ...PageQuery.entries,
  status: v.optional(DeliveryStatusSchema),
})
export type ListDeliveriesQuery = v.InferOutput<typeof ListDeliveriesQuery>
