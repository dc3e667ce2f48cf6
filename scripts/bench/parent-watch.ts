/**
 * Preloaded (`--import`) into every process the bench starts: exits when the bench itself is gone,
 * so a bench killed with SIGKILL leaves no server or load generator behind. Checks once a second.
 * (`process.ppid` is read once at startup in Node 20, so the live value comes from /proc.)
 */
import { readFileSync } from 'node:fs'

function currentParent(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    // Fields after "(comm)": state, ppid, …
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return -1
  }
}

const parent = currentParent()
if (parent > 1) {
  setInterval(() => {
    if (currentParent() !== parent) process.exit(1)
  }, 1000).unref()
}
