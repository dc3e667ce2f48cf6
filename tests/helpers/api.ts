import { readdirSync } from 'node:fs'
/** What an HTTP call answered: status, headers and the parsed JSON body (or null). */
export interface ApiResponse<T = any> {
  status: number
  headers: Headers
  body: T
}

/** A tiny HTTP client over real fetch, holding one API key. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key?: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...headers } }
    const h = init.headers as Record<string, string>
    if (this.key) h.Authorization = `Bearer ${this.key}`
    if (body !== undefined) {
      h['Content-Type'] ??= 'application/json'
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
    }
    const res = await fetch(this.baseUrl + path, init)
    const text = await res.text()
    let parsed: unknown = null
    if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text)
    else if (text) parsed = text
    return { status: res.status, headers: res.headers, body: parsed as T } satisfies ApiResponse<T>
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers)
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers)
  }
  patch<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body, headers)
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers)
  }
}

/** Creates a key with `role` and returns an Api that uses it. */
export async function keyFor(
  admin: Api,
  role: 'admin' | 'editor' | 'contributor' | 'partner',
  name = `${role} test`,
): Promise<Api> {
  const res = await admin.post('/v1/keys', { name, role })
  if (res.status !== 201) throw new Error(`could not create key: ${res.status} ${JSON.stringify(res.body)}`)
  return new Api(admin.baseUrl, res.body.key)
}

let storyCounter = 0
/** A fresh story for one test (live unless told otherwise). */
export async function makeStory(editor: Api, fields: Record<string, unknown> = {}) {
  storyCounter++
  const res = await editor.post('/v1/stories', {
    title: `Test story ${storyCounter} ${Math.random().toString(36).slice(2, 8)}`,
    status: 'live',
    ...fields,
  })
  if (res.status !== 201) throw new Error(`could not create story: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as { id: string; slug: string; seq: number; status: string }
}

export function textUpdate(text: string, extra: Record<string, unknown> = {}) {
  return { blocks: [{ type: 'text', text }], ...extra }
}

/** from, from + 1, …, to: the seqs a reader should have seen. */
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** Every migration in sql/, in the order they apply: a fresh database gets each once. */
export const ALL_MIGRATIONS = readdirSync('sql')
  .filter((f) => /^\d+_.*\.sql$/.test(f))
  .sort()
  .map((f) => f.replace(/\.sql$/, ''))
