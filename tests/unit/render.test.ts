import { describe, expect, it } from 'vitest'
import { escapeHtml } from '../../src/lib/escape-html.js'
import { renderUpdateHtml } from '../../src/updates/render.js'

describe('renderUpdateHtml', () => {
  it('splits paragraphs on blank lines and keeps single line breaks', () => {
    expect(renderUpdateHtml(null, [{ type: 'text', text: 'One\nline two\n\n\nThree' }])).toBe(
      '<p>One<br>line two</p><p>Three</p>',
    )
  })

  it('links http(s) URLs, leaving sentence punctuation outside the link', () => {
    const html = renderUpdateHtml(undefined, [
      { type: 'text', text: 'Read https://ex.com/a?b=1&c=2. Or (http://ex.org/x).' },
    ])
    expect(html).toBe(
      '<p>Read <a href="https://ex.com/a?b=1&amp;c=2" rel="noopener nofollow ugc">https://ex.com/a?b=1&amp;c=2</a>. Or (<a href="http://ex.org/x" rel="noopener nofollow ugc">http://ex.org/x</a>).</p>',
    )
  })

  it('does not link other schemes', () => {
    expect(renderUpdateHtml(null, [{ type: 'text', text: 'javascript:alert(1)' }])).toBe(
      '<p>javascript:alert(1)</p>',
    )
  })

  it('renders an image with caption and credit, falling back to the caption for alt', () => {
    expect(
      renderUpdateHtml('H', [{ type: 'image', url: 'https://i.ex/a.jpg', caption: 'Crowds', credit: 'AP' }]),
    ).toBe(
      '<h2>H</h2><figure><img src="https://i.ex/a.jpg" alt="Crowds" loading="lazy"><figcaption><span class="caption">Crowds</span> <span class="credit">AP</span></figcaption></figure>',
    )
  })

  it('escapes all five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    )
  })
})
