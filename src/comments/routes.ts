import { getConnInfo } from '@hono/node-server/conninfo'
import { type Context, Hono } from 'hono'
import { requireAction } from '../auth/middleware.js'
import { AppError } from '../errors.js'
import type { AppEnv } from '../http/env.js'
import { jsonAnswer } from '../http/json-answer.js'
import { describe } from '../http/openapi.js'
import { FORBIDDEN, INVALID, STORY_NOT_FOUND, UNAUTHORIZED } from '../http/responses.js'
import { validate } from '../http/validate.js'
import type { CommentService } from './comment-service.js'
import { deleteComment, listComments, moderateComment, postComment } from './comments.js'
import {
  Comment,
  CommentList,
  CreateCommentInput,
  ListCommentsQuery,
  ModerateCommentInput,
} from './schema.js'

const COMMENT_NOT_FOUND = { 404: { description: 'No such story or comment' } }

/**
 * The client's address: the configured proxy header (e.g. `Fly-Client-IP`) when one is set and
 * present, its first entry; otherwise the socket's peer. A header nobody configured is never trusted.
 */
export function clientAddress(c: Context<AppEnv>, header: string | undefined): string {
  if (header) {
    const value = c.req.header(header)?.split(',')[0]?.trim()
    if (value) return value
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    // Called without a Node socket (app.fetch in-process): every such caller shares one bucket.
    return 'unknown'
  }
}

export function commentRoutes(comments: CommentService) {
  const app = new Hono<AppEnv>()
  const tag = 'Comments'

  app.post(
    '/stories/:story/comments',
    describe({
      operationId: 'postComment',
      tag,
      access: 'public',
      summary: 'Post a reader comment',
      description:
        'No key needed. `name` 1-60 and `text` 1-2000 characters (NFC, trimmed; control and bidi-override characters refused). The automatic rules decide it: `status` is `published` (an `open` story, no rule fired), `pending` (a `moderated` story, or a holding rule) or `rejected`, with `reasons`. Limited per client address per story and overall, across instances.',
      responses: {
        201: { description: 'Taken, with its status and the rules that fired', schema: Comment },
        ...INVALID,
        ...STORY_NOT_FOUND,
        409: { description: 'The story takes no comments (`comments_closed`: `off` or `closed`)' },
        429: {
          description:
            'Too many comments from this address (`rate_limited`); retry after `Retry-After` seconds',
        },
        503: {
          description:
            'The database is unavailable, or the story has more comments waiting to be published than this instance holds (`LIVELINE_COMMENT_PUBLISH_QUEUE`): nothing was stored, and the same comment may be sent again after `Retry-After` seconds',
        },
      },
    }),
    validate('json', CreateCommentInput),
    async (c) => {
      const address = clientAddress(c, comments.clientIpHeader)
      try {
        const comment = await postComment(
          c.var.deps,
          comments,
          c.req.param('story'),
          c.req.valid('json'),
          address,
        )
        return jsonAnswer(c, comment, 201)
      } catch (err) {
        if (err instanceof AppError && err.code === 'rate_limited') {
          const { retryAfterSeconds } = err.details as { retryAfterSeconds: number }
          c.header('Retry-After', String(retryAfterSeconds))
        }
        throw err
      }
    },
  )

  app.get(
    '/stories/:story/comments',
    describe({
      operationId: 'listComments',
      tag,
      access: 'public',
      summary: 'List a story\u2019s comments, newest first',
      description:
        'Published comments for everyone (none while the story\u2019s `comments` is `off`). With an editor or admin key, `status=pending|rejected|published` lists those instead; a public `status` other than `published` is 401.',
      responses: {
        200: { description: 'A page of comments', schema: CommentList },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        ...STORY_NOT_FOUND,
      },
    }),
    validate('query', ListCommentsQuery),
    async (c) => {
      c.header('Cache-Control', 'no-store')
      return jsonAnswer(
        c,
        await listComments(c.var.deps, c.var.principal, c.req.param('story'), c.req.valid('query')),
      )
    },
  )

  app.patch(
    '/stories/:story/comments/:id',
    describe({
      operationId: 'moderateComment',
      tag,
      access: 'editor',
      summary: 'Publish or reject a comment',
      description:
        'Publishing appends `comment.published`; rejecting a published comment appends `comment.removed`. The same status again changes nothing.',
      responses: {
        200: { description: 'The comment after the decision', schema: Comment },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        ...COMMENT_NOT_FOUND,
      },
    }),
    requireAction('stories:write'),
    validate('json', ModerateCommentInput),
    async (c) => {
      const { story, id } = c.req.param()
      return jsonAnswer(c, await moderateComment(c.var.deps, comments, story, id, c.req.valid('json')))
    },
  )

  app.delete(
    '/stories/:story/comments/:id',
    describe({
      operationId: 'deleteComment',
      tag,
      access: 'editor',
      summary: 'Delete a comment',
      description: 'Deleting a published comment appends `comment.removed`.',
      responses: { 204: { description: 'Deleted' }, ...UNAUTHORIZED, ...FORBIDDEN, ...COMMENT_NOT_FOUND },
    }),
    requireAction('stories:write'),
    async (c) => {
      const { story, id } = c.req.param()
      await deleteComment(c.var.deps, story, id)
      return c.body(null, 204)
    },
  )

  return app
}
