/**
 * The automatic rules that carry out the newsroom's comment policy (contract, "Reader comments"):
 * each rule a small function returning `fired`, `passed` or `undecided`, and `CommentRules`, which
 * holds what they need (the matcher, the spell checkers, the repeat store) and decides a comment.
 * No HTTP and no database here: the caller stores the result and appends the events.
 */
import { type CommentWord, primaryLanguage, wordsOf } from './comment-text.js'
import { createProfanityMatcher, type ProfanityMatcher } from './profanity-matcher.js'
import { createMemoryRepeatStore, REPEAT_WINDOW_MS, type RepeatStore, repeatKey } from './repeat-store.js'
import {
  buildSpellChecker,
  SPELL_CHECK_LANGUAGES,
  type SpellChecker,
  type SpellCheckLanguage,
} from './spell-checker.js'

export const RULE_CODES = [
  'all_caps',
  'profanity',
  'turkish_characters',
  'repeat',
  'spelling',
  'link',
] as const
export type RuleCode = (typeof RULE_CODES)[number]

/** What a rule that fires does to the comment (the contract's table). */
export const RULE_EFFECT = {
  all_caps: 'reject',
  profanity: 'reject',
  turkish_characters: 'reject',
  repeat: 'reject',
  spelling: 'hold',
  link: 'hold',
} as const satisfies Record<RuleCode, 'reject' | 'hold'>

/**
 * `undecided`: the rule could not tell (its checker is still loading, the story's language has no
 * dictionary, its store is unreachable). It never rejects: the comment waits for an editor.
 */
/** How long the first comments wait for checkers built on first use (see `loadOnFirstUse`). */
export const FIRST_USE_WAIT_MS = 5000

export type RuleOutcome = 'fired' | 'passed' | 'undecided'

// ---------------------------------------------------------------------------------------------
// links: what the link rule looks for, and what all_caps leaves out

// Common top-level domains of a bare "example.com": a longer list would read "bitti.ama" as a link.
const BARE_DOMAIN_TLDS =
  'com|net|org|info|biz|io|co|me|tv|ly|gl|gg|app|dev|xyz|site|online|top|link|club|news|shop|live|tr|uk|de|eu|ru|us|fr|nl|az|ir'
const LINK_SOURCE = `(?:\\b[a-z][a-z0-9+.-]*://|\\bwww\\.|(?<![\\p{L}\\p{N}@.-])(?:[\\p{L}\\p{N}-]+\\.)+(?:${BARE_DOMAIN_TLDS})(?![\\p{L}\\p{N}]))`
const LINK = new RegExp(LINK_SOURCE, 'iu')
/** Whole links, scheme to the next space, to take out of a text. */
const LINKS = new RegExp(`${LINK_SOURCE}\\S*`, 'giu')

// ---------------------------------------------------------------------------------------------
// all_caps

/** Fewest letters with case for `all_caps` to judge: "OK!" or "TAMAM" is not shouting. */
export const ALL_CAPS_MIN_LETTERS = 10
/** Share of capitals among the letters with case from which a text counts as written in capitals. */
export const ALL_CAPS_MIN_RATIO = 0.7

/**
 * Written in capital letters: most letters that have a case are capitals. Unicode-aware (İ is a
 * capital, ı is not), and an acronym in an ordinary sentence ("NATO said today ...") passes.
 * @example allCaps('ÇOK GÜZEL BİR HABER') // 'fired'
 */
export function allCaps(text: string, options: { minLetters?: number; minRatio?: number } = {}): RuleOutcome {
  // A link's letters are not the writer's voice: "SHAME ON YOU https://example.com" shouts.
  const words = text.replace(LINKS, ' ')
  const upper = words.match(/[\p{Lu}\p{Lt}]/gu)?.length ?? 0
  const lower = words.match(/\p{Ll}/gu)?.length ?? 0
  const cased = upper + lower
  if (cased < (options.minLetters ?? ALL_CAPS_MIN_LETTERS)) return 'passed'
  return upper / cased >= (options.minRatio ?? ALL_CAPS_MIN_RATIO) ? 'fired' : 'passed'
}

