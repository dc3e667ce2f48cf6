/**
 * Keyset pagination cursors: opaque to clients, they carry the (time, id) of the last item
 * on the page so the next page starts strictly after it, even while new items arrive.
 */
export interface CursorPosition {
  at: Date
  id: string
}

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(`${pos.at.toISOString()}|${pos.id}`).toString('base64url')
}

/** Returns null for anything that is not a cursor this service made. */
export function decodeCursor(cursor: string): CursorPosition | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const bar = text.indexOf('|')
  if (bar < 0) return null
  const at = new Date(text.slice(0, bar))
  const id = text.slice(bar + 1)
  if (Number.isNaN(at.getTime()) || !/^[0-9a-z]{1,64}$/.test(id)) return null
  return { at, id }
}
