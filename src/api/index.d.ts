import type { Client, ClientOptions } from 'openapi-fetch'
import type { paths } from './schema.js'

export type { components, operations, paths } from './schema.js'

/** A typed client of the Liveline HTTP API (openapi-fetch): `GET`, `POST`, `PATCH`, `DELETE` by path. */
export type LivelineClient = Client<paths>

/**
 * A client for one Liveline, sending `key` (if any) as `Authorization: Bearer` on every request.
 * @example
 * const liveline = createLivelineClient('https://live.example.com', process.env.LIVELINE_KEY)
 * const { data, error } = await liveline.POST('/v1/stories/{story}/updates', {
 *   params: { path: { story: 'storm-ida-makes-landfall' } },
 *   body: { blocks: [{ type: 'text', text: 'The eye is over the coast.' }] },
 * })
 */
export function createLivelineClient(
  baseUrl: string,
  key?: string,
  options?: Omit<ClientOptions, 'baseUrl'>,
): LivelineClient
