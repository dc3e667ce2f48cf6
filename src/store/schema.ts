import type { ColumnType, Selectable, Updateable } from 'kysely'

/** The database as Kysely sees it: the one source of the row types below (see sql/). */
export interface Database {
  api_keys: ApiKeysTable
  stories: StoriesTable
  updates: UpdatesTable
  events: EventsTable
  idempotency_keys: IdempotencyKeysTable
  webhooks: WebhooksTable
  webhook_deliveries: WebhookDeliveriesTable
  webhook_attempts: WebhookAttemptsTable
  comments: CommentsTable
  people: PeopleTable
}

/** The key roles, as the database's check constraint has them; schemas build their picklists from this. */
export const ROLES = ['admin', 'editor', 'contributor', 'partner'] as const
export type Role = (typeof ROLES)[number]
/** A story's states, likewise. */
export const STORY_STATUSES = ['draft', 'live', 'ended'] as const
export type StoryStatus = (typeof STORY_STATUSES)[number]
/** A story's comments setting (sql/004_comments.sql). */
export const COMMENTS_SETTINGS = ['off', 'moderated', 'open', 'closed'] as const
export type CommentsSetting = (typeof COMMENTS_SETTINGS)[number]
export const COMMENT_STATUSES = ['pending', 'published', 'rejected'] as const
export type CommentStatus = (typeof COMMENT_STATUSES)[number]
/** An update's states: only `published` is public. */
export const UPDATE_STATUSES = ['published', 'scheduled', 'submitted'] as const
export type UpdateStatus = (typeof UPDATE_STATUSES)[number]

export interface ApiKeysTable {
  id: string
  name: string
  role: Role
  key_hash: string
  created_at: Date
  revoked_at: Date | null
  person_id: ColumnType<string | null, string | null | undefined, string | null>
}

export interface PeopleTable {
  id: string
  name: string
  title: string | null
  avatar_url: string | null
  bio: string | null
  created_at: Date
}
export type PersonRow = Selectable<PeopleTable>

export interface StoriesTable {
  id: string
  slug: string
  title: string
  summary: string | null
  section: string | null
  language: ColumnType<string, string | undefined, string>
  status: StoryStatus
  created_at: Date
  updated_at: Date
  last_update_at: Date | null
  seq: ColumnType<number, number | undefined, number>
  update_count: ColumnType<number, number | undefined, number>
  pinned_update_id: string | null
  comments: ColumnType<CommentsSetting, CommentsSetting | undefined, CommentsSetting>
}

export interface UpdatesTable {
  id: string
  story_id: string
  headline: string | null
  // json: written as a JSON string (pg would turn a JS array into a Postgres array), read as parsed JSON.
  blocks: ColumnType<unknown, string, string>
  html: string
  key_event: boolean
  author_id: string
  author_name: string
  author_title: ColumnType<string | null, string | null | undefined, string | null>
  author_avatar_url: ColumnType<string | null, string | null | undefined, string | null>
  status: ColumnType<UpdateStatus, UpdateStatus | undefined, UpdateStatus>
  publish_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  claimed_until: ColumnType<Date | null, Date | null | undefined, Date | null>
  // json, written as a JSON string like blocks.
  corrections: ColumnType<unknown, string | undefined, string>
  created_by: string
  created_at: Date
  published_at: Date
  edited_at: Date | null
  deleted_at: Date | null
  seq: number
}

export interface EventsTable {
  story_id: string
  seq: number
  type: string
  at: Date
  body: string
}

export interface IdempotencyKeysTable {
  api_key_id: string
  key: string
  story_id: string
  request_hash: string
  update_id: string
  created_at: Date
}

export type ApiKeyRow = Selectable<ApiKeysTable>
export type StoryRow = Selectable<StoriesTable>
export type StoryRowPatch = Updateable<StoriesTable>
export type UpdateRow = Selectable<UpdatesTable>

export interface WebhooksTable {
  id: string
  owner_key_id: string
  owner_role: 'admin' | 'partner'
  url: string
  stories: string[]
  events: string[] | null
  secret: string
  /** The secret a rotation replaced: it also signs until previous_secret_expires_at. */
  previous_secret: ColumnType<string | null, string | null | undefined, string | null>
  previous_secret_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  created_at: Date
  updated_at: Date
  disabled_at: Date | null
  disabled_reason: string | null
  last_success_at: ColumnType<Date | null, Date | null | undefined, Date | null>
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed'

export interface WebhookDeliveriesTable {
  id: string
  webhook_id: string
  story_id: string
  seq: number
  event_type: string
  status: DeliveryStatus
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: Date
  first_attempt_at: Date | null
  lease_until: Date | null
  lease_token: string | null
  created_at: Date
  delivered_at: Date | null
  /** When it became succeeded or failed (retention counts from here); NULL while pending. */
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>
}

export interface WebhookAttemptsTable {
  id: ColumnType<number, never, never>
  delivery_id: string
  at: Date
  status_code: number | null
  latency_ms: number
  error: string | null
}

export type WebhookRow = Selectable<WebhooksTable>
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>

export interface CommentsTable {
  id: string
  story_id: string
  name: string
  text: string
  status: CommentStatus
  /** Rule codes that fired; pg reads text[] as a JS array and writes one from it. */
  reasons: string[]
  /** Keyed hash of the sender's address prefix (src/comments/client-key.ts), never the address. */
  client_key: string
  created_at: Date
  decided_at: Date | null
}

export type CommentRow = Selectable<CommentsTable>
