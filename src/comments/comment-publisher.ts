import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { recordChange } from '../events/record-change.js'
import type { CommentRow, StoryRow } from '../store/schema.js'
import { presentComment } from './present.js'
import type { Comment } from './schema.js'

/** Most comments one write publishes together. */
export const COMMENT_PUBLISH_BATCH_MAX = 100

interface Waiting {
  row: CommentRow
  resolve(comment: Comment): void
  reject(err: unknown): void
}

/**
 * Publishes comments the rules let through, with group commit per story: every change to a story
 * takes its row lock (the write path serialises them to keep `seq` gapless), so on a busy `open`
 * story one transaction per comment would queue comments, and the editors' updates behind them,
 * for the lock and for pool connections. While one write of a story is in flight, the comments that
 * arrive meanwhile wait and are then written together: one transaction, one insert, one event each
 * (each still has its own seq). A lone comment is written at once, as before.
 * `accepting` runs under the story's lock and throws to refuse a batch (comments closed meanwhile).
 * At most `queueMax` comments of a story wait; past that they are refused with 503 (`unavailable`).
 * @example const comment = await createCommentPublisher(acceptingSetting).publish(deps, story.id, row)
 */
export function createCommentPublisher(
  accepting: (story: StoryRow) => unknown,
  { queueMax, maxBatch = COMMENT_PUBLISH_BATCH_MAX }: { queueMax: number; maxBatch?: number },
) {
  const queues = new Map<string, Waiting[]>()

  async function drain(deps: Deps, storyId: string) {
    for (;;) {
      const queue = queues.get(storyId)
      if (!queue || queue.length === 0) {
        queues.delete(storyId)
        return
      }
      const batch = queue.splice(0, maxBatch)
      try {
        const comments = await recordChange(deps, storyId, async (ctx) => {
          // Under the story's lock: an editor closing comments meanwhile wins, for the whole batch.
          accepting(ctx.story)
          await ctx.tx
            .insertInto('comments')
            .values(batch.map((w) => w.row))
            .execute()
          const presented = batch.map((w) => presentComment(w.row))
          return {
            result: presented,
            events: presented.map((comment) => ({
              seq: ctx.nextSeq(),
              type: 'comment.published' as const,
              comment,
            })),
          }
        })
        for (const [i, w] of batch.entries()) w.resolve(comments[i] as Comment)
      } catch (err) {
        for (const w of batch) w.reject(err)
      }
    }
  }

  return {
    /** False when `storyId`'s queue is full: a comment to publish now would be refused. */
    hasRoom(storyId: string): boolean {
      return (queues.get(storyId)?.length ?? 0) < queueMax
    },
    /** Inserts `row` (a published comment of `storyId`) and appends its `comment.published`. */
    publish(deps: Deps, storyId: string, row: CommentRow) {
      return new Promise<Comment>((resolve, reject) => {
        const queue = queues.get(storyId)
        if (queue && queue.length >= queueMax) {
          reject(queueFull())
          return
        }
        if (queue) {
          queue.push({ row, resolve, reject })
          return
        }
        queues.set(storyId, [{ row, resolve, reject }])
        void drain(deps, storyId)
      })
    },
  }
}

export type CommentPublisher = ReturnType<typeof createCommentPublisher>

/** Nothing was written: the client may send the same comment again. */
export function queueFull(): AppError {
  return new AppError(
    'unavailable',
    'this story is taking more comments than it can publish right now; retry shortly',
  )
}
