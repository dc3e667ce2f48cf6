// The editors' desk: sign in with a key, pick or create a story, compose, post, edit, delete, pin,
// mark key events, end the story. Everything goes through the public API; the key lives in
// sessionStorage and travels only in the Authorization header.
import { subscribe } from './client.js'

const KEY_STORAGE = 'liveline.deskKey'
const $ = (id) => document.getElementById(id)
let key = sessionStorage.getItem(KEY_STORAGE)
let story = null // the selected story
let updates = [] // its updates, newest first
let editing = null // the update being edited, or null when composing a new one
let lastAttempt = null // {body, idempotencyKey} of the last post, for retries
let busy = false
let live = null
let queue = [] // the story's submitted and scheduled updates
let queueTimer = null
/** Submissions append no event, so the queue is polled; scheduled ones count down every second. */
const QUEUE_POLL_MS = 5000
const COUNTDOWN_TICK_MS = 1000

/** An API error with a message meant for the editor. */
class DeskError extends Error {
  constructor(code, message, details) {
    super(message)
    this.code = code
    this.details = details
  }
}

const FRIENDLY = {
  unauthorized: 'This key was not accepted (unknown or revoked). Sign in again with a valid key.',
  forbidden: 'This key may not do that: a contributor key submits updates for an editor, who publishes them.',
  not_found: 'That no longer exists: someone may have deleted it. The list has been refreshed.',
  story_ended: 'This story has ended: it takes no new updates and cannot be reopened.',
  slug_taken: 'That slug is already taken: choose another one.',
  idempotency_key_reused: 'This post was already sent with different content. Post it again.',
  payload_too_large: 'This is too large: an update may be 256 KiB, a photo 20 MB.',
  unsupported_media_type: 'This file is not a JPEG, PNG, WebP or GIF image.',
  unavailable: 'The server cannot reach its database right now. Try again in a few seconds.',
  rate_limited: 'Too many requests. Wait a moment and try again.',
}

async function api(method, path, body, headers = {}) {
  const init = { method, headers: { Authorization: `Bearer ${key}`, ...headers } }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch(path, init)
  } catch {
    throw new DeskError(
      'network',
      'The server could not be reached. Check the connection and try again (a retried post is never posted twice).',
    )
  }
  if (res.status === 204) return null
  const data = await res.json().catch(() => null)
  if (res.ok) return data
  const error = data?.error ?? {}
  const message = FRIENDLY[error.code] ?? error.message ?? `The server answered ${res.status}.`
  throw new DeskError(error.code ?? `http_${res.status}`, message, error.details)
}

function showError(err) {
  const box = $('alert')
  const details = err.details && typeof err.details === 'object' ? Object.entries(err.details) : []
  const list = document.createElement('ul')
  for (const [field, problem] of details) {
    const item = document.createElement('li')
    item.textContent = `${field}: ${problem}`
    list.append(item)
  }
  const text = document.createElement('p')
  text.textContent = err.code && err.code !== 'network' ? `${err.message} (${err.code})` : err.message
  box.replaceChildren(text, ...(details.length ? [list] : []))
  box.hidden = false
  $('notice').textContent = ''
  if (err.code === 'unauthorized') signOut(false)
}

function notify(text) {
  $('alert').hidden = true
  $('notice').textContent = text
}

/** Runs an action with the button disabled, so a double click cannot send it twice. */
async function act(button, fn) {
  if (busy) return
  busy = true
  // An action that re-renders its list removes the focused button, and the focus would drop to
  // the page: a keyboard user would start over from the top. Remember where it was.
  const hadFocus = button !== null && button !== undefined && document.activeElement === button
  const list = button?.closest('ol, ul') ?? null
  if (button) button.disabled = true
  try {
    await fn()
  } catch (err) {
    if (err instanceof DeskError) showError(err)
    else throw err
  } finally {
    busy = false
    if (button) button.disabled = false
    if (hadFocus) restoreFocus(button, list)
  }
}

/**
 * After an action: the focus goes back to its button (a second press confirms), or, when the list
 * was re-rendered without it, to the list's first button (or the list itself), never to the page.
 */
