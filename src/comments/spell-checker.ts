import nspell from 'nspell'

/** Languages with a dictionary package installed, by primary language subtag. */
export const SPELL_CHECK_LANGUAGES = ['en', 'tr'] as const
export type SpellCheckLanguage = (typeof SPELL_CHECK_LANGUAGES)[number]

/**
 * Dictionary lines added between two turns of the event loop while a checker is built. The Turkish
 * dictionary has 371,000 lines and expands to about 200 MB of word forms over several seconds of
 * CPU: in slices of this size the server keeps answering (each slice takes a few tens of ms).
 */
export const SPELL_LOAD_LINES_PER_SLICE = 2000

/**
 * Words whose verdict a checker remembers, oldest forgotten first. Comments repeat the same words
 * ("cok", "guzel"), and a look-up in nspell costs from under 1 to about 30 µs.
 */
export const SPELL_CACHE_MAX_WORDS = 20_000

/** Knows whether a word is spelled correctly in one language. */
export interface SpellChecker {
  readonly language: SpellCheckLanguage
  isKnown(word: string): boolean
}

interface HunspellDictionary {
  aff: Uint8Array
  dic: Uint8Array
}

async function importDictionary(language: SpellCheckLanguage): Promise<HunspellDictionary> {
  // Imported here, not at the top: each package reads its files when imported.
  if (language === 'en') return (await import('dictionary-en')).default
  return (await import('dictionary-tr')).default
}

export interface BuildSpellCheckerOptions {
  linesPerSlice?: number
  cacheMaxWords?: number
  /** Stops a build in progress (at shutdown); the promise then rejects with the signal's reason. */
  signal?: AbortSignal
}

/**
 * Builds a checker from the language's Hunspell dictionary, yielding to the event loop between
 * slices of the word list so that a server building it keeps serving.
 * @example const tr = await buildSpellChecker('tr'); tr.isKnown('güzel') // true
 */
export async function buildSpellChecker(
  language: SpellCheckLanguage,
  options: BuildSpellCheckerOptions = {},
): Promise<SpellChecker> {
  const linesPerSlice = options.linesPerSlice ?? SPELL_LOAD_LINES_PER_SLICE
  const dictionary = await importDictionary(language)
  const spell = nspell(Buffer.from(dictionary.aff))
  // nspell turns the affix file's compound rules into regexes each time words are added, from the
  // rule strings it holds; restore those strings before each slice so every slice rebuilds them.
  const internals = spell as unknown as { compoundRules: unknown[] }
  const compoundRuleSources = [...internals.compoundRules]
  const dic = Buffer.from(dictionary.dic).toString('utf8')
  // The first line of a .dic file is its word count, which nspell skips in each text it is given.
  // Slices are cut with indexOf rather than split('\n'): 371,000 strings at once block for long.
  let start = dic.indexOf('\n') + 1
  while (start > 0 && start < dic.length) {
    options.signal?.throwIfAborted()
    let end = start
    for (let n = 0; n < linesPerSlice && end !== -1; n++) end = dic.indexOf('\n', end + 1)
    internals.compoundRules = [...compoundRuleSources]
    spell.dictionary(`0\n${dic.slice(start, end === -1 ? undefined : end)}`)
    start = end === -1 ? -1 : end + 1
    await new Promise((resolve) => setImmediate(resolve))
  }
  const locale = language
  const cache = new Map<string, boolean>()
  function lookUp(word: string): boolean {
    if (spell.correct(word)) return true
    // nspell lower-cases without the locale, so "İyi" would never become "iyi".
    const lower = word.toLocaleLowerCase(locale)
    if (lower !== word && spell.correct(lower)) return true
    // "HABER" and "Haber" are known when "haber" is; a capitalised entry ("Ankara") in any case.
    const capitalised = lower.charAt(0).toLocaleUpperCase(locale) + lower.slice(1)
    return capitalised !== word && spell.correct(capitalised)
  }
  const maxCached = options.cacheMaxWords ?? SPELL_CACHE_MAX_WORDS
  return {
    language,
    isKnown(word: string): boolean {
      const cached = cache.get(word)
      if (cached !== undefined) return cached
      const known = lookUp(word)
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value as string)
      cache.set(word, known)
      return known
    },
  }
}
