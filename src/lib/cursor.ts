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

/** A page of items, newest first, and the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only says that another page exists.
 * @example toPage(rows, 20, (r) => ({ at: r.created_at, id: r.id }), presentStory)
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  position: (row: R) => CursorPosition,
  present: (row: R) => T,
): Page<T> {
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return {
    items: page.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor(position(last)) : null,
  }
}