// ---------------------------------------------------------------------------------------------
// profanity

/**
 * Insults, swearing, slurs or attacks on beliefs in English or Turkish, also disguised.
 * @example profanity(matcher, 'f u c k this') // 'fired'
 */
export function profanity(matcher: ProfanityMatcher, text: string): RuleOutcome {
  return matcher.find(text).length > 0 ? 'fired' : 'passed'
}

// ---------------------------------------------------------------------------------------------
// turkish_characters and spelling

/** Letters typed on a keyboard without Turkish letters, and the Turkish letter each may stand for. */
const TURKISH_LETTER_FOR: Readonly<Record<string, string>> = {
  c: 'ç',
  C: 'Ç',
  g: 'ğ',
  G: 'Ğ',
  i: 'ı',
  I: 'İ',
  o: 'ö',
  O: 'Ö',
  s: 'ş',
  S: 'Ş',
  u: 'ü',
  U: 'Ü',
}
/** Letters of one word tried with their Turkish counterparts: 2^8 - 1 spellings at most. */
export const TURKISH_RESTORE_MAX_LETTERS = 8
/**
 * Dictionary look-ups one comment may spend restoring letters; past it the rule is undecided. A
 * look-up that misses the cache costs about 12 µs here: 300 bound a hostile comment of unknown
 * words to about 6 ms of CPU, while ordinary comments need a few dozen.
 */
export const TURKISH_RESTORE_MAX_LOOKUPS = 300
/** Fewest words written without their Turkish letters for `turkish_characters` to fire ... */
export const TURKISH_CHARACTERS_MIN_WORDS = 1
/** ... and their least share of the comment's words: one slip in a long comment is forgiven. */
export const TURKISH_CHARACTERS_MIN_RATIO = 0.1
/**
 * Largest share of words unknown even with Turkish letters restored for `turkish_characters` to
 * fire: above it the comment is not Turkish at all (English on a Turkish story, where "is" reads as
 * "iş"), and `spelling` holds it for an editor instead.
 */
export const TURKISH_CHARACTERS_MAX_FOREIGN_RATIO = 0.5
/** Fewest words `spelling` judges (proper nouns and acronyms not counted). */
export const SPELLING_MIN_WORDS = 4
/** Share of unknown words from which a comment counts as not written with spelling rules. */
export const SPELLING_MIN_UNKNOWN_RATIO = 0.5
/** Longest all-capital word read as an acronym (NATO, TBMM) rather than a misspelling. */
const ACRONYM_MAX_LETTERS = 5

/** How the words of a comment fare against the story language's dictionary. */
export interface WordReading {
  /** Words the spelling rule judges. */
  judged: number
  /** Of those, unknown even with Turkish letters restored. */
  unknown: number
  /** Words of any kind known only with Turkish letters restored ("cok" for "çok"). */
  withoutTurkishLetters: string[]
  /** Words whose restoring stopped at `TURKISH_RESTORE_MAX_LOOKUPS`. */
  unresolved: number
  /** Words read, of any kind, and how many of them are unknown even with Turkish letters restored. */
  read: number
  foreign: number
}

/**
 * Reads a comment's words against a checker. For Turkish, a word unknown as written is tried with
 * its Turkish letters restored (c->ç, g->ğ, i->ı, o->ö, s->ş, u->ü, and capitals).
 */
