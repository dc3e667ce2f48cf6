import { listComments } from '../comments/comments.js'
import type { Comment } from '../comments/schema.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import type { CursorPosition } from '../lib/cursor.js'
import type { Story } from '../stories/schema.js'
import { getStory } from '../stories/stories.js'
import type { Update } from '../updates/schema.js'
import { updateTitle } from '../updates/title.js'
import { getUpdate, listUpdates } from '../updates/updates.js'

/** Updates a reader page renders; older ones are behind an "Older updates" link. */
export const PAGE_UPDATES = 100
/** Published comments a reader page renders, newest first. */
export const PAGE_COMMENTS = 50

/** Everything one rendering of a story needs, read through the domain verbs as a public reader. */
export interface StoryView {
  story: Story
  /** Newest first. */
  updates: Update[]
  pinned: Update | null
  /** Cursor of the next (older) page, null on the last page. */
  olderCursor: string | null
  /** True when this is an older page (`?cursor=`): it shows no new updates live. */
  archive: boolean
  /** Published comments, newest first (none while the story's comments are off). */
  comments: Comment[]
}

/**
 * Loads a story as the public sees it (drafts are not_found). The story is read before its
 * updates, so its `seq` is never ahead of what the page shows: resuming from it can only replay
 * changes already rendered, which the client applies idempotently.
 */
export async function loadStoryView(deps: Deps, ref: string, cursor?: CursorPosition): Promise<StoryView> {
  const story = await getStory(deps, null, ref)
  const page = await listUpdates(deps, null, story.id, { limit: PAGE_UPDATES, cursor })
  let pinned = page.items.find((u) => u.id === story.pinnedUpdateId) ?? null
  if (story.pinnedUpdateId && !pinned) {
    try {
      pinned = await getUpdate(deps, null, story.id, story.pinnedUpdateId)
    } catch (err) {
      // Deleted between the two reads: the page simply shows nothing pinned.
      if (!(err instanceof AppError && err.code === 'not_found')) throw err
    }
  }
  const archive = cursor !== undefined
  const comments =
    archive || story.comments === 'off'
      ? []
      : (await listComments(deps, null, story.id, { limit: PAGE_COMMENTS })).items
  return { story, updates: page.items, pinned, olderCursor: page.nextCursor, archive, comments }
}

/** What a key-events list and search engines call an update: its headline, else its first words. */
export const updateLabel = (update: Update): string => updateTitle(update.headline, update.blocks)

/** The update's text without markup, for schema.org's articleBody. */
export function updatePlainText(update: Update): string {
  return update.blocks
    .map((b) => {
      if (b.type === 'text') return b.text
      if (b.type === 'quote') return b.attribution ? `“${b.text}” — ${b.attribution}` : `“${b.text}”`
      if (b.type === 'image') return [b.caption, b.credit].filter(Boolean).join(' ')
      return b.url
    })
    .filter(Boolean)
    .join('\n\n')
}

/** Distinct author names, in order of their first update: the story's editors. */
export function editorsOf(updates: Update[]): string[] {
  return [...new Set([...updates].reverse().map((u) => u.author.name))]
}
