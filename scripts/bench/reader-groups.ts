import type { ReaderGroup } from './storm-protocol.js'

/**
 * Splits reader groups into load generators of at most `per` readers each (a group may be split),
 * so no process runs out of file descriptors or CPU. Used by bench-storm and bench-many.
 */
export function partition(groups: ReaderGroup[], per: number): ReaderGroup[][] {
  const out: ReaderGroup[][] = []
  let current: ReaderGroup[] = []
  let size = 0
  for (const g of groups) {
    let left = g.count
    while (left > 0) {
      const take = Math.min(left, per - size)
      current.push({ ...g, count: take })
      size += take
      left -= take
      if (size === per) {
        out.push(current)
        current = []
        size = 0
      }
    }
  }
  if (current.length) out.push(current)
  return out
}
