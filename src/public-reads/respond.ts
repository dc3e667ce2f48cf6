import type { Context } from 'hono'
import { CACHE_CONTROL } from '../http/conditional.js'
import type { AppEnv } from '../http/env.js'
import { serveStaticFile } from '../http/static-file.js'

/**
 * Answers an anonymous read of story `ref` from the public read cache (rendering it once per
 * change), with its ETag, 304s and the public Cache-Control. Null when the read is not for the
 * cache (a key was presented, or the story is missing or a draft): the route answers as usual.
 * @example return (await respondFromCache(c, ref, 'story', JSON_TYPE, render)) ?? answerAsUsual()
 */
export async function respondFromCache(
  c: Context<AppEnv>,
  ref: string,
  variant: string,
  contentType: string,
  render: (storyId: string) => Promise<string>,
): Promise<Response | null> {
  if (c.var.principal !== null) return null
  const answer = await c.var.deps.publicReads.answer(ref, variant, contentType, render)
  return answer && serveStaticFile(c, answer.file, CACHE_CONTROL.public, answer.isCurrent)
}
