/**
 * Realistic live-blog updates for the benches, in the mix the seed-demo script posts: text
 * (often with a headline), a quote, an image, now and then an embed, and a key event every tenth.
 * Deterministic per index, so two runs render the same bytes.
 */

type Block =
  | { type: 'text'; text: string }
  | { type: 'quote'; text: string; attribution?: string }
  | { type: 'image'; url: string; caption?: string; credit?: string; alt?: string }
  | { type: 'embed'; url: string }

export interface NewUpdate {
  headline?: string
  blocks: Block[]
  keyEvent?: boolean
}

const PLACES = ['Washington', 'Brussels', 'Geneva', 'Cairo', 'Ankara', 'Doha', 'Paris', 'Berlin']
const WHO = [
  'the foreign minister',
  'a senior official',
  'the spokesperson',
  'our correspondent',
  'the mayor',
]

/** Update number `i` (1-based) of a bench story. */
export function benchUpdate(i: number): NewUpdate {
  const place = PLACES[i % PLACES.length] as string
  const who = WHO[i % WHO.length] as string
  const paragraph =
    `Update ${i} from ${place}: ${who} said talks would resume later today, after a delay that ` +
    `officials blamed on "scheduling". Our team at the scene reports a large crowd outside the ` +
    `building, and police have closed two streets nearby.\n\nA second paragraph with the detail a ` +
    `live blog carries: who said what, where and when. Read the full statement at ` +
    `https://example.com/statements/${i} & see the earlier report <here>.`
  const keyEvent = i % 10 === 0
  switch (i % 4) {
    case 1:
      return {
        headline: `Talks in ${place} to resume, officials say`,
        blocks: [{ type: 'text', text: paragraph }],
        ...(keyEvent ? { keyEvent } : {}),
      }
    case 2:
      return {
        blocks: [
          {
            type: 'quote',
            text: `We have asked for a new date. The conversation is not over (${i}).`,
            attribution: `${who[0]?.toUpperCase()}${who.slice(1)}, speaking in ${place}`,
          },
          { type: 'text', text: `The remark came shortly after the meeting in ${place} ended.` },
        ],
        ...(keyEvent ? { keyEvent } : {}),
      }
    case 3:
      return {
        blocks: [
          {
            type: 'image',
            url: `https://picsum.photos/seed/liveline-bench-${i}/1200/800`,
            caption: `The scene in ${place} this afternoon (${i}).`,
            credit: 'Lorem Picsum',
            alt: `A crowd outside a government building in ${place}`,
          },
        ],
        ...(keyEvent ? { keyEvent } : {}),
      }
    default:
      return {
        headline: keyEvent ? `Key moment: agreement reached in ${place}` : `What we know so far (${i})`,
        blocks: [
          { type: 'text', text: paragraph },
          ...(i % 8 === 0
            ? [{ type: 'embed' as const, url: `https://www.youtube.com/watch?v=bench${i}` }]
            : []),
        ],
        ...(keyEvent ? { keyEvent } : {}),
      }
  }
}