function restoreFocus(button, list) {
  const active = document.activeElement
  if (active && active !== document.body && active !== button) return
  if (button.isConnected) return button.focus()
  if (!list?.isConnected) return
  const next = list.querySelector('button:not([disabled])')
  if (next) return next.focus()
  list.tabIndex = -1
  list.focus()
}

// ---- sign in

async function signIn(candidate) {
  key = candidate
  // A cheap call that every valid key may make: an unknown or revoked key is 401 here.
  await api('GET', '/v1/stories?limit=1')
  sessionStorage.setItem(KEY_STORAGE, key)
  $('sign-in').hidden = true
  $('desk').hidden = false
  $('sign-out').hidden = false
  $('who').textContent = 'Signed in'
  await loadStories()
}

function signOut(clearMessages = true) {
  sessionStorage.removeItem(KEY_STORAGE)
  key = null
  story = null
  live?.close()
  $('desk').hidden = true
  $('sign-out').hidden = true
  $('sign-in').hidden = false
  $('who').textContent = ''
  if (clearMessages) notify('Signed out.')
}

// ---- stories

async function loadStories() {
  const { items } = await api('GET', '/v1/stories?limit=100')
  const list = $('story-list')
  list.replaceChildren(
    ...items.map((s) => {
      const item = document.createElement('li')
      const button = document.createElement('button')
      button.type = 'button'
      button.textContent = s.title
      const status = document.createElement('span')
      status.className = 'status'
      status.textContent = s.status
      button.append(status)
      button.setAttribute('aria-current', String(s.id === story?.id))
      button.addEventListener('click', () => act(button, () => openStory(s.id)))
      item.append(button)
      return item
    }),
  )
}

async function openStory(id) {
  story = await api('GET', `/v1/stories/${encodeURIComponent(id)}`)
  resetComposer()
  $('story').hidden = false
  renderStory()
  await Promise.all([loadUpdates(), loadStories(), loadComments()])
  followLive()
}

function renderStory() {
  $('story-title').textContent = story.title
  $('story-meta').textContent =
    `Status: ${story.status} · ${story.updateCount} update${story.updateCount === 1 ? '' : 's'} · slug: ${story.slug}`
  $('go-live').hidden = story.status !== 'draft'
  $('end-story').hidden = story.status !== 'live'
  $('reader-link').href = `/s/${encodeURIComponent(story.slug)}`
  $('reader-link').hidden = story.status === 'draft'
  $('post').disabled = story.status === 'ended'
  $('post').title = story.status === 'ended' ? 'This story has ended' : ''
  $('comments-setting').value = story.comments ?? 'off'
}

async function patchStory(patch, message) {
  story = await api('PATCH', `/v1/stories/${story.id}`, patch)
  renderStory()
  renderUpdates()
  await loadStories()
  notify(message)
}

// Others may post to the same story: refresh when the story changes under us (public stories only).
function followLive() {
  live?.close()
  live = null
  showReaders(null)
  if (story.status === 'draft') return
  let pendingRefresh = null
  const refreshSoon = () => {
    clearTimeout(pendingRefresh)
    pendingRefresh = setTimeout(() => {
      // A redraw would throw away a "Confirm delete" the editor is about to click: wait for it.
      if (document.querySelector('[data-armed="1"]')) refreshSoon()
      else refresh().catch(() => {})
    }, 300)
  }
  live = subscribe(story.id, { since: story.seq, onEvent: refreshSoon, onPresence: showReaders })
}

const readerCount = new Intl.NumberFormat()
/** The open story's live reader count (`presence` frames; this desk's own connection counts too). */
function showReaders(readers) {
  $('story-readers').textContent = readers === null ? '' : `${readerCount.format(readers)} reading`
}

async function refresh() {
  story = await api('GET', `/v1/stories/${story.id}`)
  renderStory()
  await Promise.all([loadUpdates(), loadComments()])
}

// ---- reader comments

