// The Liveline widget. Paste into any page:
//   <script src="https://<liveline host>/embed.js" data-story="<slug>" async></script>
// It renders the story in a shadow root (the host page's styles and ours stay apart) and keeps it
// live, talking to the Liveline host this script was loaded from.
;(() => {
  const script = document.currentScript
  const slug = script?.dataset.story
  if (!script || !slug) {
    console.warn('Liveline: give the embed script a data-story="<slug>" attribute')
    return
  }
  const base = new URL(script.src).origin
  const host = document.createElement('div')
  host.className = 'liveline-embed'
  const target = script.dataset.target ? document.querySelector(script.dataset.target) : null
  if (target) target.append(host)
  else if (script.parentElement && script.parentElement !== document.head) script.after(host)
  else document.body.append(host)

  const shadow = host.attachShadow({ mode: 'open' })
  const css = document.createElement('link')
  css.rel = 'stylesheet'
  css.href = `${base}/assets/live.css`
  const note = document.createElement('p')
  note.className = 'll-note'
  note.textContent = 'Loading live coverage…'
  shadow.append(css, note)

  Promise.all([
    fetch(`${base}/s/${encodeURIComponent(slug)}/fragment`),
    import(`${base}/assets/live-view.js`),
  ])
    .then(async ([res, view]) => {
      if (!res.ok)
        throw new Error(res.status === 404 ? 'This live story does not exist.' : `error ${res.status}`)
      const template = document.createElement('template')
      // The server's rendering: every value from the database in it is escaped.
      template.innerHTML = await res.text()
      const root = template.content.firstElementChild
      note.replaceWith(root)
      view.mountLiveView(root, { base })
    })
    .catch((err) => {
      note.textContent = `Live coverage could not be loaded: ${err.message}`
    })
})()
