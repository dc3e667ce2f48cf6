// Makes a server-rendered story (the reader page's <main>, or the widget's root) live: new updates
// at the top, edits and deletes in place, a ticking "Last update" stamp, a "N new updates" button
// while the reader is scrolled down, and a quiet connection state. Used by reader.js and embed.js.
import { subscribe } from './client.js'
import { mountComments } from './comments-view.js'

const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' })
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' })
const dayTimeFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: 'numeric',
  minute: '2-digit',
})
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const UNITS = [
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
]

/** "2 minutes ago" in the reader's language. */
function ago(seconds) {
  if (seconds < 60) return relative.format(-Math.max(0, Math.round(seconds / 10) * 10), 'second')
  for (const [unit, size] of UNITS)
    if (seconds >= size) return relative.format(-Math.floor(seconds / size), unit)
}

function el(tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

function timeEl(iso) {
  const node = el('time')
  node.dateTime = iso
  return node
}

/** The same label the server gives an update in the key-events list. */
function labelOf(update) {
  if (update.headline) return update.headline
  const first = update.blocks.find((b) => b.type === 'text' || b.type === 'quote')
  const text = first ? first.text.replace(/\s+/g, ' ').trim() : 'Update'
  return text.length > 100 ? `${text.slice(0, 99)}…` : text
}

/** Absolute times in the reader's locale and time zone, the full date on hover. */
function localize(scope) {
  const today = new Date().toDateString()
  for (const node of scope.querySelectorAll('time[datetime]')) {
    if (node.closest('.ll-stamp')) continue
    const date = new Date(node.dateTime)
    if (Number.isNaN(date.getTime())) continue
    node.textContent = (date.toDateString() === today ? timeFormat : dayTimeFormat).format(date)
    node.title = fullFormat.format(date)
  }
}

/** The byline (avatar, name, title): the markup story-page.ts renders on the server. */
function bylineOf(author) {
  const node = el('span', 'll-author')
  if (author.avatarUrl) {
    const img = document.createElement('img')
    img.className = 'll-avatar'
    img.src = author.avatarUrl
    img.alt = ''
    img.width = 28
    img.height = 28
    img.loading = 'lazy'
    img.decoding = 'async'
    node.append(img)
  }
  node.append(el('span', 'll-author-name', author.name))
  if (author.title) node.append(el('span', 'll-author-title', `, ${author.title}`))
  return node
}

/** One update as an article: the markup story-page.ts renders on the server. */
function articleOf(update, pinnedCopy = false) {
  const node = el('article', `ll-update${update.keyEvent ? ' ll-key' : ''}`)
  if (!pinnedCopy) node.id = `u-${update.id}`
  node.dataset.id = update.id
  node.dataset.seq = String(update.seq)
  node.dataset.key = update.keyEvent ? '1' : '0'
  node.dataset.label = labelOf(update)
  const when = el('p', 'll-when')
  when.append(timeEl(update.publishedAt), ' ', bylineOf(update.author))
  if (update.keyEvent) when.append(' ', el('span', 'll-badge', 'Key event'))
  if (update.editedAt) {
    const edited = el('span', 'll-edited', 'edited ')
    edited.append(timeEl(update.editedAt))
    when.append(' ', edited)
  }
  const body = el('div', 'll-body')
  // `html` is the server's rendering, with every piece of text escaped (see updates/render.ts).
  body.innerHTML = update.html
  node.append(when, body)
  const corrections = correctionsOf(update.corrections ?? [])
  if (corrections) node.append(corrections)
  localize(node)
  return node
}

/** Screen readers hear the reader count at most this often: it may change every 5 s. */
const PRESENCE_ANNOUNCE_MS = 60_000

/**
 * "1,204 reading" from the `presence` frames, in the story's language. The visible count follows
 * every frame; the polite live region beside it takes the newest count at most once a minute.
 * Elements are looked up on each call because a reset replaces the story's markup.
 */
function presenceView(root) {
  let numbers
  try {
    numbers = new Intl.NumberFormat(root.lang || undefined)
  } catch {
    numbers = new Intl.NumberFormat() // an unknown language tag: the reader's own locale
  }
  let readers = null
  let spokenAt = -Infinity
  let timer = null
  const text = () =>
    (root.querySelector('.ll-presence')?.dataset.words ?? '{n} reading').replace(
      '{n}',
      numbers.format(readers),
    )
  function speak() {
    timer = null
    spokenAt = Date.now()
    const region = root.querySelector('.ll-presence-live')
    if (region) region.textContent = text() // textContent: nothing here is parsed as HTML
  }
  return {
    /** Shows `count` (or, with none, the last count again after a reset redrew the story). */
    show(count = readers) {
      if (count === null) return
      readers = count
      const shown = root.querySelector('.ll-presence')
      if (shown) shown.textContent = text()
      if (timer === null) timer = setTimeout(speak, Math.max(0, spokenAt + PRESENCE_ANNOUNCE_MS - Date.now()))
    },
    close: () => clearTimeout(timer),
  }
}

/**
 * "Correction, <time>: <note>" under the update, from its `corrections` field (the note set as
 * text): the markup updates/corrections.ts renders on the server.
 */
function correctionsOf(corrections) {
  if (corrections.length === 0) return null
  const aside = el('aside', 'll-corrections')
  for (const c of corrections) {
    const line = el('p', 'll-correction')
    line.append(el('strong', undefined, 'Correction'), ', ', timeEl(c.at), `: ${c.note}`)
    aside.append(line)
  }
  return aside
}

const STATE_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  resetting: 'Catching up…',
}

