/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time by function and by
 * file/package, and total (inclusive) time of chosen functions.
 * Usage: npx tsx scripts/bench/profile-summary.ts <file.cpuprofile> [top=30] [function names…]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const [file, topArg, ...inclusiveNames] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: profile-summary <file.cpuprofile> [top] [function names for inclusive time]\n')
  process.exit(2)
}
const top = Number(topArg ?? 30) || Number.POSITIVE_INFINITY
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

const selfUs = new Map<number, number>()
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
})
const totalUs = profile.endTime - profile.startTime

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, 'npm:')
    .replace(/^\/work\/main\//, '')
const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
const area = (n: ProfileNode) => {
  const url = short(n.callFrame.url)
  if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)'
  if (url.startsWith('npm:'))
    return url
      .split('/')
      .slice(0, url.startsWith('npm:@') ? 2 : 1)
      .join('/')
  if (url.startsWith('node:')) return url
  return url
}

const byFunction = new Map<string, number>()
const byArea = new Map<string, number>()
for (const [id, us] of selfUs) {
  const node = byId.get(id)
  if (!node) continue
  byFunction.set(label(node), (byFunction.get(label(node)) ?? 0) + us)
  byArea.set(area(node), (byArea.get(area(node)) ?? 0) + us)
}
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`)
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${(us / 1000).toFixed(0).padStart(8)} ms ${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${name}\n`,
    )
  }
}
process.stdout.write(`profile ${(totalUs / 1e6).toFixed(1)} s wall\n`)
print('self time by function', byFunction)
print('self time by file / package', byArea)

if (inclusiveNames.length) {
  // Inclusive time: a sample counts for a function when it appears anywhere on the sample's stack.
  const inclusive = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)?.callFrame.functionName
      if (name && inclusiveNames.includes(name)) seen.add(name)
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  print('inclusive time', inclusive)
}
