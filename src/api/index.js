// Typed HTTP client for editors' tools: `import { createLivelineClient } from 'liveline/api'`.
// Plain JS with types beside it (index.d.ts, schema.d.ts), so it needs no build, like liveline/client.
import createClient from 'openapi-fetch'

/**
 * A client for one Liveline, sending `key` (if any) as `Authorization: Bearer` on every request.
 * Paths, parameters, bodies and responses are typed from the API's OpenAPI document.
 * @param {string} baseUrl the service's origin, e.g. `https://live.example.com`
 * @param {string} [key] an API key from `POST /v1/keys`; without one, the client reads as the public
 * @param {import('openapi-fetch').ClientOptions} [options] anything else openapi-fetch takes (`fetch`, headers …)
 */
export function createLivelineClient(baseUrl, key, options = {}) {
  const headers = new Headers(/** @type {HeadersInit} */ (options.headers ?? {}))
  if (key) headers.set('Authorization', `Bearer ${key}`)
  return createClient({ ...options, baseUrl, headers })
}