export function readWords(
  text: string,
  checker: SpellChecker,
  options: { maxRestoreLetters?: number; maxLookups?: number } = {},
): WordReading {
  const turkish = checker.language === 'tr'
  const budget = { lookups: options.maxLookups ?? TURKISH_RESTORE_MAX_LOOKUPS }
  const maxLetters = options.maxRestoreLetters ?? TURKISH_RESTORE_MAX_LETTERS
  const reading: WordReading = {
    judged: 0,
    unknown: 0,
    withoutTurkishLetters: [],
    unresolved: 0,
    read: 0,
    foreign: 0,
  }
  for (const word of wordsOf(text)) {
    // Turkish joins suffixes to a name with an apostrophe ("Ankara'da"): the name is the word.
    // English keeps "don't" whole, and tries "Liveline's" as "Liveline".
    const base = word.text.split("'")[0] ?? word.text
    const spelled = turkish ? base : word.text
    if ([...spelled].length < 2) continue
    reading.read++
    const judged = !isAcronym(spelled) && !isProperNoun(word, spelled)
    if (judged) reading.judged++
    if (checker.isKnown(spelled) || (!turkish && base !== spelled && checker.isKnown(base))) continue
    const restored = turkish ? restoreTurkishLetters(spelled, checker, maxLetters, budget) : 'unknown'
    if (restored === 'restored') reading.withoutTurkishLetters.push(spelled)
    else if (restored === 'out_of_budget') reading.unresolved++
    else reading.foreign++
    if (restored !== 'restored' && judged) reading.unknown++
  }
  return reading
}

function isAcronym(word: string): boolean {
  return word.length <= ACRONYM_MAX_LETTERS && word === word.toLocaleUpperCase('tr') && /\p{Lu}/u.test(word)
}

function isProperNoun(word: CommentWord, spelled: string): boolean {
  return !word.startsSentence && /^\p{Lu}/u.test(spelled)
}

function restoreTurkishLetters(
  word: string,
  checker: SpellChecker,
  maxLetters: number,
  budget: { lookups: number },
): 'restored' | 'unknown' | 'out_of_budget' {
  const letters = [...word]
  const positions: number[] = []
  for (let i = 0; i < letters.length && positions.length < maxLetters; i++) {
    if (TURKISH_LETTER_FOR[letters[i] as string]) positions.push(i)
  }
  for (let mask = 1; mask < 1 << positions.length; mask++) {
    if (budget.lookups-- <= 0) return 'out_of_budget'
    const variant = [...letters]
    positions.forEach((position, bit) => {
      if (mask & (1 << bit)) variant[position] = TURKISH_LETTER_FOR[letters[position] as string] as string
    })
    if (checker.isKnown(variant.join(''))) return 'restored'
  }
  return 'unknown'
}

/**
 * On a Turkish story, Turkish words written without their letters ç ğ ı İ ö ş ü ("cok guzel").
 * Other languages: passed. No Turkish checker yet: undecided.
 * @example turkishCharacters('cok guzel bir haber', 'tr', trChecker) // 'fired'
 */
export function turkishCharacters(
  text: string,
  storyLanguage: string,
  checker: SpellChecker | undefined,
  options: { minWords?: number; minRatio?: number; maxForeignRatio?: number; reading?: WordReading } = {},
): RuleOutcome {
  if (primaryLanguage(storyLanguage) !== 'tr') return 'passed'
  if (checker?.language !== 'tr') return 'undecided'
  const reading = options.reading ?? readWords(text, checker)
  const words = Math.max(reading.read, 1)
  const count = reading.withoutTurkishLetters.length
  if (
    count >= (options.minWords ?? TURKISH_CHARACTERS_MIN_WORDS) &&
    count / words >= (options.minRatio ?? TURKISH_CHARACTERS_MIN_RATIO) &&
    reading.foreign / words <= (options.maxForeignRatio ?? TURKISH_CHARACTERS_MAX_FOREIGN_RATIO)
  ) {
    return 'fired'
  }
  return reading.unresolved > 0 ? 'undecided' : 'passed'
}

/**
 * Many words misspelled for the story's language (a share of the words, once there are enough to
 * judge). Held for an editor, never rejected. No checker for the language (yet): undecided.
 * @example spelling('teh nwes is vrey bda', 'en', enChecker) // 'fired'
 */
export function spelling(
  text: string,
  storyLanguage: string,
  checker: SpellChecker | undefined,
  options: { minWords?: number; minUnknownRatio?: number; reading?: WordReading } = {},
): RuleOutcome {
  if (checker?.language !== primaryLanguage(storyLanguage)) return 'undecided'
  const reading = options.reading ?? readWords(text, checker)
  if (reading.judged < (options.minWords ?? SPELLING_MIN_WORDS)) return 'passed'
  return reading.unknown / reading.judged >= (options.minUnknownRatio ?? SPELLING_MIN_UNKNOWN_RATIO)
    ? 'fired'
    : 'passed'
}

