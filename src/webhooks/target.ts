import { lookup } from 'node:dns'
import { BlockList, isIP } from 'node:net'

/** What a webhook may point at. Loopback only with the development setting; the rest never. */
export interface TargetPolicy {
  allowLoopback: boolean
}

const MAX_URL_LENGTH = 2048

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList()
  for (const net of v4) list.addSubnet(net.split('/')[0] as string, Number(net.split('/')[1]), 'ipv4')
  for (const net of v6) list.addSubnet(net.split('/')[0] as string, Number(net.split('/')[1]), 'ipv6')
  return list
}

const LOOPBACK = blockList(['127.0.0.0/8'], ['::1/128'])
const LINK_LOCAL = blockList(['169.254.0.0/16'], ['fe80::/10'])
// Private, shared, reserved, multicast and documentation ranges (RFC 6890 and friends): nothing
// a partner's public endpoint lives on, and everything an attacker would aim at inside our network.
const PRIVATE = blockList(
  [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/4',
    '240.0.0.0/4',
  ],
  [
    '::/128',
    // NAT64 local-use addresses could smuggle a private IPv4 address. (IPv4-mapped addresses need
    // no rule: BlockList judges ::ffff:a.b.c.d by the IPv4 rules, and a ::ffff:0:0/96 rule here
    // would match every IPv4 address too.)
    '64:ff9b:1::/48',
    '100::/64',
    '2001:db8::/32',
    'fc00::/7',
    'fec0::/10',
    'ff00::/8',
  ],
)

/** Why `address` may not be sent to, or null when it may. */
export function addressRefusal(address: string, policy: TargetPolicy): string | null {
  const family = isIP(address)
  if (family === 0) return `${address} is not an IP address`
  const type = family === 4 ? 'ipv4' : 'ipv6'
  if (LOOPBACK.check(address, type)) return policy.allowLoopback ? null : `${address} is a loopback address`
  if (LINK_LOCAL.check(address, type)) return `${address} is a link-local address`
  if (PRIVATE.check(address, type)) return `${address} is a private or reserved address`
  return null
}

/** A refused or unreachable target; the message says why, for the partner to read. */
export class TargetError extends Error {
  override name = 'TargetError'
}

/**
 * Parses a webhook URL and checks its form: http or https, no credentials, not too long.
 * @throws TargetError naming what is wrong
 */
export function parseTargetUrl(raw: string): URL {
  if (raw.length > MAX_URL_LENGTH) throw new TargetError(`must be at most ${MAX_URL_LENGTH} characters`)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TargetError('must be an absolute http or https URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TargetError('must be an http or https URL')
  if (url.username || url.password)
    throw new TargetError('must not carry credentials: verify deliveries by their signature instead')
  return url
}

/** The host of a URL as DNS or an IP parser wants it (IPv6 literals lose their brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

type LookupAddress = { address: string; family: number }

/**
 * A `lookup` for node:http that resolves the host and refuses it when any address it resolves to
 * is refused. The connection then goes to the very address checked here, so a DNS answer that
 * changes between check and connect (DNS rebinding) cannot slip a private address in.
 */
export function guardedLookup(policy: TargetPolicy) {
  return (
    hostname: string,
    options: { all?: boolean },
    callback: (err: Error | null, address?: string | LookupAddress[], family?: number) => void,
  ): void => {
    lookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(new TargetError(`${hostname} does not resolve (${err.code ?? err.message})`))
      const refused = addresses.map((a) => addressRefusal(a.address, policy)).find((r) => r !== null)
      if (refused) return callback(new TargetError(`${hostname} resolves to a refused target: ${refused}`))
      const first = addresses[0]
      if (!first) return callback(new TargetError(`${hostname} does not resolve`))
      if (options.all) callback(null, addresses)
      else callback(null, first.address, first.family)
    })
  }
}

/**
 * Checks a URL the way a send will: its form, then every address its host resolves to.
 * @throws TargetError naming the reason (bad form, refused address, host that does not resolve)
 */
export async function checkTarget(raw: string, policy: TargetPolicy): Promise<URL> {
  const url = parseTargetUrl(raw)
  const host = hostOf(url)
  if (isIP(host)) {
    const refused = addressRefusal(host, policy)
    if (refused) throw new TargetError(`refused target: ${refused}`)
    return url
  }
  await new Promise<void>((resolve, reject) => {
    guardedLookup(policy)(host, { all: true }, (err) => (err ? reject(err) : resolve()))
  })
  return url
}