// Pending comments append no event (readers never see them), so the queue is also read on a timer.
const COMMENT_POLL_MS = 3000
const RULE_WORDS = {
  all_caps: 'capital letters',
  profanity: 'insults or swearing',
  turkish_characters: 'no Turkish characters',
  repeat: 'repeated',
  spelling: 'spelling',
  link: 'link',
}
let commentTimer = null

async function loadComments() {
  if (!story) return
  const id = story.id
  // Off: none accepted, none shown, so nothing to moderate (and no request a contributor's key would be refused).
  if (story.comments === 'off') {
    renderComments([], [])
    return
  }
  let pending
  let published
  try {
    ;[pending, published] = await Promise.all([
      api('GET', `/v1/stories/${id}/comments?status=pending&limit=100`),
      api('GET', `/v1/stories/${id}/comments?status=published&limit=100`),
    ])
  } catch {
    // A contributor's key may not moderate: the section is not for it (and nothing else waits on it).
    $('comments').hidden = true
    return
  }
  $('comments').hidden = false
  if (story?.id !== id) return
  clearTimeout(commentTimer)
  commentTimer = setTimeout(pollComments, COMMENT_POLL_MS)
  // The editor armed a "Confirm remove" while the lists were being read: the next poll redraws.
  if (document.querySelector('#comments [data-armed="1"]')) return
  renderComments(pending.items, published.items)
}

function pollComments() {
  // A redraw would throw away a "Confirm remove" the editor is about to click: wait for it.
  if (document.querySelector('[data-armed="1"]')) commentTimer = setTimeout(pollComments, COMMENT_POLL_MS)
  else loadComments().catch(() => {})
}

function commentItem(c, actions) {
  const item = document.createElement('li')
  item.dataset.id = c.id
  item.tabIndex = 0
  const meta = document.createElement('p')
  meta.className = 'meta'
  meta.textContent = `${c.name} · ${new Date(c.createdAt).toLocaleString()}`
  for (const code of c.reasons) {
    const reason = document.createElement('span')
    reason.className = 'reason'
    reason.dataset.rule = code
    reason.textContent = RULE_WORDS[code] ?? code
    meta.append(' ', reason)
  }
  const text = document.createElement('p')
  text.className = 'comment-text'
  text.textContent = c.text // plain text: a comment's markup is never parsed
  const buttons = document.createElement('p')
  buttons.className = 'actions'
  buttons.append(...actions)
  item.append(meta, text, buttons)
  return item
}

function renderComments(pending, published) {
  // Keep the editor's place in the queue across redraws.
  const focused = document.activeElement?.closest?.('#comment-queue li')?.dataset.id
  $('queue-count').textContent = pending.length ? `(${pending.length})` : ''
  $('comment-queue').replaceChildren(
    ...pending.map((c) =>
      commentItem(c, [
        actionButton('Approve', () => decide(c, 'published')),
        actionButton('Reject', () => decide(c, 'rejected')),
      ]),
    ),
  )
  $('comment-published').replaceChildren(
    ...published.map((c) => commentItem(c, [actionButton('Remove', (button) => removeComment(c, button))])),
  )
  if (focused)
    $('comment-queue')
      .querySelector(`[data-id="${CSS.escape(focused)}"]`)
      ?.focus()
}

async function decide(comment, status) {
  await api('PATCH', `/v1/stories/${story.id}/comments/${comment.id}`, { status })
  const next = $('comment-queue').querySelector(`[data-id="${CSS.escape(comment.id)}"]`)?.nextElementSibling
  await loadComments()
  if (next)
    $('comment-queue')
      .querySelector(`[data-id="${CSS.escape(next.dataset.id)}"]`)
      ?.focus()
  // Said once the lists are redrawn: the desk takes the next action only from then on.
  notify(status === 'published' ? 'Comment approved.' : 'Comment rejected.')
}

async function removeComment(comment, button) {
  if (!confirmed(button, 'Confirm remove')) return
  await api('DELETE', `/v1/stories/${story.id}/comments/${comment.id}`)
  notify('Comment removed.')
  await loadComments()
}

$('comments-setting').addEventListener('change', async (e) => {
  const comments = e.target.value
  // A choice made while the story is still loading must not be dropped as a double click would be.
  while (busy) await new Promise((resolve) => setTimeout(resolve, 50))
  act(e.target, () => patchStory({ comments }, `Comments: ${comments}.`))
})

