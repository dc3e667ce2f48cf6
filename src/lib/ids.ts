import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz' // Crockford base32, lower case

/**
 * A time-sortable opaque id: 10 chars of milliseconds then 16 random chars (80 bits),
 * so ids sort roughly by creation and never collide in practice.
 * @example newId() // '01jd3k9x2a7f4q8r1m2n3p4s5t'
 */
export function newId(now: number = Date.now()): string {
  let time = ''
  let t = now
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time
    t = Math.floor(t / 32)
  }
  const bytes = randomBytes(16)
  let rand = ''
  for (let i = 0; i < 16; i++) rand += ALPHABET[(bytes[i] as number) % 32]
  return time + rand
}

export type NewId = () => string

/** A fresh API key: 256 random bits, base64url, with a prefix that makes leaked keys easy to grep for. */
export function newApiKey(): string {
  return `ll_${randomBytes(32).toString('base64url')}`
}
