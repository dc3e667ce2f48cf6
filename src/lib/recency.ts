/**
 * Sets `key` to `value` as the most recently used entry of `map`. A Map iterates in insertion
 * order, so re-inserting moves an entry to the back: the first entry is then the least recently
 * used, the one a bounded cache evicts.
 * @example setMostRecent(entries, key, entry); const coldest = entries.keys().next().value
 */
export function setMostRecent<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key)
  map.set(key, value)
}

/**
 * Drops the least recently used entries of `map` (kept in order by `setMostRecent`) until it
 * holds at most `max`; `dropped` is told each key it drops.
 * @example setMostRecent(entries, key, entry); dropLeastRecent(entries, MAX_ENTRIES)
 */
export function dropLeastRecent<K, V>(map: Map<K, V>, max: number, dropped?: (key: K) => void): void {
  while (map.size > max) {
    const oldest = map.keys().next().value as K
    map.delete(oldest)
    dropped?.(oldest)
  }
}
