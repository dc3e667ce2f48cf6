/**
 * `npm run seed-demo`: fills a running Liveline with one demo live story over its HTTP API.
 *
 * Env: LIVELINE_URL (default http://localhost:8080) and LIVELINE_ADMIN_KEY or LIVELINE_KEY (an
 * admin or editor key). Safe to run again with the same key: the story is reused by its slug,
 * and every update is posted with an Idempotency-Key (keys are scoped to the API key), so a
 * second run changes nothing.
 */

interface Story {
  id: string
  slug: string
  title: string
  status: 'draft' | 'live' | 'ended'
  seq: number
  updateCount: number
  pinnedUpdateId: string | null
}

interface Update {
  id: string
  headline: string | null
  keyEvent: boolean
  seq: number
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown }
}

type Block =
  | { type: 'text'; text: string }
  | { type: 'quote'; text: string; attribution?: string }
  | { type: 'image'; url: string; caption?: string; credit?: string; alt?: string }
  | { type: 'embed'; url: string }

interface NewUpdate {
  headline?: string
  blocks: Block[]
  keyEvent?: boolean
}

const SLUG = 'israel-seeks-new-us-meeting-after-canceled-rafah-talks'

const STORY = {
  title: 'Israel seeks new US meeting after canceled Rafah talks',
  slug: SLUG,
  summary:
    'Israel asks to reschedule talks in Washington on a planned operation in Rafah after calling off a delegation\u2019s visit. (Demo content from Liveline\u2019s seed script.)',
  section: 'World',
  status: 'live',
} as const

/** The updates in posting order; `pin` marks the one the story pins. */
const UPDATES: Array<{ key: string; pin?: boolean; body: NewUpdate }> = [
  {
    key: 'text',
    body: {
      headline: 'Delegation\u2019s trip called off',
      blocks: [
        {
          type: 'text',
          text: 'A planned visit by a senior Israeli delegation to Washington was called off on Monday, hours before it was due to leave.\n\nThe talks were meant to cover alternatives to a ground operation in Rafah.',
        },
      ],
    },
  },
  {
    key: 'quote',
    body: {
      blocks: [
        {
          type: 'quote',
          text: 'We have asked for a new date. The conversation about Rafah is not over.',
          attribution: 'A senior Israeli official, speaking on condition of anonymity (demo quote)',
        },
      ],
    },
  },
  {
    key: 'image',
    body: {
      blocks: [
        {
          type: 'image',
          url: 'https://picsum.photos/seed/liveline-rafah/1200/800',
          caption: 'Placeholder photo for the demo story.',
          credit: 'Lorem Picsum',
          alt: 'Placeholder photograph',
        },
      ],
    },
  },
  {
    key: 'key-event',
    pin: true,
    body: {
      headline: 'Washington agrees to reschedule',
      keyEvent: true,
      blocks: [
        {
          type: 'text',
          text: 'US officials say they are open to a new meeting, which could take place as early as next week.',
        },
      ],
    },
  },
]

const baseUrl = (process.env.LIVELINE_URL ?? 'http://localhost:8080').replace(/\/+$/, '')
const apiKey = process.env.LIVELINE_ADMIN_KEY || process.env.LIVELINE_KEY

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (res.ok) return (res.status === 204 ? undefined : await res.json()) as T
  const err = ((await res.json().catch(() => ({}))) as ErrorBody).error
  const details = err?.details === undefined ? '' : ` ${JSON.stringify(err.details)}`
  throw new ApiError(
    res.status,
    err?.code ?? 'http_error',
    `${method} ${path}: ${res.status} ${err?.code ?? ''} ${err?.message ?? res.statusText}${details}`,
  )
}

/** Creates the story, or reuses it when its slug is already taken (a second run). */
async function ensureStory(): Promise<Story> {
  try {
    const story = await api<Story>('POST', '/v1/stories', STORY)
    console.log(`created story ${story.slug}`)
    return story
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'slug_taken')) throw err
  }
  const story = await api<Story>('GET', `/v1/stories/${SLUG}`)
  console.log(`reusing story ${story.slug} (status ${story.status})`)
  if (story.status === 'draft') return api<Story>('PATCH', `/v1/stories/${story.id}`, { status: 'live' })
  return story
}

async function main(): Promise<void> {
  if (!apiKey) {
    console.error(
      'seed-demo needs an admin or editor key: set LIVELINE_ADMIN_KEY (printed by `npm start`) or LIVELINE_KEY.\n' +
        'Example: LIVELINE_ADMIN_KEY=ll_... npm run seed-demo',
    )
    process.exit(2)
  }
  const story = await ensureStory()
  let pinned: Update | null = null
  for (const { key, pin, body } of UPDATES) {
    const update = await api<Update>('POST', `/v1/stories/${story.id}/updates`, body, {
      // Same key and body on a re-run: the server returns the first update instead of posting again.
      'Idempotency-Key': `seed-demo:${SLUG}:${key}`,
    })
    console.log(`update ${key.padEnd(9)} ${update.id} (seq ${update.seq})`)
    if (pin) pinned = update
  }
  if (pinned) {
    // A no-op when it is already pinned: the server appends no event for an unchanged story.
    await api<Story>('PATCH', `/v1/stories/${story.id}`, { pinnedUpdateId: pinned.id })
    console.log(`${'pinned'.padEnd(16)} ${pinned.id}`)
  }
  const final = await api<Story>('GET', `/v1/stories/${story.id}`)
  console.log(
    `\nReader page: ${baseUrl}/s/${final.slug}\nStory: ${baseUrl}/v1/stories/${final.slug}\nSlug:  ${final.slug}\n` +
      `Updates: ${final.updateCount}, head seq ${final.seq}\n` +
      `Follow it live: subscribe to "${final.slug}" on ${baseUrl.replace(/^http/, 'ws')}/v1/live\n` +
      `Feed: ${baseUrl}/v1/stories/${final.slug}/feed.atom`,
  )
}

main().catch((err: unknown) => {
  if (err instanceof TypeError && String(err.cause ?? '').includes('ECONNREFUSED')) {
    console.error(`seed-demo: nothing is listening at ${baseUrl} (start Liveline, or set LIVELINE_URL)`)
  } else {
    console.error(`seed-demo: ${err instanceof Error ? err.message : String(err)}`)
  }
  process.exit(1)
})
