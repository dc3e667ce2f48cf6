import { html } from './html.js'

/**
 * The editors' desk: a static shell that desk.js fills in through the public API. Nothing from
 * the database is rendered here, and the key never appears in a URL or the page.
 */
export function renderDeskPage(): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Liveline desk</title>
<link rel="stylesheet" href="/assets/live.css">
<link rel="stylesheet" href="/assets/desk.css">
<link rel="icon" href="data:,">
<script type="module" src="/assets/desk.js"></script>
</head>
<body>
<header class="desk-bar"><h1>Liveline desk</h1><span id="who"></span><button type="button" id="sign-out" hidden>Sign out</button></header>
<div id="alert" class="alert" role="alert" hidden></div>
<p id="notice" class="notice" role="status"></p>
<main>
<section id="sign-in" aria-labelledby="sign-in-h">
<h2 id="sign-in-h">Sign in</h2>
<form id="sign-in-form">
<label for="key">Editor key</label>
<input id="key" name="key" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Sign in</button>
</form>
<p class="hint">The key stays in this browser tab (session storage) and is sent only in the Authorization header.</p>
</section>

<div id="desk" class="desk" hidden>
<section id="stories" aria-labelledby="stories-h">
<h2 id="stories-h">Stories</h2>
<ul id="story-list" class="story-list"></ul>
<details id="new-story-box"><summary>New story</summary>
<form id="new-story">
<label for="ns-title">Title</label><input id="ns-title" required maxlength="300">
<label for="ns-slug">Slug (optional)</label><input id="ns-slug" pattern="[a-z0-9]+(-[a-z0-9]+)*" maxlength="80">
<label for="ns-summary">Summary</label><textarea id="ns-summary" rows="2" maxlength="2000"></textarea>
<label for="ns-section">Section</label><input id="ns-section" maxlength="100">
<label for="ns-status">Status</label><select id="ns-status"><option value="draft">Draft</option><option value="live">Live</option></select>
<button type="submit">Create story</button>
</form>
</details>
</section>

<details id="people-box"><summary>People (bylines)</summary>
<ul id="people-list" class="story-list"></ul>
<form id="new-person">
<label for="np-name">Name</label><input id="np-name" required maxlength="200">
<label for="np-title">Title</label><input id="np-title" maxlength="200">
<label for="np-avatar">Avatar URL</label><input id="np-avatar" type="url" maxlength="2048">
<label for="np-bio">Short bio</label><textarea id="np-bio" rows="2" maxlength="2000"></textarea>
<button type="submit">Add person</button>
</form>
<p class="hint">Give a person a key with <code>POST /v1/keys {name, role, personId}</code> (admin): what the key posts carries their byline.</p>
</details>

<section id="story" aria-labelledby="story-title" hidden>
<h2 id="story-title"></h2>
<p id="story-meta" class="hint"></p>
<p class="story-actions"><button type="button" id="go-live" hidden>Go live</button> <button type="button" id="end-story" hidden>End story</button> <a id="reader-link" target="_blank" rel="noopener">Open reader page</a> <span id="story-readers" class="readers" title="Readers of this story right now, on every instance (this desk included)"></span></p>

<form id="composer" aria-labelledby="composer-h">
<h3 id="composer-h">New update</h3>
<label for="headline">Headline (optional)</label><input id="headline" maxlength="300">
<div id="blocks"></div>
<p class="add-blocks">Add: <button type="button" data-add="text">Text</button> <button type="button" data-add="quote">Quote</button> <button type="button" data-add="image">Image</button></p>
<p><label class="check"><input type="checkbox" id="key-event"> Key event</label> <label class="check" id="pin-label"><input type="checkbox" id="pin"> Pin to top</label></p>
<p id="schedule-row"><label for="publish-at">Publish at (your time zone, optional)</label> <input id="publish-at" type="datetime-local" step="1"> <span id="publish-countdown" class="hint" aria-live="polite"></span></p>
<p id="correction-row" hidden><label for="correction">Correction note (shown to readers under the update)</label><input id="correction" maxlength="1000"></p>
<p><button type="submit" id="post">Post update</button> <button type="button" id="cancel-edit" hidden>Cancel edit</button></p>
</form>
<section class="preview" aria-labelledby="preview-h"><h3 id="preview-h">Preview</h3><div id="preview" class="ll-body"></div></section>

<section id="queue" aria-labelledby="queue-h">
<h3 id="queue-h">Waiting: submitted and scheduled</h3>
<p id="queue-empty" class="hint">Nothing is waiting.</p>
<ol id="queue-list" class="update-list"></ol>
</section>

<h3>Updates</h3>
<ol id="update-list" class="update-list"></ol>

<section id="comments" aria-labelledby="comments-h">
<h3 id="comments-h">Reader comments</h3>
<p><label for="comments-setting">Comments</label> <select id="comments-setting"><option value="off">Off</option><option value="moderated">Moderated: every comment waits for an editor</option><option value="open">Open: clean comments appear at once</option><option value="closed">Closed: nothing new, published ones stay</option></select></p>
<h4>Waiting for review <span id="queue-count"></span></h4>
<p class="hint">Approve with A, reject with R on the selected comment (Tab or J/K to move).</p>
<ol id="comment-queue" class="comment-list"></ol>
<h4>Published</h4>
<ol id="comment-published" class="comment-list"></ol>
</section>
</section>
</div>
</main>
</body>
</html>
`.value
}
