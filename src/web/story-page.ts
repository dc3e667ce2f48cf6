import { REASON_WORDS } from '../comments/reasons.js'
import type { Comment } from '../comments/schema.js'
import { renderCorrectionsHtml } from '../updates/corrections.js'
import type { Update } from '../updates/schema.js'
import { html, jsonForScript, type SafeHtml, trusted, utcStamp } from './html.js'
import { editorsOf, type StoryView, updateLabel, updatePlainText } from './story-view.js'

/** The byline: avatar, name and title. live-view.js builds the same markup. */
function byline(author: Update['author']): SafeHtml {
  const avatar = author.avatarUrl
    ? html`<img class="ll-avatar" src="${author.avatarUrl}" alt="" width="28" height="28" loading="lazy" decoding="async">`
    : ''
  const title = author.title ? html`<span class="ll-author-title">, ${author.title}</span>` : ''
  return html`<span class="ll-author">${avatar}<span class="ll-author-name">${author.name}</span>${title}</span>`
}

/** Pages show published updates only, so this is always their publication time. */
function publishedAt(update: Update): string {
  return update.publishedAt ?? update.createdAt
}

/** A byline as a schema.org Person. */
function personLd(author: Update['author']): object {
  return {
    '@type': 'Person',
    name: author.name,
    jobTitle: author.title ?? undefined,
    image: author.avatarUrl ?? undefined,
  }
}

/**
 * One update as an article. live-view.js builds the same markup for updates that arrive live:
 * change both together.
 */
function updateArticle(update: Update, pinnedCopy = false): SafeHtml {
  const edited = update.editedAt
    ? html` <span class="ll-edited">edited <time datetime="${update.editedAt}">${utcStamp(update.editedAt)}</time></span>`
    : ''
  return html`<article class="ll-update${update.keyEvent ? ' ll-key' : ''}"${pinnedCopy ? '' : html` id="u-${update.id}"`} data-id="${update.id}" data-seq="${update.seq}" data-key="${update.keyEvent ? '1' : '0'}" data-label="${updateLabel(update)}">
<p class="ll-when"><time datetime="${publishedAt(update)}">${utcStamp(publishedAt(update))}</time> ${byline(update.author)}${update.keyEvent ? html` <span class="ll-badge">Key event</span>` : ''}${edited}</p>
<div class="ll-body">${trusted(update.html)}</div>${trusted(renderCorrectionsHtml(update.corrections))}
</article>`
}

/** The comment section's words, in the story's language where we have them (English otherwise). */
const COMMENT_WORDS = {
  en: {
    heading: 'Comments',
    policy:
      'Comments that contain insults, swearing, offensive sentences or allusions, attacks on beliefs, are not written with spelling rules, do not use Turkish characters and are written in capital letters are not approved.',
    name: 'Name',
    text: 'Comment',
    send: 'Send comment',
    pending: 'Thank you: your comment awaits review.',
    published: 'Thank you: your comment is published.',
    rejected: 'Your comment was not approved:',
    closed: 'Comments are closed.',
    failed: 'Your comment could not be sent:',
    none: 'No comments yet.',
  },
  tr: {
    heading: 'Yorumlar',
    policy:
      'Hakaret, küfür, rahatsız edici cümle veya imalar, inançlara saldırı içeren, imla kurallarına uygun yazılmayan, Türkçe karakter kullanılmayan ve büyük harfle yazılan yorumlar onaylanmamaktadır.',
    name: 'Ad',
    text: 'Yorum',
    send: 'Yorumu gönder',
    pending: 'Teşekkürler: yorumunuz onay bekliyor.',
    published: 'Teşekkürler: yorumunuz yayımlandı.',
    rejected: 'Yorumunuz onaylanmadı:',
    closed: 'Yorumlar kapalı.',
    failed: 'Yorumunuz gönderilemedi:',
    none: 'Henüz yorum yok.',
  },
} as const

function commentWords(language: string) {
  const primary = language.toLowerCase().split('-')[0]
  return primary === 'tr'
    ? { words: COMMENT_WORDS.tr, reasons: REASON_WORDS.tr }
    : { words: COMMENT_WORDS.en, reasons: REASON_WORDS.en }
}

