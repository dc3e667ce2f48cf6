/**
 * Comments as readers of a live story write them, for scripts/bench-comments.ts: mostly clean ones
 * (published at once on an `open` story), and some that the rules reject (capitals, swearing) or
 * hold for an editor (a link, many misspellings). Every text is distinct (a number in it), so the
 * `repeat` rule does not decide them.
 */
export interface CommentMixItem {
  name: string
  text: string
}

const CLEAN = [
  'Thanks for keeping this updated, it is the clearest account I have found today.',
  'Does anyone know whether the trains are running again after the closure this morning?',
  'My sister lives near the square and says the crowd has been calm all afternoon.',
  'Good to see the minister answering questions at last, even if the answers were short.',
  'The photo from the harbour is remarkable. Who took it?',
  'I hope the talks resume soon; the families have waited long enough for news.',
  'Could you add the number of the helpline for people looking for relatives?',
  'Watching from abroad and grateful for the live coverage.',
]
const REJECTED = [
  'THIS IS A DISGRACE AND EVERYONE INVOLVED SHOULD RESIGN TODAY',
  'What a load of shit, the whole council is useless',
]
const HELD = [
  'More pictures here: https://example.com/gallery for anyone who wants them',
  'Thsi is teh wrost coverege i hav evr sen of eny evnt',
]
const NAMES = ['Ayşe', 'Tom', 'Maria', 'Kemal', 'Lena', 'Omar', 'Jo', 'Priya']

/**
 * `count` comments: of every 20, 16 clean, 2 rejected and 2 held.
 * @example commentMix(6000)[0] // { name: 'Ayşe', text: 'Thanks for keeping … (1)' }
 */
export function commentMix(count: number): CommentMixItem[] {
  const out: CommentMixItem[] = []
  for (let i = 0; i < count; i++) {
    const slot = i % 20
    const pool = slot < 16 ? CLEAN : slot < 18 ? REJECTED : HELD
    const base = pool[i % pool.length] as string
    out.push({ name: NAMES[i % NAMES.length] as string, text: `${base} (${i + 1})` })
  }
  return out
}