$('comment-queue').addEventListener('keydown', (e) => {
  const item = e.target.closest('li')
  if (!item || e.target !== item || e.ctrlKey || e.metaKey || e.altKey) return
  const [approve, reject] = item.querySelectorAll('.actions button')
  const keyName = e.key.toLowerCase()
  if (keyName === 'a') approve?.click()
  else if (keyName === 'r') reject?.click()
  else if (keyName === 'j') item.nextElementSibling?.focus()
  else if (keyName === 'k') item.previousElementSibling?.focus()
  else return
  e.preventDefault()
})

// ---- updates

async function loadUpdates() {
  updates = (await api('GET', `/v1/stories/${story.id}/updates?limit=100`)).items
  renderUpdates()
  await loadQueue()
}

// ---- people (bylines)

async function loadPeople() {
  const { items } = await api('GET', '/v1/people')
  $('people-list').replaceChildren(
    ...items.map((p) => {
      const item = document.createElement('li')
      item.dataset.id = p.id
      const label = document.createElement('span')
      label.textContent = `${p.name}${p.title ? `, ${p.title}` : ''} `
      const id = document.createElement('code')
      id.textContent = p.id
      item.append(
        label,
        id,
        ' ',
        actionButton('Remove', (button) => removePerson(p, button)),
      )
      return item
    }),
  )
}

async function removePerson(person, button) {
  if (!confirmed(button, `Confirm removing ${person.name}`)) return
  await api('DELETE', `/v1/people/${person.id}`)
  await loadPeople()
  notify(`${person.name} removed; their published bylines stay.`)
}

// ---- the queue: submitted and scheduled updates

async function loadQueue() {
  const [submitted, scheduled] = await Promise.all(
    ['submitted', 'scheduled'].map((status) =>
      api('GET', `/v1/stories/${story.id}/updates?status=${status}&limit=100`).then(
        (page) => page.items,
        () => [],
      ),
    ),
  )
  scheduled.sort((a, b) => Date.parse(a.publishAt) - Date.parse(b.publishAt))
  queue = [...scheduled, ...submitted]
  renderQueue()
}

