/**
 * Known embed providers: an embed block naming one renders as a click-to-load card, so nothing is
 * fetched from the provider until the reader asks. YouTube and Vimeo then swap in their player
 * (YouTube's privacy-enhanced youtube-nocookie.com, Vimeo with dnt=1); the others need the
 * provider's own script, which we never load, so their card opens the post on the provider's site.
 */
export interface EmbedProvider {
  /** Stable name, used as `data-provider` and in CSS. */
  id: string
  /** What the card calls it. */
  name: string
  /** The player URL to frame on click, or null when the card opens a link instead. */
  frameSrc(url: URL): string | null
}

/** The frame origins the reader page's CSP allows (`frame-src`): exactly the players above. */
export const EMBED_FRAME_ORIGINS = ['https://www.youtube-nocookie.com', 'https://player.vimeo.com'] as const

const YOUTUBE_ID = /^[\w-]{11}$/
const VIMEO_ID = /^\d{1,12}$/

function youtubeId(url: URL): string | null {
  const host = url.hostname
  const path = url.pathname.split('/').filter(Boolean)
  let id: string | null | undefined = null
  if (host === 'youtu.be') id = path[0]
  else if (path[0] === 'watch') id = url.searchParams.get('v')
  else if (path[0] === 'shorts' || path[0] === 'embed' || path[0] === 'live') id = path[1]
  return id && YOUTUBE_ID.test(id) ? id : null
}

function vimeoId(url: URL): string | null {
  const path = url.pathname.split('/').filter(Boolean)
  // vimeo.com/76979871 and player.vimeo.com/video/76979871
  const id = url.hostname === 'player.vimeo.com' ? path[1] : path[0]
  return id && VIMEO_ID.test(id) ? id : null
}

const linkOnly = () => null

const PROVIDERS: Array<{ hosts: string[]; provider: EmbedProvider }> = [
  {
    hosts: ['youtube.com', 'www.youtube.com', 'm.youtube.com', 'youtu.be', 'www.youtube-nocookie.com'],
    provider: {
      id: 'youtube',
      name: 'YouTube',
      frameSrc: (url) => {
        const id = youtubeId(url)
        return id && `https://www.youtube-nocookie.com/embed/${id}?autoplay=1`
      },
    },
  },
  {
    hosts: ['vimeo.com', 'www.vimeo.com', 'player.vimeo.com'],
    provider: {
      id: 'vimeo',
      name: 'Vimeo',
      frameSrc: (url) => {
        const id = vimeoId(url)
        return id && `https://player.vimeo.com/video/${id}?dnt=1&autoplay=1`
      },
    },
  },
  {
    hosts: ['x.com', 'www.x.com', 'twitter.com', 'www.twitter.com', 'mobile.twitter.com', 'mobile.x.com'],
    provider: { id: 'x', name: 'X', frameSrc: linkOnly },
  },
  {
    hosts: ['instagram.com', 'www.instagram.com'],
    provider: { id: 'instagram', name: 'Instagram', frameSrc: linkOnly },
  },
  { hosts: ['bsky.app'], provider: { id: 'bluesky', name: 'Bluesky', frameSrc: linkOnly } },
  {
    hosts: ['tiktok.com', 'www.tiktok.com', 'm.tiktok.com', 'vm.tiktok.com'],
    provider: { id: 'tiktok', name: 'TikTok', frameSrc: linkOnly },
  },
  {
    hosts: ['facebook.com', 'www.facebook.com', 'm.facebook.com', 'web.facebook.com', 'fb.watch'],
    provider: { id: 'facebook', name: 'Facebook', frameSrc: linkOnly },
  },
]

const BY_HOST = new Map(PROVIDERS.flatMap(({ hosts, provider }) => hosts.map((h) => [h, provider] as const)))

/** The provider an embed URL belongs to and the player to frame (if any), or null for any other URL. */
export function embedProviderOf(url: string): { provider: EmbedProvider; frameSrc: string | null } | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null
  const provider = BY_HOST.get(parsed.hostname.toLowerCase())
  return provider ? { provider, frameSrc: provider.frameSrc(parsed) } : null
}
