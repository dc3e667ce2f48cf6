/** Contract times are RFC 3339 UTC with milliseconds, which is exactly what toISOString() prints. */
export function toWireTime(date: Date): string {
  return date.toISOString()
}

export function toWireTimeOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null
}

export type Clock = () => Date
export const systemClock: Clock = () => new Date()
