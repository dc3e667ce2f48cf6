// Click-to-load embeds: the server renders a known provider's embed as a card linking to the post
// (src/updates/embeds.ts), so the page fetches nothing from the provider. When the reader clicks a
// card that has a player (`data-embed-src`: YouTube via youtube-nocookie.com, Vimeo), the card becomes
// the player; other cards stay links to the provider. Delegated, so updates that arrive live work too.

// The page's CSP allows exactly these frames; anything else stays a link.
const FRAME_ORIGINS = ['https://www.youtube-nocookie.com', 'https://player.vimeo.com']

document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return
  const card = event.target instanceof Element ? event.target.closest('.embed-card[data-embed-src]') : null
  const src = card?.dataset.embedSrc
  if (!card || !src || !FRAME_ORIGINS.some((origin) => src.startsWith(`${origin}/`))) return
  event.preventDefault()
  const provider = card.querySelector('.embed-card-provider')?.textContent ?? 'Embedded'
  const frame = document.createElement('iframe')
  frame.className = 'embed-frame'
  frame.title = `${provider} video`
  frame.allow = 'autoplay; encrypted-media; picture-in-picture; fullscreen'
  frame.allowFullscreen = true
  frame.referrerPolicy = 'strict-origin-when-cross-origin'
  frame.src = src
  card.replaceChildren(frame)
  card.classList.add('embed-loaded')
  frame.focus()
})