/**
 * Makes `root` (a `.liveline` element rendered by the server) live.
 * @param {HTMLElement} root
 * @param {{ base?: string, setTitle?: boolean }} [options] `base`: the Liveline origin (default: this page's)
 * @returns {{ close(): void }}
 */
export function mountLiveView(root, options = {}) {
  const base = options.base ?? location.origin
  const $ = (selector) => root.querySelector(selector)
  const pending = new Map() // update id -> article, while the reader is scrolled down
  let clockOffset = 0 // server clock minus ours, from `subscribed`
  let status = $('.ll-ended')?.hidden === false ? 'ended' : 'live'
  const comments = mountComments(root, base)
  const presence = presenceView(root)

  const list = () => $('.ll-updates')
  const inList = (id) => list().querySelector(`[data-id="${CSS.escape(id)}"]`)
  const pinnedId = () => $('.ll-pinned-body article')?.dataset.id ?? null

  function tick() {
    const node = $('.ll-stamp time')
    if (!node?.dateTime) return
    const date = new Date(node.dateTime)
    node.textContent = ago((Date.now() + clockOffset - date.getTime()) / 1000)
    node.title = fullFormat.format(date)
  }

  function setStamp(iso) {
    const stamp = $('.ll-stamp')
    if (!iso || !stamp) return
    stamp.hidden = false
    stamp.querySelector('time').dateTime = iso
    tick()
  }

  function refreshKeyEvents() {
    const keys = [...list().querySelectorAll('article[data-key="1"]')]
    const items = keys.map((article) => {
      const link = el('a')
      link.href = `#${article.id}`
      const time = article.querySelector('.ll-when time').cloneNode(true)
      link.append(time, ` ${article.dataset.label}`)
      const item = el('li')
      item.append(link)
      return item
    })
    $('.ll-keys ol').replaceChildren(...items)
    $('.ll-keys').hidden = items.length === 0
    $('.ll-empty').hidden = list().children.length > 0
  }

  function addEditor(name) {
    const span = $('.ll-editors span')
    const names = span.textContent ? span.textContent.split(', ') : []
    if (names.includes(name)) return
    span.textContent = [...names, name].join(', ')
    $('.ll-editors').hidden = false
  }

  // The reader has scrolled past the top of the updates: don't move the text under their eyes.
  const readingBelow = () => list().getBoundingClientRect().top < 0

  function showNewButton() {
    const button = $('.ll-new')
    button.textContent = pending.size === 1 ? '1 new update' : `${pending.size} new updates`
    button.hidden = pending.size === 0
  }

  function flush(focus) {
    if (pending.size === 0) return
    const added = [...pending.values()]
    pending.clear()
    for (const article of added) list().prepend(article)
    showNewButton()
    refreshKeyEvents()
    if (focus) {
      const newest = added[added.length - 1]
      newest.tabIndex = -1
      newest.scrollIntoView({ block: 'start' })
      newest.focus({ preventScroll: true })
    }
  }

  async function showPinned(id) {
    const section = $('.ll-pinned')
    const body = $('.ll-pinned-body')
    if (!id) {
      body.replaceChildren()
      section.hidden = true
      return
    }
    const source = inList(id) ?? pending.get(id)
    let copy = source?.cloneNode(true)
    if (copy) copy.removeAttribute('id')
    else {
      const res = await fetch(`${base}/v1/stories/${root.dataset.story}/updates/${encodeURIComponent(id)}`)
      if (!res.ok) return
      copy = articleOf(await res.json(), true)
    }
    body.replaceChildren(copy)
    section.hidden = false
  }

  function applyUpdate(update) {
    const current = inList(update.id) ?? pending.get(update.id)
    if (current && Number(current.dataset.seq) >= update.seq) return // already showing this or newer
    const article = articleOf(update)
    if (current && pending.has(update.id)) pending.set(update.id, article)
    else if (current) current.replaceWith(article)
    else if (readingBelow()) {
      pending.set(update.id, article)
      showNewButton()
    } else list().prepend(article)
    if (pinnedId() === update.id) $('.ll-pinned-body').replaceChildren(articleOf(update, true))
    addEditor(update.author.name)
    refreshKeyEvents()
  }

  function removeUpdate(id) {
    inList(id)?.remove()
    if (pending.delete(id)) showNewButton()
    if (pinnedId() === id) void showPinned(null)
    refreshKeyEvents()
  }

  function applyStory(story) {
    $('.ll-title').textContent = story.title
    for (const [selector, value] of [
      ['.ll-summary', story.summary],
      ['.ll-section', story.section],
    ]) {
      $(selector).textContent = value ?? ''
      $(selector).hidden = !value
    }
    status = story.status
    $('.ll-ended').hidden = status !== 'ended'
    if (options.setTitle) document.title = `${story.title}${status === 'live' ? ' (live)' : ''}`
    if (story.pinnedUpdateId !== pinnedId()) void showPinned(story.pinnedUpdateId)
  }

  function onEvent(event) {
    if (event.type === 'update.created' || event.type === 'update.edited') applyUpdate(event.update)
    else if (event.type === 'update.deleted') removeUpdate(event.updateId)
    else if (event.type === 'story.updated') {
      applyStory(event.storyState)
      comments.onStory(event.storyState)
    } else comments.onEvent(event)
    setStamp(event.lastUpdateAt)
    root.dataset.seq = String(event.seq)
  }

  function onState(state, detail) {
    const conn = $('.ll-conn')
    if (state === 'live' && detail.serverTime) {
      clockOffset = new Date(detail.serverTime).getTime() - Date.now()
      tick()
    }
    conn.dataset.state = state
    conn.textContent =
      state === 'closed'
        ? 'Not updating'
        : state === 'live' && status === 'ended'
          ? 'Coverage ended'
          : STATE_TEXT[state]
  }

  // Too far behind for a replay: take the server's current rendering of the story.
  async function onReset() {
    const res = await fetch(`${base}/s/${encodeURIComponent(root.dataset.slug)}/fragment`)
    if (!res.ok) return
    const template = document.createElement('template')
    template.innerHTML = await res.text()
    const fresh = template.content.firstElementChild
    pending.clear()
    root.replaceChildren(...fresh.childNodes)
    root.dataset.seq = fresh.dataset.seq
    presence.show()
    start()
  }

  function start() {
    localize(root)
    tick()
    showNewButton()
  }

  // Key-event links inside a shadow root cannot use the page's #fragment navigation.
  root.addEventListener('click', (e) => {
    const newButton = e.target.closest('.ll-new')
    if (newButton) return flush(true)
    const link = e.target.closest('a[href^="#u-"]')
    if (!link || !(root.getRootNode() instanceof ShadowRoot)) return
    const target = root.querySelector(link.getAttribute('href'))
    if (!target) return
    e.preventDefault()
    target.tabIndex = -1
    target.scrollIntoView()
    target.focus({ preventScroll: true })
  })
  const onScroll = () => {
    if (pending.size > 0 && !readingBelow()) flush(false)
  }
  addEventListener('scroll', onScroll, { passive: true })
  const timer = setInterval(tick, 1000)

  start()
  const sub = subscribe(root.dataset.story, {
    since: Number(root.dataset.seq),
    url: base,
    onEvent,
    onState,
    onReset,
    onPresence: presence.show,
  })
  return {
    close() {
      sub.close()
      presence.close()
      clearInterval(timer)
      removeEventListener('scroll', onScroll)
    },
  }
}
