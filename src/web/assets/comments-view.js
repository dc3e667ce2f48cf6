// Reader comments under a live story (the reader page and the widget): the form posts with fetch,
// the reader is told what became of the comment (awaits review, published, or the reason it was
// not approved, in the story's language), and published comments come and go live. Every piece of
// text is set as textContent: a comment's markup is never parsed.

function el(tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

/** The same markup story-page.ts renders for one published comment. */
function itemOf(comment) {
  const item = el('li', 'll-comment')
  item.dataset.id = comment.id
  const by = el('p', 'll-comment-by')
  const time = el('time')
  time.dateTime = comment.createdAt
  time.textContent = new Date(comment.createdAt).toLocaleString()
  by.append(el('span', 'll-comment-name', comment.name), ' ', time)
  item.append(by, el('p', 'll-comment-text', comment.text))
  return item
}

/**
 * Wires the comment section inside `root` (looked up on each use, so a re-rendered story keeps working).
 * @param {HTMLElement} root the `.liveline` element
 * @param {string} base the Liveline origin
 * @returns {{ onEvent(event): void, onStory(story): void }}
 */
export function mountComments(root, base) {
  const section = () => root.querySelector('.ll-comments')
  const parse = (name) => {
    try {
      return JSON.parse(section()?.dataset[name] ?? '{}')
    } catch {
      return {}
    }
  }

  function say(text, state) {
    const status = root.querySelector('.ll-comment-status')
    if (!status) return
    status.textContent = text
    status.dataset.state = state
  }

  function refreshEmpty() {
    const none = root.querySelector('.ll-comment-none')
    if (none) none.hidden = root.querySelectorAll('.ll-comment').length > 0
  }

  root.addEventListener('submit', async (e) => {
    const form = e.target.closest('.ll-comment-form')
    if (!form) return
    e.preventDefault()
    const words = parse('words')
    const reasons = parse('reasons')
    const button = form.querySelector('button')
    button.disabled = true
    try {
      const res = await fetch(`${base}/v1/stories/${encodeURIComponent(root.dataset.story)}/comments`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: form.elements.name.value, text: form.elements.text.value }),
      })
      const body = await res.json().catch(() => null)
      if (res.status === 201) {
        if (body.status === 'rejected') {
          const why = body.reasons.map((code) => reasons[code] ?? code).join('; ')
          say(`${words.rejected} ${why}`, 'rejected')
        } else {
          form.elements.text.value = ''
          say(body.status === 'published' ? words.published : words.pending, body.status)
          if (body.status === 'published') add(body)
        }
      } else {
        const details = body?.error?.details ? Object.values(body.error.details).join('; ') : ''
        say(`${words.failed} ${details || body?.error?.message || res.status}`, 'failed')
      }
    } catch {
      say(`${words.failed} network error`, 'failed')
    } finally {
      button.disabled = false
    }
  })

  function add(comment) {
    const list = root.querySelector('.ll-comment-list')
    if (!list || list.querySelector(`[data-id="${CSS.escape(comment.id)}"]`)) return
    list.prepend(itemOf(comment))
    refreshEmpty()
  }

  function remove(id) {
    root.querySelector(`.ll-comment[data-id="${CSS.escape(id)}"]`)?.remove()
    refreshEmpty()
  }

  return {
    onEvent(event) {
      if (event.type === 'comment.published') add(event.comment)
      else if (event.type === 'comment.removed') remove(event.commentId)
    },
    /** The editors changed the story's comments setting. */
    onStory(story) {
      const s = section()
      if (!s || !story.comments) return
      s.dataset.setting = story.comments
      s.hidden = story.comments === 'off'
      const form = s.querySelector('.ll-comment-form')
      if (form) form.hidden = story.comments !== 'moderated' && story.comments !== 'open'
      const closed = s.querySelector('.ll-comment-closed')
      if (closed) closed.hidden = story.comments !== 'closed'
    },
  }
}
