import { can, type Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { getStoryRowOrThrow } from '../events/event-log.js'
import { type EventDraft, recordChange } from '../events/record-change.js'
import { type Page, toPage } from '../lib/cursor.js'
import { newestFirst } from '../store/keyset.js'
import type { CommentRow, StoryRow } from '../store/schema.js'
import { clientKey } from './client-key.js'
import { queueFull } from './comment-publisher.js'
import type { CommentService } from './comment-service.js'
import { presentComment } from './present.js'
import type { Comment, CreateCommentInput, ListCommentsQuery, ModerateCommentInput } from './schema.js'

/** The comments setting of a story that takes new comments, or 409 `comments_closed`. */
export function acceptingSetting(story: StoryRow): 'moderated' | 'open' {
  if (story.comments === 'moderated' || story.comments === 'open') return story.comments
  throw new AppError(
    'comments_closed',
    story.comments === 'closed' ? 'comments on this story are closed' : 'this story does not take comments',
  )
}

/**
 * A reader's comment: refused when the story takes none (409) or the address is over its limits
 * (429), then decided by the automatic rules and stored; a published one appends
 * `comment.published`. A pending or rejected one appends nothing: readers never see it.
 */
export async function postComment(
  deps: Deps,
  comments: CommentService,
  ref: string,
  input: CreateCommentInput,
  address: string,
): Promise<Comment> {
  const story = await getStoryRowOrThrow(deps.db, null, ref)
  const setting = acceptingSetting(story)
  // Refused before it counts against the reader's limit; checked again when it joins the queue.
  if (!comments.publisher.hasRoom(story.id)) throw queueFull()
  const limit = await comments.limiter.consume(address, story.id)
  if (!limit.allowed) {
    comments.metrics.rateLimited.inc()
    throw new AppError(
      'rate_limited',
      `too many comments from this address; retry in ${limit.retryAfterSeconds} s`,
      {
        retryAfterSeconds: limit.retryAfterSeconds,
      },
    )
  }
  comments.metrics.received.inc()
  const client = clientKey(comments.secret, address)
  const timeRules = comments.metrics.ruleSeconds.startTimer()
  const evaluation = await comments.rules.evaluate(
    { text: input.text, client },
    { id: story.id, language: story.language, comments: setting },
  )
  timeRules()
  for (const rule of evaluation.reasons) comments.metrics.ruleFired.inc({ rule })
  comments.metrics.decided.inc({ status: evaluation.status, by: 'rules' })
  const now = deps.clock()
  const row: CommentRow = {
    id: deps.newId(),
    story_id: story.id,
    name: input.name,
    text: input.text,
    status: evaluation.status,
    reasons: evaluation.reasons,
    client_key: client,
    created_at: now,
    // Decided by the rules at once, unless it waits for an editor.
    decided_at: evaluation.status === 'pending' ? null : now,
  }
  try {
    if (row.status !== 'published') {
      await deps.db.insertInto('comments').values(row).execute()
      return presentComment(row)
    }
    // Under the story's lock (checked again there: an editor closing comments meanwhile wins),
    // together with the other comments published on the story at the same moment.
    return await comments.publisher.publish(deps, story.id, row)
  } catch (err) {
    // Not stored: sending it again must not count as a repeat of itself.
    if (recordedForRepeat(evaluation))
      await comments.rules.forget({ text: input.text, client }, story.id).catch((forgetErr: unknown) => {
        deps.log.warn({ err: forgetErr }, 'a refused comment stays recorded for the repeat rule')
      })
    throw err
  }
}

function recordedForRepeat(evaluation: { reasons: readonly string[]; undecided: readonly string[] }) {
  return !evaluation.reasons.includes('repeat') && !evaluation.undecided.includes('repeat')
}

/**
 * A story's comments, newest first: published ones for everyone (none while comments are `off`);
 * with an editor or admin key, `status` lists the pending or rejected ones instead.
 */
export async function listComments(
  deps: Deps,
  principal: Principal | null,
  ref: string,
  query: ListCommentsQuery,
): Promise<Page<Comment>> {
  const status = query.status ?? 'published'
  const moderator = can(principal, 'stories:write')
  if (status !== 'published' && !moderator) {
    if (!principal)
      throw new AppError('unauthorized', `listing ${status} comments needs an editor or admin key`)
    throw new AppError('forbidden', `the ${principal.role} role may not list ${status} comments`)
  }
  const story = await getStoryRowOrThrow(deps.db, principal, ref)
  if (story.comments === 'off' && !moderator) return { items: [], nextCursor: null }
  const q = deps.db
    .selectFrom('comments')
    .selectAll()
    .where('story_id', '=', story.id)
    .where('status', '=', status)
  const rows = await newestFirst(q, 'created_at', query.cursor, query.limit).execute()
  return toPage(rows, query.limit, (r) => ({ at: r.created_at, id: r.id }), presentComment)
}

/**
 * An editor's decision. Publishing appends `comment.published`; rejecting a published comment
 * appends `comment.removed`; rejecting a pending one appends nothing. The same status again is a no-op.
 */
export async function moderateComment(
  deps: Deps,
  comments: CommentService,
  ref: string,
  id: string,
  input: ModerateCommentInput,
): Promise<Comment> {
  return recordChange(deps, ref, async (ctx) => {
    const row = await ctx.tx
      .selectFrom('comments')
      .selectAll()
      .where('id', '=', id)
      .where('story_id', '=', ctx.story.id)
      .executeTakeFirst()
    if (!row) throw new AppError('not_found', `comment ${id} does not exist in story ${ref}`)
    if (row.status === input.status) return { result: presentComment(row), events: [] }
    const updated = await ctx.tx
      .updateTable('comments')
      .set({ status: input.status, decided_at: ctx.now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const comment = presentComment(updated)
    comments.metrics.decided.inc({ status: input.status, by: 'editor' })
    const events: EventDraft[] = []
    if (input.status === 'published') events.push({ seq: ctx.nextSeq(), type: 'comment.published', comment })
    else if (row.status === 'published')
      events.push({ seq: ctx.nextSeq(), type: 'comment.removed', commentId: id })
    return { result: comment, events }
  })
}

/** Deletes a comment for good; a published one appends `comment.removed`. */
export async function deleteComment(deps: Deps, ref: string, id: string): Promise<void> {
  await recordChange(deps, ref, async (ctx) => {
    const row = await ctx.tx
      .deleteFrom('comments')
      .where('id', '=', id)
      .where('story_id', '=', ctx.story.id)
      .returning(['status'])
      .executeTakeFirst()
    if (!row) throw new AppError('not_found', `comment ${id} does not exist in story ${ref}`)
    const events: EventDraft[] =
      row.status === 'published' ? [{ seq: ctx.nextSeq(), type: 'comment.removed', commentId: id }] : []
    return { result: undefined, events }
  })
}
