import type { Context } from 'hono'
import type { AppEnv } from './env.js'

/**
 * The origin for absolute links in feeds and pages: LIVELINE_PUBLIC_URL when set, otherwise the
 * scheme and host the reader used. X-Forwarded-Proto is honoured (TLS ends at the proxy in front
 * of us); X-Forwarded-Host is not: a shared cache does not key on it, so trusting it would let
 * anyone plant links to their own site in a cached feed.
 */
export function publicBaseUrl(c: Context<AppEnv>): string {
  const configured = c.var.publicUrl
  if (configured) return configured
  const url = new URL(c.req.url)
  const forwarded = c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim().toLowerCase()
  const proto = forwarded === 'https' || forwarded === 'http' ? forwarded : url.protocol.slice(0, -1)
  return `${proto}://${url.host}`
}
