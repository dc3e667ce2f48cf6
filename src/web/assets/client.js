// Liveline browser client: follows one story over the /v1/live websocket, reconnects with backoff
// and resumes from the last seq it delivered, so no event is missed or delivered twice.
// Plain modern JS served as is (types in client.d.ts); see docs/browser.md.

const FIRST_DELAY_MS = 500
const MAX_DELAY_MS = 15_000
// Refusals that reconnecting cannot fix.
const FINAL_ERRORS = new Set(['not_found', 'forbidden', 'too_many_subscriptions'])

/** The websocket URL from a base such as "https://live.example.com" (default: where this module came from). */
function liveUrl(base) {
  const url = new URL('/v1/live', base ?? import.meta.url)
  if (url.protocol === 'https:') url.protocol = 'wss:'
  else if (url.protocol === 'http:') url.protocol = 'ws:'
  return url.href
}

/**
 * Follows `story` (its id or slug) and calls `onEvent` once per event, in seq order.
 * @param {string} story
 * @param {import('./client.js').SubscribeOptions} options
 * @returns {import('./client.js').Subscription}
 */
export function subscribe(story, options) {
  const { onEvent, onState = () => {}, onReset, onPresence } = options
  const WS = options.WebSocket ?? globalThis.WebSocket
  const url = liveUrl(options.url)
  let last = options.since ?? null
  let storyId = null
  let readers = null
  let ws = null
  let timer = null
  let attempt = 0
  let stopped = false

  const state = (name, detail = {}) => onState(name, detail)

  function send(frame) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame))
  }
  function subscribeFrame() {
    send(last === null ? { type: 'subscribe', story } : { type: 'subscribe', story, since: last })
  }

  function stop(detail) {
    stopped = true
    clearTimeout(timer)
    if (typeof removeEventListener === 'function') removeEventListener('online', reconnectNow)
    ws?.close(1000)
    ws = null
    state('closed', detail)
  }

  function connect() {
    timer = null
    if (stopped) return
    state(attempt === 0 ? 'connecting' : 'reconnecting', { attempt })
    const socket = new WS(url)
    ws = socket
    socket.onopen = subscribeFrame
    socket.onmessage = (message) => {
      if (ws === socket) void handle(JSON.parse(message.data))
    }
    socket.onerror = () => {} // a close always follows; onclose decides
    socket.onclose = (close) => {
      if (ws !== socket || stopped) return
      ws = null
      // 1008: the key was revoked or the client misbehaved; coming back would not help.
      if (close.code === 1008)
        return stop({ code: 'policy', message: close.reason || 'closed by the server' })
      // 1012: the server is restarting: come back soon. Otherwise back off, with jitter.
      const delay =
        close.code === 1012
          ? 250 + Math.random() * 750
          : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt) * (0.5 + Math.random() / 2)
      attempt++
      state('reconnecting', { attempt, delay: Math.round(delay), code: close.code })
      timer = setTimeout(connect, delay)
    }
  }

  // Back online after a network loss: don't wait out the backoff.
  function reconnectNow() {
    if (timer === null || stopped) return
    clearTimeout(timer)
    connect()
  }
  if (typeof addEventListener === 'function') addEventListener('online', reconnectNow)

  async function handle(frame) {
    if (frame.type === 'subscribed') {
      storyId = frame.story
      attempt = 0
      if (last === null) last = frame.seq
      state('live', {
        storyId,
        seq: frame.seq,
        lastUpdateAt: frame.lastUpdateAt,
        serverTime: frame.serverTime,
      })
    } else if (frame.type === 'event') {
      const event = frame.event
      if (last !== null && event.seq <= last) return // already delivered (replay after a resume)
      last = event.seq
      onEvent(event)
    } else if (frame.type === 'presence') {
      // Not part of the story's log: no seq, nothing to resume; only the newest count matters.
      if (frame.story !== storyId || !Number.isSafeInteger(frame.readers)) return
      readers = frame.readers
      onPresence?.(readers)
    } else if (frame.type === 'reset') {
      // More happened than the server replays: the caller reloads, then we go on from the head.
      state('resetting', { seq: frame.seq })
      if (onReset) await onReset(frame.seq)
      last = frame.seq
      subscribeFrame()
    } else if (frame.type === 'error') {
      if (FINAL_ERRORS.has(frame.code)) stop({ code: frame.code, message: frame.message })
      else if (frame.code === 'bad_request' && frame.story !== undefined) {
        // Our `since` is ahead of the story (its log was rebuilt): start again from its head.
        if (onReset) await onReset(null)
        last = null
        subscribeFrame()
      }
    }
  }

  connect()
  return {
    close: () => {
      if (!stopped) stop({ code: 'closed', message: 'closed by the caller' })
    },
    get seq() {
      return last
    },
    get storyId() {
      return storyId
    },
    get readers() {
      return readers
    },
  }
}
