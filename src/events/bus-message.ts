import { STORY_STATUSES, type StoryStatus } from '../store/schema.js'

/**
 * The story events' bus message: which topic a story's events travel on, and how one event is
 * encoded on it. The bus itself only moves strings between topics; this is the one place that
 * knows what those strings are.
 */

/** Story events for one story: an instance subscribes only to stories it has readers for. */
export const storyTopic = (storyId: string): string => `story:${storyId}`

/** Bus messages are `<seq> <event JSON>`, so an instance learns the seq without parsing the event. */
export function encodeBusMessage(seq: number, body: string): string {
  return `${seq} ${body}`
}

/** @returns null for a message that is not `<seq> <event JSON>` (it is dropped; the log has the truth) */
export function decodeBusMessage(message: string): { seq: number; body: string } | null {
  const space = message.indexOf(' ')
  const seq = Number(message.slice(0, space))
  if (space < 1 || !Number.isSafeInteger(seq)) return null
  return { seq, body: message.slice(space + 1) }
}

/**
 * One message per committed change, `<storyId> <seq> <status>`, heard by every instance (the
 * public read caches), also those with no live reader of the story. A hint like the events: a
 * lost one costs a cache its trust bound of staleness, never a wrong answer for longer.
 */
export const STORY_CHANGES_TOPIC = 'story-changes'

export function encodeStoryChange(storyId: string, seq: number, status: StoryStatus): string {
  return `${storyId} ${seq} ${status}`
}

export function decodeStoryChange(
  message: string,
): { storyId: string; seq: number; status: StoryStatus } | null {
  const [storyId, seqText, status] = message.split(' ')
  const seq = Number(seqText)
  if (!storyId || !Number.isSafeInteger(seq) || !STORY_STATUSES.includes(status as StoryStatus)) return null
  return { storyId, seq, status: status as StoryStatus }
}