/** "in 4 min 05 s": how long until `iso`, for the countdowns. */
function countdown(iso) {
  const ms = Date.parse(iso) - Date.now()
  if (Number.isNaN(ms)) return ''
  if (ms <= 0) return 'due now'
  const total = Math.ceil(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const sec = String(total % 60).padStart(2, '0')
  return `in ${h ? `${h} h ` : ''}${m} min ${sec} s`
}

function tickCountdowns() {
  for (const node of document.querySelectorAll('[data-countdown]'))
    node.textContent = countdown(node.dataset.countdown)
  const at = localToIso($('publish-at').value)
  $('publish-countdown').textContent = at ? `publishes ${countdown(at)}` : ''
}

function renderQueue() {
  $('queue-empty').hidden = queue.length > 0
  $('queue-list').replaceChildren(
    ...queue.map((u) => {
      const item = document.createElement('li')
      item.dataset.id = u.id
      item.dataset.status = u.status
      const meta = document.createElement('p')
      meta.className = 'meta'
      meta.textContent = `${u.status} · ${u.author.name}`
      if (u.status === 'scheduled') {
        const when = document.createElement('span')
        when.textContent = ` · ${new Date(u.publishAt).toLocaleString()} · `
        const left = document.createElement('span')
        left.className = 'countdown'
        left.dataset.countdown = u.publishAt
        meta.append(when, left)
      }
      const body = document.createElement('div')
      body.className = 'll-body'
      body.innerHTML = u.html // the server's escaped rendering
      const actions = document.createElement('p')
      actions.className = 'actions'
      actions.append(
        actionButton('Publish now', () => publishNow(u)),
        actionButton('Edit', () => startEdit(u)),
        actionButton('Discard', (button) => deleteUpdate(u, button)),
      )
      item.append(meta, body, actions)
      return item
    }),
  )
  tickCountdowns()
}

async function publishNow(update) {
  await api('PATCH', `/v1/stories/${story.id}/updates/${update.id}`, { status: 'published' })
  await refresh()
  notify('Published.')
}

/** A datetime-local value (the editor's own time zone) as RFC 3339 UTC, or null. */
function localToIso(value) {
  if (!value) return null
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** RFC 3339 as a datetime-local value in the editor's time zone. */
function isoToLocal(iso) {
  const d = new Date(iso)
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

function startQueueTimers() {
  clearInterval(queueTimer)
  let sinceLoad = 0
  queueTimer = setInterval(() => {
    tickCountdowns()
    sinceLoad += COUNTDOWN_TICK_MS
    if (story && sinceLoad >= QUEUE_POLL_MS && !document.querySelector('[data-armed="1"]')) {
      sinceLoad = 0
      loadQueue().catch(() => {})
    }
  }, COUNTDOWN_TICK_MS)
}

function actionButton(label, onClick, pressed) {
  const button = document.createElement('button')
  button.type = 'button'
  button.textContent = label
  if (pressed !== undefined) button.setAttribute('aria-pressed', String(pressed))
  button.addEventListener('click', () => act(button, () => onClick(button)))
  return button
}

function renderUpdates() {
  $('update-list').replaceChildren(
    ...updates.map((u) => {
      const item = document.createElement('li')
      item.dataset.id = u.id
      const meta = document.createElement('p')
      meta.className = 'meta'
      const flags = [
        u.keyEvent && 'key event',
        u.id === story.pinnedUpdateId && 'pinned',
        u.editedAt && 'edited',
      ]
      meta.textContent = [
        new Date(u.publishedAt).toLocaleString(),
        u.author.name,
        ...flags.filter(Boolean),
        u.corrections?.length && `${u.corrections.length} correction${u.corrections.length > 1 ? 's' : ''}`,
      ].join(' · ')
      const body = document.createElement('div')
      body.className = 'll-body'
      body.innerHTML = u.html // the server's escaped rendering
      const actions = document.createElement('p')
      actions.className = 'actions'
      const pinned = u.id === story.pinnedUpdateId
      actions.append(
        actionButton('Edit', () => startEdit(u)),
        actionButton('Key event', () => toggleKeyEvent(u), u.keyEvent),
        actionButton(pinned ? 'Unpin' : 'Pin', () =>
          patchStory({ pinnedUpdateId: pinned ? null : u.id }, pinned ? 'Unpinned.' : 'Pinned.'),
        ),
        actionButton('Delete', (button) => deleteUpdate(u, button)),
      )
      item.append(meta, body, actions)
      return item
    }),
  )
}

async function toggleKeyEvent(update) {
  await api('PATCH', `/v1/stories/${story.id}/updates/${update.id}`, { keyEvent: !update.keyEvent })
  await loadUpdates()
  notify(update.keyEvent ? 'No longer a key event.' : 'Marked as a key event.')
}

/**
 * Destructive actions take a second click on the same button ("Confirm …") within a few seconds:
 * no native dialog, which would block the page, and no deletion by a stray click.
 */
function confirmed(button, confirmLabel) {
  if (button.dataset.armed === '1') return true
  const label = button.textContent
  button.dataset.armed = '1'
  button.textContent = confirmLabel
  setTimeout(() => {
    if (!button.isConnected || button.dataset.armed !== '1') return
    button.dataset.armed = ''
    button.textContent = label
  }, 5000)
  return false
}

async function deleteUpdate(update, button) {
  if (!confirmed(button, 'Confirm delete')) return
  try {
    await api('DELETE', `/v1/stories/${story.id}/updates/${update.id}`)
  } catch (err) {
    await refresh().catch(() => {}) // a not_found means it is already gone: show the list as it is
    throw err
  }
  await refresh()
  notify('Update deleted.')
}

// ---- composer

const BLOCK_FIELDS = {
  text: [['text', 'Text', 'textarea']],
  quote: [
    ['text', 'Quote', 'textarea'],
    ['attribution', 'Attribution'],
  ],
  image: [
    ['url', 'Image URL (http or https)', 'url'],
    ['caption', 'Caption'],
    ['credit', 'Credit'],
    ['alt', 'Alt text'],
  ],
}
let blockCounter = 0

function addBlock(type, values = {}) {
  const box = document.createElement('fieldset')
  box.className = 'block'
  box.dataset.type = type
  const legend = document.createElement('legend')
  legend.textContent = type[0].toUpperCase() + type.slice(1)
  box.append(legend)
  for (const [name, label, kind] of BLOCK_FIELDS[type]) {
    const id = `b${++blockCounter}-${name}`
    const labelEl = document.createElement('label')
    labelEl.htmlFor = id
    labelEl.textContent = label
    const input = document.createElement(kind === 'textarea' ? 'textarea' : 'input')
    if (kind === 'textarea') input.rows = 4
    else input.type = kind === 'url' ? 'url' : 'text'
    input.id = id
    input.name = name
    input.value = values[name] ?? ''
    box.append(labelEl, input)
  }
  const tools = document.createElement('p')
  tools.className = 'block-tools'
  const remove = document.createElement('button')
  remove.type = 'button'
  remove.textContent = 'Remove block'
  remove.addEventListener('click', () => {
    box.remove()
    renderPreview()
  })
  tools.append(remove)
  box.append(tools)
  $('blocks').append(box)
  return box
}

/** The composer's content as an API body (empty optional fields left out). */
function composed() {
  const blocks = [...$('blocks').querySelectorAll('.block')]
    .map((box) => {
      const block = { type: box.dataset.type }
      for (const input of box.querySelectorAll('input, textarea')) {
        const value = input.value.trim()
        if (value || input.name === 'text' || input.name === 'url') block[input.name] = value
      }
      return block
    })
    // The composer starts with a text block: left empty beside a photo, it is not part of the post.
    .filter((block, _, all) => !(block.type === 'text' && block.text === '' && all.length > 1))
  const headline = $('headline').value.trim()
  return { headline: headline || null, blocks, keyEvent: $('key-event').checked }
}

function paragraphs(parent, text) {
  for (const chunk of text.split(/\n\s*\n/)) {
    if (!chunk.trim()) continue
    const p = document.createElement('p')
    chunk
      .trim()
      .split('\n')
      .forEach((line, i) => {
        if (i) p.append(document.createElement('br'))
        p.append(line)
      })
    parent.append(p)
  }
}

/** A preview built from text nodes only, like the server's escaped rendering. */
function renderPreview() {
  const { headline, blocks } = composed()
  const out = []
  if (headline) {
    const h = document.createElement('h2')
    h.textContent = headline
    out.push(h)
  }
  for (const block of blocks) {
    if (block.type === 'text') {
      const div = document.createElement('div')
      paragraphs(div, block.text)
      out.push(...div.childNodes)
    } else if (block.type === 'quote') {
      const quote = document.createElement('blockquote')
      paragraphs(quote, block.text)
      if (block.attribution) {
        const footer = document.createElement('footer')
        footer.textContent = block.attribution
        quote.append(footer)
      }
      out.push(quote)
    } else if (block.type === 'image' && /^https?:\/\//i.test(block.url)) {
      const figure = document.createElement('figure')
      const img = document.createElement('img')
      img.src = block.url
      img.alt = block.alt ?? block.caption ?? ''
      figure.append(img)
      const caption = [block.caption, block.credit].filter(Boolean).join(' ')
      if (caption) {
        const figcaption = document.createElement('figcaption')
        figcaption.textContent = caption
        figure.append(figcaption)
      }
      out.push(figure)
    }
  }
  $('preview').replaceChildren(...out)
}

function resetComposer() {
  editing = null
  lastAttempt = null
  $('composer').reset()
  $('blocks').replaceChildren()
  addBlock('text')
  $('composer-h').textContent = 'New update'
  $('post').textContent = 'Post update'
  $('cancel-edit').hidden = true
  $('pin-label').hidden = false
  $('schedule-row').hidden = false
  $('correction-row').hidden = true
  renderPreview()
  tickCountdowns()
}

function startEdit(update) {
  editing = update
  $('headline').value = update.headline ?? ''
  $('key-event').checked = update.keyEvent
  $('blocks').replaceChildren()
  for (const block of update.blocks) addBlock(block.type in BLOCK_FIELDS ? block.type : 'text', block)
  $('composer-h').textContent = 'Edit update'
  $('post').textContent = 'Save changes'
  $('cancel-edit').hidden = false
  $('pin-label').hidden = true
  // Published updates take a correction note; waiting ones may be (re)scheduled instead.
  const published = update.status === 'published'
  $('correction-row').hidden = !published
  $('correction').value = ''
  $('schedule-row').hidden = published
  $('publish-at').value =
    update.status === 'scheduled' && update.publishAt ? isoToLocal(update.publishAt) : ''
  renderPreview()
  tickCountdowns()
  $('headline').focus()
}

async function submitComposer() {
  const body = composed()
  const publishAt = localToIso($('publish-at').value)
  if (editing) {
    const patch = { ...body }
    const correction = $('correction').value.trim()
    if (editing.status === 'published' && correction) patch.correction = correction
    if (editing.status !== 'published' && publishAt && publishAt !== editing.publishAt)
      patch.publishAt = publishAt
    await api('PATCH', `/v1/stories/${story.id}/updates/${editing.id}`, patch)
    resetComposer()
    await loadUpdates()
    return notify(patch.correction ? 'Correction published.' : 'Update saved.')
  }
  const post = { ...body, ...(publishAt ? { publishAt } : { pinned: $('pin').checked }) }
  const json = JSON.stringify(post)
  // The same content keeps its Idempotency-Key, so a retry (or a second click) never posts twice;
  // changed content is a new post and gets a new key.
  if (lastAttempt?.json !== json) lastAttempt = { json, idempotencyKey: crypto.randomUUID() }
  const created = await api('POST', `/v1/stories/${story.id}/updates`, post, {
    'Idempotency-Key': lastAttempt.idempotencyKey,
  })
  resetComposer()
  await refresh()
  notify(
    created.status === 'submitted'
      ? 'Submitted: it waits for an editor.'
      : created.status === 'scheduled'
        ? `Scheduled for ${new Date(created.publishAt).toLocaleString()}.`
        : 'Update posted.',
  )
}

// ---- wiring

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault()
  act(e.submitter, async () => {
    await signIn($('key').value.trim())
    $('key').value = ''
    notify('Signed in.')
  })
})
$('sign-out').addEventListener('click', () => signOut())
$('new-story').addEventListener('submit', (e) => {
  e.preventDefault()
  act(e.submitter, async () => {
    const input = { title: $('ns-title').value, status: $('ns-status').value }
    for (const [field, id] of [
      ['slug', 'ns-slug'],
      ['summary', 'ns-summary'],
      ['section', 'ns-section'],
    ]) {
      if ($(id).value.trim()) input[field] = $(id).value.trim()
    }
    const created = await api('POST', '/v1/stories', input)
    $('new-story').reset()
    $('new-story-box').open = false
    await openStory(created.id)
    notify(`Story created: ${created.title}`)
  })
})
$('composer').addEventListener('submit', (e) => {
  e.preventDefault()
  act($('post'), submitComposer)
})
$('composer').addEventListener('input', renderPreview)
$('cancel-edit').addEventListener('click', resetComposer)
$('publish-at').addEventListener('input', tickCountdowns)
$('people-box').addEventListener('toggle', () => {
  if ($('people-box').open) act(null, loadPeople)
})
$('new-person').addEventListener('submit', (e) => {
  e.preventDefault()
  act(e.submitter, async () => {
    const input = { name: $('np-name').value.trim() }
    if ($('np-title').value.trim()) input.title = $('np-title').value.trim()
    if ($('np-avatar').value.trim()) input.avatarUrl = $('np-avatar').value.trim()
    if ($('np-bio').value.trim()) input.bio = $('np-bio').value.trim()
    const created = await api('POST', '/v1/people', input)
    $('new-person').reset()
    await loadPeople()
    notify(`${created.name} added.`)
  })
})
startQueueTimers()
for (const button of document.querySelectorAll('[data-add]')) {
  button.addEventListener('click', () => {
    addBlock(button.dataset.add).querySelector('input, textarea').focus()
  })
}
$('go-live').addEventListener('click', (e) =>
  act(e.currentTarget, async () => {
    await patchStory({ status: 'live' }, 'The story is live.')
    followLive()
  }),
)
$('end-story').addEventListener('click', (e) => {
  const button = e.currentTarget
  act(button, async () => {
    if (!confirmed(button, 'Confirm: end the story')) return
    button.dataset.armed = ''
    button.textContent = 'End story'
    await patchStory({ status: 'ended' }, 'The story has ended.')
  })
})

// ---- photo upload: a button (keyboard), drag-and-drop onto the composer, or paste

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif']

/** POST /v1/media with upload progress (fetch has none, so XMLHttpRequest). Resolves with the media. */
function uploadImage(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/v1/media')
    xhr.setRequestHeader('Authorization', `Bearer ${key}`)
    xhr.setRequestHeader('Content-Type', file.type)
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    })
    xhr.addEventListener('load', () => {
      let data = null
      try {
        data = JSON.parse(xhr.responseText)
      } catch {}
      if (xhr.status === 201) return resolve(data)
      const error = data?.error ?? {}
      const message = FRIENDLY[error.code] ?? error.message ?? `The server answered ${xhr.status}.`
      reject(new DeskError(error.code ?? `http_${xhr.status}`, message, error.details))
    })
    xhr.addEventListener('error', () =>
      reject(
        new DeskError('network', 'The server could not be reached. Check the connection and try again.'),
      ),
    )
    xhr.send(file)
  })
}

