import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, textUpdate } from '../helpers/api.js'
import { ADMIN_KEY, startServer, type TestServer } from '../helpers/server.js'

/**
 * Property-based fuzzing of every route in /openapi.json: generated valid-ish and invalid path
 * ids, query strings, headers and bodies. Every answer must be a documented status, never a 5xx,
 * never a hang, errors in the contract's shape, and a refused request must write nothing.
 * `npm run fuzz` runs FUZZ_RUNS requests (3000 by default) and prints how many per route.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150)
/** Longer than any answer should take: a request still open after it counts as a hang. */
const REQUEST_TIMEOUT_MS = 10_000

/**
 * Answers any route may give before it runs, rather than documented per route: a bad or revoked
 * key (401, even on public routes), an oversize body (413), and Node's own 431 for a request
 * line and headers over 16 KiB.
 */
const ANY_ROUTE_STATUSES = new Set(['401', '413', '431'])

interface Operation {
  method: string
  path: string
  statuses: Set<string>
  query: string[]
}

let server: TestServer
let operations: Operation[]
let storyId: string
let ids: Record<string, string>
const counts = new Map<string, number>()
/** The last few requests made, for the message when one fails outright. */
const recent: string[] = []

beforeAll(async () => {
  server = await startServer()
  const editor = await keyFor(server.admin, 'editor')
  const story = await makeStory(editor)
  storyId = story.id
  const update = await editor.post(`/v1/stories/${storyId}/updates`, textUpdate('fuzz target'))
  const key = await server.admin.post('/v1/keys', { name: 'fuzz', role: 'partner' })
  ids = {
    story: storyId,
    id: key.body.id,
    update: update.body.id,
    deliveryId: 'no-such-delivery',
    name: 'client.js',
  }
  const doc = (await server.api().get('/openapi.json')).body as {
    paths: Record<
      string,
      Record<string, { responses: object; parameters?: Array<{ in: string; name: string }> }>
    >
  }
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      statuses: new Set(Object.keys(op.responses)),
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    })),
  )
})
afterAll(async () => {
  if (process.env.FUZZ_REPORT) {
    const rows = [...counts].sort(([a], [b]) => (a < b ? -1 : 1))
    process.stdout.write(
      `\nrequests per route:\n${rows.map(([r, n]) => `  ${String(n).padStart(6)}  ${r}`).join('\n')}\n`,
    )
  }
  await server.stop()
})

const oddString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    '..%2F..%2Fetc',
    '%00',
    '\u202e\u0000',
    'ş'.repeat(5000),
  ),
)
const hugeNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, -0, 0.5),
  fc.double({ noNaN: true }),
  fc.bigInt().map((n) => n.toString()),
)
/** Deep nesting, built as text (a value this deep would overflow the test's own stack). */
const deeplyNested = fc
  .tuple(fc.integer({ min: 50, max: 50_000 }), fc.constantFrom('title', 'blocks', 'stories', 'x'))
  .map(([depth, field]) => `{"${field}":${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}}`)
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  hugeNumber,
  oddString,
  fc.dictionary(
    fc.constantFrom('__proto__', 'constructor', 'title', 'blocks', 'text', 'url', 'name'),
    fc.jsonValue({ maxDepth: 2 }),
  ),
)
/** Bodies that are close to what routes take, with one field made wrong. */
const validBodies: Record<string, unknown>[] = [
  { title: 'Fuzz story', status: 'live' },
  textUpdate('hello'),
  { name: 'fuzz key', role: 'partner' },
  { url: 'http://127.0.0.1:9/hook', stories: ['*'] },
  { overlapSeconds: 60 },
]
const mutated = fc
  .tuple(
    fc.constantFrom(...validBodies),
    fc.constantFrom(
      'title',
      'status',
      'blocks',
      'name',
      'role',
      'url',
      'stories',
      'overlapSeconds',
      '__proto__',
    ),
    jsonish,
  )
  .map(([body, field, value]) => JSON.stringify({ ...body, [field]: value }))