/** One published comment. comments-view.js builds the same markup for comments that arrive live. */
function commentItem(comment: Comment): SafeHtml {
  return html`<li class="ll-comment" data-id="${comment.id}"><p class="ll-comment-by"><span class="ll-comment-name">${comment.name}</span> <time datetime="${comment.createdAt}">${utcStamp(comment.createdAt)}</time></p><p class="ll-comment-text">${comment.text}</p></li>`
}

/**
 * Comments under the story: the policy above the form (while comments are moderated or open), then
 * the published ones. Rendered hidden while comments are off, so a live change can show it. The
 * words the script needs ride in data attributes (escaped like any other value).
 */
function renderComments(view: StoryView): SafeHtml {
  const { story, comments } = view
  if (view.archive) return html``
  const { words, reasons } = commentWords(story.language)
  const open = story.comments === 'moderated' || story.comments === 'open'
  return html`<section class="ll-comments" aria-labelledby="ll-comments-h" data-setting="${story.comments}" data-words="${JSON.stringify(words)}" data-reasons="${JSON.stringify(reasons)}"${story.comments === 'off' ? ' hidden' : ''}>
<h2 id="ll-comments-h">${words.heading}</h2>
<p class="ll-comment-closed"${story.comments === 'closed' ? '' : ' hidden'}>${words.closed}</p>
<form class="ll-comment-form"${open ? '' : ' hidden'}>
<p class="ll-policy">${words.policy}</p>
<label>${words.name} <input name="name" maxlength="60" required autocomplete="nickname"></label>
<label>${words.text} <textarea name="text" maxlength="2000" rows="3" required></textarea></label>
<button type="submit">${words.send}</button>
<p class="ll-comment-status" role="status"></p>
</form>
<ol class="ll-comment-list">${comments.map(commentItem)}</ol>
<p class="ll-comment-none"${comments.length ? ' hidden' : ''}>${words.none}</p>
</section>`
}

/** "1,204 reading": `{n}` is the count, formatted by live-view.js for the story's language. */
const PRESENCE_WORDS = { en: '{n} reading', tr: '{n} kişi okuyor' } as const

/**
 * The live reader count, filled in by live-view.js from the `presence` frames. Rendered empty (so
 * cached pages carry no count) in a box whose space is reserved (live.css), so the first count
 * moves nothing. The visible text is hidden from screen readers, which get the count from a
 * polite live region that the script updates at most once a minute rather than every tick.
 */
function presenceSlot(language: string): SafeHtml {
  const words = language.toLowerCase().split('-')[0] === 'tr' ? PRESENCE_WORDS.tr : PRESENCE_WORDS.en
  return html`<span class="ll-presence" data-words="${words}" aria-hidden="true"></span><span class="ll-sr ll-presence-live" aria-live="polite"></span>`
}

function keyEventItem(update: Update): SafeHtml {
  return html`<li><a href="#u-${update.id}"><time datetime="${publishedAt(update)}">${utcStamp(publishedAt(update))}</time> ${updateLabel(update)}</a></li>`
}

/**
 * The story as one element: the reader page's <main> and the widget's root. Every value from the
 * database goes through `html`, which escapes it; update bodies are the server's escaped `html`.
 */
