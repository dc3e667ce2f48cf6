import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { type AddressInfo, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'

const run = promisify(execFile)

export interface LocalRedisClusterOptions {
  masters?: number
  replicasPerMaster?: number
  /** `cluster-node-timeout`: how long a silent master has before its replica takes over. */
  nodeTimeoutMs?: number
  /** How long to wait for the cluster to form (or to heal after a failover). */
  readyTimeoutMs?: number
}

/** Blocks of ports tried before giving up, when another process takes one first. */
const START_ATTEMPTS = 3

interface Node {
  port: number
  proc: ChildProcess
}

/** Every cluster this process started, killed on exit so a crashed test leaves no redis-server behind. */
const running = new Set<LocalRedisCluster>()
process.once('exit', () => {
  for (const cluster of running) cluster.killAllNow()
})

/**
 * A real Redis Cluster on loopback for tests: `redis-server --cluster-enabled yes` processes on
 * private ports (three masters and three replicas by default), joined with `redis-cli --cluster
 * create`, stopped by PID. The shared Redis on 6379 is never touched.
 */
export class LocalRedisCluster {
  readonly #nodes: Node[]
  readonly #dir: string
  readonly #options: Required<LocalRedisClusterOptions>

  private constructor(nodes: Node[], dir: string, options: Required<LocalRedisClusterOptions>) {
    this.#nodes = nodes
    this.#dir = dir
    this.#options = options
  }

  static async start(options: LocalRedisClusterOptions = {}): Promise<LocalRedisCluster> {
    const opts: Required<LocalRedisClusterOptions> = {
      masters: 3,
      replicasPerMaster: 1,
      nodeTimeoutMs: 1000,
      readyTimeoutMs: 30_000,
      ...options,
    }
    // Another process may take a port between our check and redis-server's bind: try a new block.
    for (let attempt = 1; ; attempt++) {
      try {
        return await LocalRedisCluster.#startOnce(opts)
      } catch (err) {
        if (!(err instanceof PortTakenError) || attempt >= START_ATTEMPTS) throw err
      }
    }
  }

  static async #startOnce(opts: Required<LocalRedisClusterOptions>): Promise<LocalRedisCluster> {
    const count = opts.masters * (1 + opts.replicasPerMaster)
    // Two free ports per node, from the system; the cluster-bus one is given with --cluster-port
    // rather than the default client + 10000, which may be taken.
    const free = await freePorts(count * 2)
    const ports = free.slice(0, count)
    const dir = mkdtempSync(join(tmpdir(), 'liveline-redis-cluster-'))
    const nodes = ports.map((port, i) => ({
      port,
      proc: spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(free[count + i]),
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(opts.nodeTimeoutMs),
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      ),
    }))
    const cluster = new LocalRedisCluster(nodes, dir, opts)
    running.add(cluster)
    try {
      await Promise.all(nodes.map((node) => waitForOwnNode(node, 5000)))
      await run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(opts.replicasPerMaster),
        '--cluster-yes',
      ])
      await cluster.waitUntilHealthy()
      return cluster
    } catch (err) {
      await cluster.stop()
      throw err
    }
  }

  /** Ports of the nodes still running. */
  get ports(): number[] {
    return this.#nodes
      .filter((n) => n.proc.exitCode === null && n.proc.signalCode === null)
      .map((n) => n.port)
  }

  /** Every node as a URL: the seed list an instance is given. */
  get urls(): string[] {
    return this.#nodes.map((n) => `redis://127.0.0.1:${n.port}`)
  }

  /** `REDIS_URL` for `LIVELINE_REDIS_CLUSTER=1`: the seed nodes, comma-separated. */
  get seedList(): string {
    return this.urls.join(',')
  }

  pidOf(port: number): number {
    const pid = this.#nodes.find((n) => n.port === port)?.proc.pid
    if (pid === undefined) throw new Error(`no node on port ${port}`)
    return pid
  }

  /** The hash slot of a key or shard channel (CLUSTER KEYSLOT). */
  async slotOf(name: string): Promise<number> {
    return Number(await this.#ask((r) => r.call('CLUSTER', 'KEYSLOT', name)))
  }

  /** The port of the master that serves `slot` now. */
  async masterOfSlot(slot: number): Promise<number> {
    const nodes = await this.#clusterNodes()
    const owner = nodes.find((n) => n.master && n.slots.some(([lo, hi]) => slot >= lo && slot <= hi))
    if (!owner) throw new Error(`no master serves slot ${slot}`)
    return owner.port
  }

  /** Ports of the masters serving slots now. */
  async masters(): Promise<number[]> {
    return (await this.#clusterNodes()).filter((n) => n.master && n.slots.length > 0).map((n) => n.port)
  }

  /**
   * SIGKILLs the master on `port`, as a crash would.
   * @returns the replica that will take over its slots
   */
  async killMaster(port: number): Promise<{ replicaPorts: number[] }> {
    const nodes = await this.#clusterNodes()
    const master = nodes.find((n) => n.port === port && n.master)
    if (!master) throw new Error(`${port} is not a master`)
    const replicaPorts = nodes.filter((n) => n.masterId === master.id).map((n) => n.port)
    await this.kill(port)
    return { replicaPorts }
  }

  /** SIGKILLs one node and waits for its process to end. */
  async kill(port: number): Promise<void> {
    const node = this.#nodes.find((n) => n.port === port)
    if (!node || node.proc.exitCode !== null || node.proc.signalCode !== null) return
    await new Promise<void>((resolve) => {
      node.proc.once('exit', () => resolve())
      node.proc.kill('SIGKILL')
    })
  }

  /**
   * Waits until a replica of the killed master on `deadPort` serves its slots and every live node
   * says `cluster_state:ok`.
   * @returns the promoted replica's port
   */
  async waitForPromotion(deadPort: number, slot: number): Promise<number> {
    const deadline = Date.now() + this.#options.readyTimeoutMs
    for (;;) {
      try {
        const owner = await this.masterOfSlot(slot)
        if (owner !== deadPort) {
          await this.waitUntilHealthy()
          return owner
        }
      } catch {
        // a node answering mid-failover may not know the new owner yet
      }
      if (Date.now() > deadline) throw new Error(`no replica took over slot ${slot} from ${deadPort}`)
      await sleep(100)
    }
  }

  /**
   * Waits until every live node reports `cluster_state:ok` with all 16384 slots served, and every
   * replica has synced with its master (a replica that never synced refuses to take over).
   */
  async waitUntilHealthy(): Promise<void> {
    const deadline = Date.now() + this.#options.readyTimeoutMs
    for (;;) {
      const states = await Promise.all(
        this.ports.map((port) =>
          withClient(port, async (r) => {
            const info = String(await r.call('CLUSTER', 'INFO'))
            const role = (await r.call('ROLE')) as unknown[]
            const synced = role[0] === 'master' || role[3] === 'connected'
            return info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384') && synced
          }).catch(() => false),
        ),
      )
      if (states.every(Boolean)) return
      if (Date.now() > deadline) throw new Error('redis cluster did not become healthy')
      await sleep(100)
    }
  }

  /** Stops every node by PID and removes its files. */
  async stop(): Promise<void> {
    await Promise.all(this.#nodes.map((n) => this.kill(n.port)))
    running.delete(this)
    rmSync(this.#dir, { recursive: true, force: true })
  }

  /** Synchronous last resort for process exit. */
  killAllNow(): void {
    for (const n of this.#nodes) if (n.proc.exitCode === null) n.proc.kill('SIGKILL')
    rmSync(this.#dir, { recursive: true, force: true })
  }

  async #ask<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    let lastError: unknown
    for (const port of this.ports) {
      try {
        return await withClient(port, fn)
      } catch (err) {
        lastError = err
      }
    }
    throw lastError ?? new Error('no redis cluster node is running')
  }

  async #clusterNodes(): Promise<ClusterNodeLine[]> {
    const text = String(await this.#ask((r) => r.call('CLUSTER', 'NODES')))
    return parseClusterNodes(text)
  }
}

interface ClusterNodeLine {
  id: string
  port: number
  master: boolean
  /** For a replica: the id of its master. */
  masterId: string | null
  slots: Array<[number, number]>
}

/** Lines of CLUSTER NODES: `<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>...` */
function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.trim().split(' ')
      const port = Number(address.split('@')[0]?.split(':').at(-1))
      return {
        id,
        port,
        master: flags.split(',').includes('master') && !flags.includes('fail'),
        masterId: master === '-' ? null : master,
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [lo, hi] = s.split('-').map(Number)
            return [lo ?? 0, hi ?? lo ?? 0] as [number, number]
          }),
      }
    })
}

async function withClient<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return await fn(client)
  } finally {
    client.disconnect()
  }
}

class PortTakenError extends Error {}

/** Waits until the redis-server we spawned answers on its port (not some other process there). */
async function waitForOwnNode(node: Node, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (node.proc.exitCode !== null) throw new PortTakenError(`redis-server on ${node.port} exited`)
    try {
      const info = await withClient(node.port, (r) => r.info('server'))
      if (!info.includes(`process_id:${node.proc.pid}\r`)) {
        throw new PortTakenError(`another process answers on ${node.port}`)
      }
      return
    } catch (err) {
      if (err instanceof PortTakenError) throw err
      if (Date.now() > deadline) throw new Error(`redis-server on ${node.port} did not start`)
      await sleep(50)
    }
  }
}

/** `count` distinct loopback ports that were free a moment ago (all held at once, so no repeats). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const srv = createServer()
          srv.once('error', reject)
          srv.listen(0, '127.0.0.1', () => resolve(srv))
        }),
    ),
  )
  const ports = servers.map((srv) => (srv.address() as AddressInfo).port)
  await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(resolve))))
  return ports
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