const bodyText = fc.oneof(
  jsonish.map((v) => JSON.stringify(v) ?? 'null'),
  mutated,
  mutated.chain((text) => fc.nat({ max: text.length }).map((n) => text.slice(0, n))), // truncated
  deeplyNested,
  fc.constant('{"title":"a","title":"b","status":"live","status":"nope"}'), // duplicate keys
  fc.constantFrom(...validBodies.map((b) => JSON.stringify(b))),
  oddString,
)
const request = fc.record({
  op: fc.nat(),
  ids: fc.dictionary(
    fc.constantFrom('story', 'id', 'update', 'deliveryId', 'name'),
    fc.oneof(oddString, fc.constant('VALID')),
  ),
  query: fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom('since', 'limit', 'cursor', 'before', 'status', 'q'), oddString),
      fc.oneof(oddString, hugeNumber.map(String)),
    ),
    { maxLength: 3 },
  ),
  auth: fc.constantFrom('admin', 'none', 'garbage', 'Basic eA=='),
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=utf-16',
    null,
  ),
  body: fc.option(bodyText, { nil: undefined }),
})

/** What a refused request must leave alone: the story's seq and its rows (updates, comments, events). */
async function writesOf(id: string): Promise<string> {
  const { db } = server.app.deps
  const row = await db
    .selectFrom('stories')
    .select((eb) => [
      'seq',
      eb.selectFrom('updates').select(eb.fn.countAll().as('n')).where('story_id', '=', id).as('updates'),
      eb.selectFrom('comments').select(eb.fn.countAll().as('n')).where('story_id', '=', id).as('comments'),
      eb.selectFrom('events').select(eb.fn.countAll().as('n')).where('story_id', '=', id).as('events'),
    ])
    .where('id', '=', id)
    .executeTakeFirst()
  return row
    ? `seq ${row.seq}, ${row.updates} updates, ${row.comments} comments, ${row.events} events`
    : 'gone'
}

describe('every route under generated input', () => {
  it('never answers 5xx or an undocumented status, never hangs, and a refused request writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const op = operations[r.op % operations.length]!
        const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
          const v = r.ids[name]
          return encodeURIComponent(v === undefined || v === 'VALID' ? (ids[name] ?? 'x') : v)
        })
        const qs = new URLSearchParams(r.query)
        const headers: Record<string, string> = {}
        if (r.auth === 'admin') headers.Authorization = `Bearer ${ADMIN_KEY}`
        else if (r.auth === 'garbage') headers.Authorization = 'Bearer ll_garbage'
        else if (r.auth !== 'none') headers.Authorization = r.auth
        const hasBody = r.body !== undefined && op.method !== 'GET'
        if (hasBody && r.contentType) headers['Content-Type'] = r.contentType
        const before = await writesOf(storyId)
        const sent = `${op.method} ${path.slice(0, 100)} (${headers['Content-Type'] ?? 'no type'}, ${hasBody ? Buffer.byteLength(r.body ?? '') : 0} bytes)`
        const res = await fetch(`${server.url}${path}${qs.size ? `?${qs}` : ''}`, {
          method: op.method,
          headers,
          body: hasBody ? r.body : undefined,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }).catch((err: Error) => {
          // A failure on a reused connection is often the previous request's doing: name them.
          throw new Error(`${sent} failed: ${err.message}; the requests before: ${recent.join(' | ')}`, {
            cause: err,
          })
        })
        recent.push(`${sent} -> ${res.status} ${res.headers.get('connection') ?? ''}`)
        if (recent.length > 3) recent.shift()
        const route = `${op.method} ${op.path}`
        counts.set(route, (counts.get(route) ?? 0) + 1)
        const what = `${route} -> ${res.status} (${op.method} ${path}?${qs}, body ${String(r.body).slice(0, 200)})`
        let text = ''
        if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) await res.body?.cancel()
        else text = await res.text()
        expect(res.status, what).toBeLessThan(500)
        expect(
          op.statuses.has(String(res.status)) ||
            op.statuses.has('default') ||
            ANY_ROUTE_STATUSES.has(String(res.status)),
          what,
        ).toBe(true)
        if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json')) {
          const body = JSON.parse(text)
          expect(typeof body.error?.code, what).toBe('string')
          expect(typeof body.error?.message, what).toBe('string')
        }
        if (res.status >= 400) expect(await writesOf(storyId), what).toBe(before)
      }),
      {
        numRuns: RUNS,
        endOnFailure: true,
        seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
      },
    )
  }, 600_000)
})