// ---------------------------------------------------------------------------------------------
// link

/**
 * The text contains a URL: with a scheme, starting with www., or a bare domain ("site.com.tr/x").
 * @example link('details at example.com/offer') // 'fired'
 */
export function link(text: string): RuleOutcome {
  return LINK.test(text) ? 'fired' : 'passed'
}

// ---------------------------------------------------------------------------------------------
// repeat

/**
 * The same text (case, spacing and punctuation aside) from the same client on the same story within
 * the window. Records the comment as it checks, atomically, so two instances taking the same comment
 * at once see one of them as the repeat. A store that fails is undecided: the comment is held.
 * @example await repeat(store, repeatKey(secret, story.id, client, text)) // 'passed', then 'fired'
 */
export async function repeat(
  store: RepeatStore,
  key: string,
  windowMs: number = REPEAT_WINDOW_MS,
): Promise<RuleOutcome> {
  try {
    return (await store.seen(key, windowMs)) ? 'fired' : 'passed'
  } catch {
    return 'undecided'
  }
}

// ---------------------------------------------------------------------------------------------
// CommentRules: the rules together

export type CommentStatus = 'published' | 'pending' | 'rejected'

/** A comment as the rules see it. `client` identifies its sender, e.g. the keyed hash of its address. */
export interface CommentToJudge {
  text: string
  client: string
}

/** The story a comment is written under; `comments` off or closed is refused before the rules. */
export interface StoryToJudge {
  id: string
  language: string
  comments: 'moderated' | 'open'
}

export interface CommentEvaluation {
  status: CommentStatus
  /** The rules that fired, in `RULE_CODES` order: the Comment's `reasons`. */
  reasons: RuleCode[]
  /** The rules that could not decide; each holds the comment for an editor. */
  undecided: RuleCode[]
}

export interface CommentRulesOptions {
  /** Keys the hashes the repeat store keeps (a server secret). */
  secret: string
  /** Where repeats are remembered; in process when absent (one instance). */
  repeatStore?: RepeatStore
  repeatWindowMs?: number
  /** Dictionaries to build; all installed ones by default. */
  languages?: readonly SpellCheckLanguage[]
  linesPerSlice?: number
  /**
   * Build the checkers when a comment first needs them (or `ready()` is called) instead of at once.
   * Building the Turkish one grows the heap by about 200 MB, and its garbage collections pause the
   * process for hundreds of ms: a service whose readers never comment should not pay that.
   */
  loadOnFirstUse?: boolean
  /** How long the first comments wait for a build started on first use before being held instead. */
  firstUseWaitMs?: number
  /**
   * Where the checkers come from: built here by default. A service passes a process-wide cache, so
   * several services in one process (tests, benchmarks) build each dictionary once.
   */
  buildChecker?: (language: SpellCheckLanguage, signal: AbortSignal) => Promise<SpellChecker>
  /** Told when a checker could not be built; its rules stay undecided. */
  onLoadError?: (language: SpellCheckLanguage, error: unknown) => void
}

/**
 * The automatic rules with what they need. Create it at startup: it builds the spell checkers in
 * the background (seconds of CPU for Turkish, in slices so the server keeps serving); until a checker
 * is built, its rules are undecided and comments that need it wait for an editor.
 * @example
 * const rules = new CommentRules({ secret })
 * const { status, reasons } = await rules.evaluate({ text, client }, story)
 */
export class CommentRules {
  readonly #matcher: ProfanityMatcher
  readonly #repeatStore: RepeatStore
  readonly #repeatWindowMs: number
  readonly #secret: string
  readonly #checkers = new Map<string, SpellChecker>()
  readonly #abort = new AbortController()
  #loaded: Promise<void> | null = null
  #settled = false
  readonly #options: CommentRulesOptions

