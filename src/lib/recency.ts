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
