// Types for client.js (hand-written: the module is plain JS served as is).

export type StoryStatus = 'draft' | 'live' | 'ended'

export interface Story {
  id: string
  slug: string
  title: string
  summary: string | null
  section: string | null
  language: string
  status: StoryStatus
  comments: 'off' | 'moderated' | 'open' | 'closed'
  createdAt: string
  updatedAt: string
  lastUpdateAt: string | null
  seq: number
  updateCount: number
  pinnedUpdateId: string | null
}

/** A reader comment; events carry published ones only. */
export interface Comment {
  id: string
  storyId: string
  name: string
  text: string
  status: 'pending' | 'published' | 'rejected'
  reasons: string[]
  createdAt: string
  decidedAt: string | null
}

export type Block =
  | { type: 'text'; text: string }
  | { type: 'quote'; text: string; attribution?: string }
  | { type: 'image'; url: string; caption?: string; credit?: string; alt?: string }
  | { type: 'embed'; url: string }

export interface Update {
  id: string
  storyId: string
  /** Readers only ever get `published` ones. */
  status: 'published' | 'scheduled' | 'submitted'
  headline: string | null
  blocks: Block[]
  /** The server's rendering of headline and blocks: all text escaped, safe to insert as HTML. Corrections are not in it: show `corrections` under it. */
  html: string
  keyEvent: boolean
  author: { id: string; name: string; title: string | null; avatarUrl: string | null }
  createdAt: string
  publishedAt: string | null
  publishAt: string | null
  editedAt: string | null
  corrections: Array<{ at: string; note: string }>
  seq: number
}

interface EventBase {
  /** The story's id. */
  story: string
  seq: number
  at: string
  lastUpdateAt: string | null
}

export type LiveEvent =
  | (EventBase & { type: 'update.created' | 'update.edited'; update: Update })
  | (EventBase & { type: 'update.deleted'; updateId: string })
  | (EventBase & { type: 'story.updated'; storyState: Story })
  | (EventBase & { type: 'comment.published'; comment: Comment })
  | (EventBase & { type: 'comment.removed'; commentId: string })

/**
 * - `connecting`: first connection under way.
 * - `live`: subscribed; events flow. Detail: `{storyId, seq, lastUpdateAt, serverTime}`.
 * - `reconnecting`: the connection dropped; retrying. Detail: `{attempt, delay?, code?}`.
 * - `resetting`: too far behind to replay; `onReset` runs, then the stream goes on from `seq`.
 * - `closed`: stopped for good. Detail: `{code, message}` (`not_found`, `forbidden`, `policy`, `closed`…).
 */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'resetting' | 'closed'

export interface StateDetail {
  storyId?: string
  seq?: number
  lastUpdateAt?: string | null
  /** The server's clock when subscribed: use it to correct "2 minutes ago" on a skewed device. */
  serverTime?: string
  attempt?: number
  delay?: number
  code?: number | string
  message?: string
}

export interface SubscribeOptions {
  /** Last seq you have applied (the story's `seq` from your HTTP load). Absent: from now on. */
  since?: number
  /** Called once per event, in ascending seq, never twice for one seq. */
  onEvent: (event: LiveEvent) => void
  onState?: (state: LiveState, detail: StateDetail) => void
  /**
   * Called when the server will not replay what you missed (`seq`: the head to go on from), or
   * `null` when your `since` is unknown to the server. Reload the story over HTTP here; the
   * stream continues after the promise settles. Without it, missed events are skipped.
   */
  onReset?: (seq: number | null) => void | Promise<void>
  /**
   * Called with the story's reader count (websocket and server-sent-event readers on every
   * instance, this connection included) when subscribed and whenever it changes, at most every
   * 5 s. Counts carry no seq: they are not part of the story's log and are not replayed.
   */
  onPresence?: (readers: number) => void
  /** The Liveline server ("https://live.example.com"). Default: the origin this module was loaded from. */
  url?: string | URL
  /** A WebSocket implementation, for runtimes without a global one (Node 20: the `ws` package). */
  WebSocket?: unknown
}

export interface Subscription {
  /** Stops following and closes the connection. */
  close(): void
  /** The last seq delivered (or the head at subscription), null before the first `subscribed`. */
  readonly seq: number | null
  /** The story's id once subscribed. */
  readonly storyId: string | null
  /** The last reader count heard (see `onPresence`), null before the first. */
  readonly readers: number | null
}

/**
 * Follows one story over `/v1/live`, reconnecting with backoff and resuming with `since`.
 * @example
 * const sub = subscribe('storm-ida', { since: story.seq, onEvent: (e) => apply(e) })
 */
export function subscribe(story: string, options: SubscribeOptions): Subscription
