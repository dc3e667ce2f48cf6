export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const MAX_SLUG_LENGTH = 80

/**
 * A URL-safe slug from a headline: accents folded, everything else collapsed to dashes.
 * @example slugify('Israel seeks new US meeting after canceled Rafah talks')
 *   // 'israel-seeks-new-us-meeting-after-canceled-rafah-talks'
 */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/g, '')
  return slug || 'story'
}
