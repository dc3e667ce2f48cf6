import { createHmac } from 'node:crypto'
import { isIP } from 'node:net'

/**
 * Bits of an IPv6 address that name one client. A home or a cloud server is given a whole /64, so
 * counting single addresses would let one client rotate through billions of them.
 */
export const IPV6_CLIENT_PREFIX_BITS = 64

/**
 * What identifies a client: an IPv4 address as is (also when IPv4-mapped, `::ffff:1.2.3.4`), an IPv6
 * address cut to its first `prefixBits` bits; anything else (a unix socket, a missing address) as given.
 * @example clientAddressPrefix('2001:db8:1:2:aaaa::1') // '2001:0db8:0001:0002::/64'
 */
export function clientAddressPrefix(address: string, prefixBits: number = IPV6_CLIENT_PREFIX_BITS): string {
  const trimmed = address.trim()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed)
  if (mapped?.[1]) return mapped[1]
  const withoutZone = trimmed.replace(/%.*$/, '')
  if (isIP(withoutZone) !== 6) return trimmed
  const groups = expandIpv6(withoutZone)
  let bits = ''
  for (const group of groups) bits += Number.parseInt(group, 16).toString(2).padStart(16, '0')
  const kept = bits.slice(0, prefixBits).padEnd(128, '0')
  const out: string[] = []
  for (let i = 0; i < 8; i++) {
    out.push(
      Number.parseInt(kept.slice(i * 16, i * 16 + 16), 2)
        .toString(16)
        .padStart(4, '0'),
    )
  }
  return `${out.slice(0, Math.ceil(prefixBits / 16)).join(':')}::/${prefixBits}`
}

/** Eight groups of four hex digits from any valid IPv6 spelling ("::", an IPv4 tail). */
function expandIpv6(address: string): string[] {
  let text = address.toLowerCase()
  const ipv4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (ipv4Tail) {
    const [a, b, c, d] = ipv4Tail.slice(1).map(Number) as [number, number, number, number]
    const tail = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
    text = text.slice(0, ipv4Tail.index) + tail
  }
  const [head = '', rest] = text.split('::')
  const headGroups = head ? head.split(':') : []
  const restGroups = rest ? rest.split(':') : []
  const missing = rest === undefined ? 0 : 8 - headGroups.length - restGroups.length
  return [...headGroups, ...Array<string>(missing).fill('0'), ...restGroups].map((g) => g.padStart(4, '0'))
}

/**
 * The client's key: a keyed hash (HMAC-SHA256 with a server secret) of its address prefix. Limits
 * and the repeat rule store only this, never the address; without the secret it cannot be reversed
 * by hashing the 2^32 IPv4 addresses.
 * @example clientKey(secret, '203.0.113.7') // 'k3V…' (43 characters)
 */
export function clientKey(
  secret: string,
  address: string,
  prefixBits: number = IPV6_CLIENT_PREFIX_BITS,
): string {
  return createHmac('sha256', secret).update(clientAddressPrefix(address, prefixBits)).digest('base64url')
}
