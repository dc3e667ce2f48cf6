import { spawn } from 'node:child_process'
import { afterAll, expect, it } from 'vitest'
import { Api, makeStory, textUpdate } from './helpers/api.js'
import { freePort } from './helpers/private-redis.js'
import { provided } from './helpers/provided.js'
import { ADMIN_KEY, startServer } from './helpers/server.js'
import { waitFor } from './helpers/wait-for.js'

/** How far ahead the update is scheduled: enough to post it and kill the instance first. */
const LEAD_MS = 2500

/** Runs src/main.ts as its own process on the test database, as production would. */
async function startInstance(port: number) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: provided('databaseUrl'),
    LIVELINE_ADMIN_KEY: ADMIN_KEY,
    LIVELINE_MIGRATE: '0',
    LOG_LEVEL: 'info',
  }
  delete env.REDIS_URL
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  await waitFor('the instance listening', () => output.includes('listening'), {
    timeoutMs: 60_000,
    state: () => output,
  })
  return child
}

const survivor = await startServer()
afterAll(() => survivor.stop())

it('publishes once, on time, on the surviving instance after the one that took it is SIGKILLed', async () => {
  const port = await freePort()
  const doomed = await startInstance(port)
  const exited = new Promise((resolve) => doomed.once('exit', resolve))
  try {
    const editorKey = (await survivor.admin.post('/v1/keys', { name: 'desk', role: 'editor' })).body.key
    const story = await makeStory(survivor.api(editorKey))
    const publishAt = new Date(Date.now() + LEAD_MS)
    const sched = await new Api(`http://127.0.0.1:${port}`, editorKey).post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('Talks resume in Washington', { publishAt: publishAt.toISOString() }),
    )
    expect(sched.body.status).toBe('scheduled')
    doomed.kill('SIGKILL')
    await exited
    expect(Date.now()).toBeLessThan(publishAt.getTime())

    const reader = survivor.api()
    await waitFor(
      'the scheduled update published',
      async () => expect((await reader.get(`/v1/stories/${story.id}/updates`)).body.items).toHaveLength(1),
      { timeoutMs: LEAD_MS + 5000 },
    )
    const { events } = (await reader.get(`/v1/stories/${story.id}/events?since=0`)).body
    expect(events.map((e: { type: string; update: { id: string } }) => [e.type, e.update.id])).toEqual([
      ['update.created', sched.body.id],
    ])
    const published = (await reader.get(`/v1/stories/${story.id}/updates/${sched.body.id}`)).body
    const lateness = Date.parse(published.publishedAt) - publishAt.getTime()
    expect(lateness).toBeGreaterThanOrEqual(0)
    expect(lateness).toBeLessThan(1000)
  } finally {
    doomed.kill('SIGKILL')
  }
})
