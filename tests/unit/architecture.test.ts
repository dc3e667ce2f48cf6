import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = resolve('src')

/** Every .ts file under src/, as a path relative to src/. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [relative(SRC, path)] : []
  })
}

/** The folder a module belongs to; a file at the top of src/ is a unit of its own. */
const unitOf = (file: string): string => (file.includes('/') ? (file.split('/')[0] as string) : file)

/**
 * Runtime imports between units of src/. Type-only imports (`import type`, and imports whose
 * every name is `type …`) are left out: they vanish at compile time and cannot form a cycle at run time.
 */
function unitGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>()
  const importRe = /^(?:import|export)\s+(type\s+)?(?:\{([^}]*)\}|[^'";]*?)\s*from\s+'(\.[^']+)'/gms
  for (const file of sourceFiles()) {
    const from = unitOf(file)
    const edges = graph.get(from) ?? new Set<string>()
    graph.set(from, edges)
    const text = readFileSync(join(SRC, file), 'utf8')
    for (const match of text.matchAll(importRe)) {
      const [, typeOnly, names, spec] = match
      if (typeOnly) continue
      if (names?.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))) continue
      const target = relative(SRC, resolve(dirname(join(SRC, file)), spec as string))
      if (target.startsWith('..')) continue
      const to = unitOf(target.replace(/\.js$/, '.ts'))
      if (to !== from) edges.add(to)
    }
  }
  return graph
}

/** Each cycle once, as the path that closes it (a -> b -> a). */
function cycles(graph: Map<string, Set<string>>): string[] {
  const found = new Set<string>()
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next)
      if (at >= 0) {
        const loop = path.slice(at)
        const start = loop.indexOf([...loop].sort()[0] as string)
        const canonical = [...loop.slice(start), ...loop.slice(0, start)]
        found.add([...canonical, canonical[0]].join(' -> '))
      } else if (path.length < 12) visit(next, [...path, next])
    }
  }
  for (const node of graph.keys()) visit(node, [node])
  return [...found].sort()
}

describe('the layout of src/', () => {
  it('has no import cycle between folders (type-only imports aside)', () => {
    expect(cycles(unitGraph())).toEqual([])
  })

  it('keeps http/ plumbing free of features: it imports only lib/ and the top-level errors', () => {
    const allowed = new Set(['http', 'lib', 'errors.ts'])
    expect([...(unitGraph().get('http') ?? [])].filter((u) => !allowed.has(u))).toEqual([])
  })

  it('keeps bus/ free of stories and everything else: it imports nothing of ours', () => {
    expect([...(unitGraph().get('bus') ?? [])]).toEqual([])
  })

  it('answers JSON through http/json-answer.ts only, so every JSON answer declares its length', () => {
    const direct = sourceFiles().filter((file) => /\bc\.json\(/.test(readFileSync(join(SRC, file), 'utf8')))
    expect(direct.filter((file) => file !== join('http', 'json-answer.ts'))).toEqual([])
  })
})
