/**
 * Runs `handle` on items as they are pushed, at most `perTurn` per turn of the event loop, in the
 * order they came: the rest wait for the next turn (setImmediate), so I/O already waiting is
 * handled between the pieces. A lone item is handled in the next turn.
 * @example const admit = handlePerTurn(64, (socket: Socket) => socket.resume()); admit(socket)
 */
export function handlePerTurn<T>(count: number, handle: (item: T) => void): (item: T) => void {
  let waiting: T[] = []
  let next = 0
  const drain = () => {
    const end = Math.min(waiting.length, next + count)
    for (; next < end; next++) handle(waiting[next] as T)
    if (next < waiting.length) {
      setImmediate(drain)
      return
    }
    waiting = []
    next = 0
  }
  return (item) => {
    waiting.push(item)
    if (waiting.length - next === 1) setImmediate(drain)
  }
}