/** Uploads each image file and adds an image block with its URL; the editor adds caption and credit. */
async function uploadFiles(files) {
  const images = [...files].filter((f) => IMAGE_TYPES.includes(f.type))
  if (images.length === 0) {
    if (files.length > 0) showError(new DeskError('unsupported_media_type', FRIENDLY.unsupported_media_type))
    return
  }
  for (const file of images) {
    const status = document.createElement('p')
    status.className = 'upload-status'
    status.setAttribute('role', 'status')
    const label = document.createElement('span')
    label.textContent = `Uploading ${file.name}… `
    const bar = document.createElement('progress')
    bar.max = 1
    bar.value = 0
    status.append(label, bar)
    $('blocks').after(status)
    try {
      const media = await uploadImage(file, (fraction) => {
        bar.value = fraction
      })
      const box = addBlock('image', { url: media.url, alt: '' })
      box.dataset.mediaId = media.id
      renderPreview()
      box.querySelector('input[name="caption"]').focus()
      notify(`Uploaded ${file.name} (${media.width} × ${media.height}): add a caption and credit.`)
    } catch (err) {
      showError(err)
    } finally {
      status.remove()
    }
  }
}

{
  const picker = document.createElement('input')
  picker.type = 'file'
  picker.accept = IMAGE_TYPES.join(',')
  picker.multiple = true
  picker.hidden = true
  picker.id = 'photo-file'
  const button = document.createElement('button')
  button.type = 'button'
  button.id = 'upload-photo'
  button.textContent = 'Upload photo…'
  button.title = 'Or drop or paste a photo into the composer'
  button.addEventListener('click', () => picker.click())
  picker.addEventListener('change', () => {
    uploadFiles(picker.files)
    picker.value = ''
  })
  document.querySelector('.add-blocks')?.append(' ', button, picker)

  const composer = $('composer')
  composer.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return
    e.preventDefault()
    composer.classList.add('dropping')
  })
  composer.addEventListener('dragleave', () => composer.classList.remove('dropping'))
  composer.addEventListener('drop', (e) => {
    composer.classList.remove('dropping')
    if (!e.dataTransfer?.files.length) return
    e.preventDefault()
    uploadFiles(e.dataTransfer.files)
  })
  composer.addEventListener('paste', (e) => {
    const files = e.clipboardData?.files
    if (!files?.length) return
    e.preventDefault()
    uploadFiles(files)
  })
}

if (key) act(null, () => signIn(key))