  constructor(options: CommentRulesOptions) {
    this.#secret = options.secret
    this.#matcher = createProfanityMatcher()
    this.#repeatStore = options.repeatStore ?? createMemoryRepeatStore()
    this.#repeatWindowMs = options.repeatWindowMs ?? REPEAT_WINDOW_MS
    this.#options = options
    if (!options.loadOnFirstUse) this.#startLoading()
  }

  async #loadCheckers(options: CommentRulesOptions): Promise<void> {
    for (const language of options.languages ?? SPELL_CHECK_LANGUAGES) {
      try {
        const checker = options.buildChecker
          ? await options.buildChecker(language, this.#abort.signal)
          : await buildSpellChecker(language, {
              signal: this.#abort.signal,
              ...(options.linesPerSlice ? { linesPerSlice: options.linesPerSlice } : {}),
            })
        this.#checkers.set(language, checker)
      } catch (error) {
        if (this.#abort.signal.aborted) return
        options.onLoadError?.(language, error)
      }
    }
  }

  /** Resolves when every checker is built (or has failed): for tests, benchmarks and readiness. */
  ready(): Promise<void> {
    return this.#startLoading()
  }

  #startLoading(): Promise<void> {
    this.#loaded ??= this.#loadCheckers(this.#options).finally(() => {
      this.#settled = true
    })
    return this.#loaded
  }

  /** The checker for a story language, once built. */
  checkerFor(storyLanguage: string): SpellChecker | undefined {
    return this.#checkers.get(primaryLanguage(storyLanguage))
  }

  /**
   * Decides a comment by the contract's table: rejected when a rejecting rule fires; pending when a
   * holding rule fires, a rule is undecided or the story is `moderated`; published otherwise.
   * Records the comment for the `repeat` rule.
   */
  async evaluate(comment: CommentToJudge, story: StoryToJudge): Promise<CommentEvaluation> {
    if (this.#options.loadOnFirstUse && !this.#settled) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        this.#startLoading(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, this.#options.firstUseWaitMs ?? FIRST_USE_WAIT_MS)
        }),
      ])
      clearTimeout(timer)
    }
    const checker = this.checkerFor(story.language)
    const turkishChecker = this.#checkers.get('tr')
    // One reading of the words serves both dictionary rules (the costlier part of a check).
    const reading = checker ? { reading: readWords(comment.text, checker) } : {}
    const outcomes: Record<RuleCode, RuleOutcome> = {
      all_caps: allCaps(comment.text),
      profanity: profanity(this.#matcher, comment.text),
      turkish_characters: turkishCharacters(comment.text, story.language, turkishChecker, reading),
      repeat: await repeat(
        this.#repeatStore,
        repeatKey(this.#secret, story.id, comment.client, comment.text),
        this.#repeatWindowMs,
      ),
      spelling: spelling(comment.text, story.language, checker, reading),
      link: link(comment.text),
    }
    const reasons = RULE_CODES.filter((code) => outcomes[code] === 'fired')
    const undecided = RULE_CODES.filter((code) => outcomes[code] === 'undecided')
    let status: CommentStatus = story.comments === 'open' ? 'published' : 'pending'
    if (reasons.some((code) => RULE_EFFECT[code] === 'hold') || undecided.length > 0) status = 'pending'
    if (reasons.some((code) => RULE_EFFECT[code] === 'reject')) status = 'rejected'
    return { status, reasons, undecided }
  }

  /**
   * Undoes what `evaluate` recorded for the `repeat` rule, for a comment that was then not stored
   * (the database failed, or the story's publish queue was full): the reader may send it again.
   * Only call it when this evaluation recorded the comment (its `repeat` neither fired nor was
   * undecided), or an earlier stored comment's record would go.
   */
  async forget(comment: CommentToJudge, storyId: string): Promise<void> {
    await this.#repeatStore.forget(repeatKey(this.#secret, storyId, comment.client, comment.text))
  }

  /** Stops a checker build in progress (at shutdown). */
  close(): void {
    this.#abort.abort()
  }
}
