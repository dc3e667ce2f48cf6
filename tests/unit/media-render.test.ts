import { describe, expect, it } from 'vitest'
import { EMBED_FRAME_ORIGINS } from '../../src/updates/embeds.js'
import { renderUpdateHtml } from '../../src/updates/render.js'

const ID = 'a'.repeat(64)
const image = (url: string) => renderUpdateHtml(null, [{ type: 'image', url, caption: 'Crowds' }])
const embed = (url: string) => renderUpdateHtml(null, [{ type: 'embed', url }])

describe('image blocks with our media URLs', () => {
  it('offer the smaller sizes and WebP through srcset and sizes', () => {
    const base = `https://live.example.com/media/${ID}`
    expect(image(`${base}/1200.jpg`)).toBe(
      '<figure><picture>' +
        `<source type="image/webp" srcset="${base}/480.webp 480w, ${base}/960.webp 960w, ${base}/1200.webp 1200w" sizes="(min-width: 46rem) 44rem, 100vw">` +
        `<img src="${base}/1200.jpg" srcset="${base}/480.jpg 480w, ${base}/960.jpg 960w, ${base}/1200.jpg 1200w" sizes="(min-width: 46rem) 44rem, 100vw" alt="Crowds" loading="lazy">` +
        '</picture><figcaption><span class="caption">Crowds</span></figcaption></figure>',
    )
  })

  it('never offers a size wider than the original, and no second WebP for a WebP original', () => {
    const html = image(`https://live.example.com/media/${ID}/400.webp`)
    expect(html).not.toContain('<source')
    expect(html).toContain(`srcset="https://live.example.com/media/${ID}/400.webp 400w"`)
    expect(html).not.toContain('480')
  })

  it('leave any other image URL a plain img', () => {
    expect(image('https://i.ex/media/x/1200.jpg')).toBe(
      '<figure><img src="https://i.ex/media/x/1200.jpg" alt="Crowds" loading="lazy"><figcaption><span class="caption">Crowds</span></figcaption></figure>',
    )
    expect(image(`https://live.example.com/media/${ID}/1200.jpg?x="><script>`)).not.toContain('srcset')
  })
})

describe('embed blocks', () => {
  const cases: Array<[string, string, string | null]> = [
    [
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'YouTube',
      'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1',
    ],
    [
      'https://youtu.be/dQw4w9WgXcQ',
      'YouTube',
      'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1',
    ],
    ['https://vimeo.com/76979871', 'Vimeo', 'https://player.vimeo.com/video/76979871?dnt=1&amp;autoplay=1'],
    ['https://x.com/nasa/status/1234567890', 'X', null],
    ['https://twitter.com/nasa/status/1234567890', 'X', null],
    ['https://www.instagram.com/p/C1a2b3c4d5e/', 'Instagram', null],
    ['https://bsky.app/profile/nasa.gov/post/3kabc', 'Bluesky', null],
    ['https://www.tiktok.com/@nasa/video/7300000000000000000', 'TikTok', null],
    ['https://www.facebook.com/nasa/posts/123', 'Facebook', null],
  ]
  for (const [url, name, frame] of cases) {
    it(`renders ${url} as a click-to-load ${name} card`, () => {
      const html = embed(url)
      expect(html).toContain('class="embed embed-card"')
      expect(html).toContain(`<span class="embed-card-provider">${name}</span>`)
      expect(html).toContain(`href="${url}"`)
      expect(html).toContain(`Nothing loads from ${name} until you click.`)
      // Nothing the browser would fetch on its own: no iframe, no script, no image from the provider.
      expect(html).not.toMatch(/<(iframe|script|img)/)
      if (frame) expect(html).toContain(`data-embed-src="${frame}"`)
      else expect(html).not.toContain('data-embed-src')
    })
  }

  it('frames only the origins the page allows', () => {
    for (const [url, , frame] of cases)
      if (frame)
        expect(
          EMBED_FRAME_ORIGINS.some((origin) => frame.startsWith(`${origin}/`)),
          url,
        ).toBe(true)
  })

  it('keeps a YouTube URL without a valid video id a link card, never a frame', () => {
    const html = embed('https://www.youtube.com/watch?v=%22onload%3D')
    expect(html).toContain('embed-card')
    expect(html).not.toContain('data-embed-src')
  })

  it('leaves any other URL a link, escaped', () => {
    expect(embed('https://video.example.com/watch?v=1&a="b"')).toBe(
      '<div class="embed"><a href="https://video.example.com/watch?v=1&amp;a=&quot;b&quot;" rel="noopener nofollow ugc">https://video.example.com/watch?v=1&amp;a=&quot;b&quot;</a></div>',
    )
  })
})

describe('a photo wider than the largest size', () => {
  it('offers WebP up to the largest size and the original in its own format', () => {
    const base = `https://live.example.com/media/${ID}`
    const html = image(`${base}/3000.jpg`)
    expect(html).toContain(
      `srcset="${base}/480.webp 480w, ${base}/960.webp 960w, ${base}/1600.webp 1600w" sizes`,
    )
    expect(html).toContain(
      `srcset="${base}/480.jpg 480w, ${base}/960.jpg 960w, ${base}/1600.jpg 1600w, ${base}/3000.jpg 3000w"`,
    )
  })
})