export function renderStoryRoot(view: StoryView, options: { tag: 'main' | 'div'; base: string }): SafeHtml {
  const { story, updates, pinned } = view
  const keyEvents = updates.filter((u) => u.keyEvent)
  const editors = editorsOf(updates)
  const stamp = story.lastUpdateAt
  const older = view.olderCursor
    ? html`<p class="ll-older"><a href="${options.base}/s/${story.slug}?cursor=${encodeURIComponent(view.olderCursor)}">Older updates</a></p>`
    : ''
  const open = trusted(`<${options.tag}`)
  const close = trusted(`</${options.tag}>`)
  return html`${open} class="liveline" lang="${story.language}" data-story="${story.id}" data-slug="${story.slug}" data-seq="${story.seq}" data-base="${options.base}"${view.archive ? ' data-archive="1"' : ''}>
<header class="ll-head">
<p class="ll-section"${story.section ? '' : ' hidden'}>${story.section}</p>
<h1 class="ll-title">${story.title}</h1>
<p class="ll-summary"${story.summary ? '' : ' hidden'}>${story.summary}</p>
<p class="ll-editors"${editors.length ? '' : ' hidden'}>By <span>${editors.join(', ')}</span></p>
<p class="ll-meta"><span class="ll-stamp"${stamp ? '' : ' hidden'}>Last update: <time datetime="${stamp ?? ''}">${stamp ? utcStamp(stamp) : ''}</time></span> <span class="ll-conn" role="status" data-state="static">${story.status === 'ended' ? 'Coverage ended' : ''}</span>${view.archive ? '' : presenceSlot(story.language)}</p>
<p class="ll-ended"${story.status === 'ended' ? '' : ' hidden'}>This live coverage has ended.</p>
</header>
<nav class="ll-keys" aria-labelledby="ll-keys-h"${keyEvents.length ? '' : ' hidden'}><h2 id="ll-keys-h">Key events</h2><ol>${keyEvents.map(keyEventItem)}</ol></nav>
<section class="ll-pinned" aria-labelledby="ll-pinned-h"${pinned ? '' : ' hidden'}><h2 id="ll-pinned-h">Pinned</h2><div class="ll-pinned-body">${pinned ? updateArticle(pinned, true) : ''}</div></section>
<button type="button" class="ll-new" hidden></button>
<h2 class="ll-sr">Updates</h2>
<div class="ll-updates" aria-live="polite" aria-relevant="additions">
${updates.map((u) => updateArticle(u))}
</div>
<p class="ll-empty"${updates.length ? ' hidden' : ''}>No updates yet.</p>
${older}
${renderComments(view)}
${close}`
}

/** schema.org LiveBlogPosting, for search engines. */
function liveBlogPosting(view: StoryView, pageUrl: string): object {
  const { story } = view
  return {
    '@context': 'https://schema.org',
    '@type': 'LiveBlogPosting',
    '@id': pageUrl,
    url: pageUrl,
    headline: story.title,
    description: story.summary ?? undefined,
    articleSection: story.section ?? undefined,
    inLanguage: story.language,
    datePublished: story.createdAt,
    dateModified: story.lastUpdateAt ?? story.updatedAt,
    coverageStartTime: story.createdAt,
    coverageEndTime: story.status === 'ended' ? story.updatedAt : undefined,
    liveBlogUpdate: view.updates.map((u) => ({
      '@type': 'BlogPosting',
      '@id': `${pageUrl}#u-${u.id}`,
      url: `${pageUrl}#u-${u.id}`,
      headline: updateLabel(u),
      articleBody: updatePlainText(u),
      datePublished: publishedAt(u),
      dateModified: u.editedAt ?? publishedAt(u),
      author: personLd(u.author),
      // schema.org has no correction type of its own: each is a CorrectionComment on the post.
      correction: u.corrections.length
        ? u.corrections.map((c) => ({ '@type': 'CorrectionComment', text: c.note, datePublished: c.at }))
        : undefined,
      image: u.blocks.flatMap((b) => (b.type === 'image' ? [b.url] : [])),
    })),
  }
}

/** The whole reader page: works without JavaScript; reader.js then makes it live. */
export function renderStoryPage(view: StoryView, base: string): string {
  const { story } = view
  const pageUrl = `${base}/s/${story.slug}`
  return html`<!doctype html>
<html lang="${story.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${story.title}${story.status === 'live' ? ' (live)' : ''}</title>
${story.summary ? html`<meta name="description" content="${story.summary}">` : ''}
<link rel="canonical" href="${pageUrl}">
<link rel="alternate" type="application/atom+xml" href="${base}/v1/stories/${story.id}/feed.atom" title="${story.title}">
<link rel="stylesheet" href="/assets/live.css">
<link rel="icon" href="data:,">
<script type="application/ld+json">${jsonForScript(liveBlogPosting(view, pageUrl))}</script>
${view.archive ? '' : html`<script type="module" src="/assets/reader.js"></script>`}
<script type="module" src="/assets/embed-card.js"></script>
</head>
<body class="ll-page">
${renderStoryRoot(view, { tag: 'main', base })}
</body>
</html>
`.value
}

/** A plain page for a story that does not exist (or is a draft, which readers may not see). */
export function renderNotFoundPage(message: string): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found</title><link rel="stylesheet" href="/assets/live.css"></head>
<body class="ll-page"><main class="liveline"><h1 class="ll-title">Not found</h1><p>${message}</p></main></body>
</html>
`.value
}
