/**
 * Text forms the comment rules compare: each rule reads the text the way a reader would, not
 * byte for byte, so that a disguise ("F U C K", "ÇOK", "s1ktir") cannot slip past.
 */

/** Lower-cases as Turkish does (I -> ı, İ -> i), which is also correct for every other letter. */
export function turkishLower(text: string): string {
  return text.toLocaleLowerCase('tr')
}

/**
 * Lower-case, without accents. `keep` maps Turkish letters to stand-ins that survive: Turkish has
 * two i's ("sık", frequent, and "sik", a swear word), and a matcher that must tell them apart maps ı
 * to a letter Turkish never uses. Letters not in `keep` lose their marks (ç -> c); ı becomes i.
 */
export function foldLetters(text: string, keep: Readonly<Record<string, string>> = {}): string {
  let folded = text.toLocaleLowerCase('tr')
  for (const [letter, standIn] of Object.entries(keep)) folded = folded.replaceAll(letter, standIn)
  return folded.normalize('NFD').replace(/\p{M}/gu, '').replaceAll('ı', 'i')
}

/** The fewest single letters in a row that `joinSpacedLetters` reads as one spaced-out word. */
export const SPACED_WORD_MIN_LETTERS = 3

// One letter (or a leetspeak digit/sign), separated from the next by up to three spaces or marks.
const SPACED_LETTERS = new RegExp(
  `(?<![\\p{L}\\p{N}])[\\p{L}\\p{N}@$](?:[\\s._*·,+~|/\\\\-]{1,3}[\\p{L}\\p{N}@$](?![\\p{L}\\p{N}])){${SPACED_WORD_MIN_LETTERS - 1},}`,
  'gu',
)
const SPACED_SEPARATORS = /[\s._*·,+~|/\\-]+/g

/**
 * Joins letters written apart ("f u c k", "s.i.k") into the word they spell, so a matcher sees it.
 * Runs shorter than `SPACED_WORD_MIN_LETTERS` stay apart: "I a" or "o, a" are ordinary words.
 * @example joinSpacedLetters('you f u c k i n g idiot') // 'you fucking idiot'
 */
export function joinSpacedLetters(text: string): string {
  return text.replace(SPACED_LETTERS, (run) => run.replace(SPACED_SEPARATORS, ''))
}

const URL_LIKE = /\b(?:https?:\/\/|www\.)\S+/giu
const MENTION_OR_TAG = /[@#][\p{L}\p{N}_]+/gu
const WORD = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu
const SENTENCE_ENDS = '.!?…:'

/** A word of the comment and whether it opens a sentence (a capital there is not a proper noun). */
export interface CommentWord {
  text: string
  startsSentence: boolean
}

/**
 * The words of a comment for spell checking: links, @mentions and #tags left out, and words glued
 * to digits ("3x", "2026'da") skipped, since no dictionary knows them.
 */
export function wordsOf(text: string): CommentWord[] {
  const clean = text.replace(URL_LIKE, ' ').replace(MENTION_OR_TAG, ' ').replaceAll('’', "'")
  const words: CommentWord[] = []
  for (const match of clean.matchAll(WORD)) {
    const start = match.index
    const end = start + match[0].length
    if (/\p{N}/u.test(clean[start - 1] ?? '') || /\p{N}/u.test(clean[end] ?? '')) continue
    // The last mark before the word, looking back over spaces only (a regex over the whole prefix
    // would make a long comment quadratic).
    let at = start - 1
    while (at >= 0 && /\s/u.test(clean[at] as string)) at--
    words.push({ text: match[0], startsSentence: at < 0 || SENTENCE_ENDS.includes(clean[at] as string) })
  }
  return words
}

/**
 * The text as "the same text" means it: case, spacing and punctuation ignored, so "Great news!!"
 * repeats "great news".
 */
export function normaliseForRepeat(text: string): string {
  return foldLetters(text, { ı: 'ı' })
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** The primary subtag of a story's BCP 47 language: `pt-BR` -> `pt`. */
export function primaryLanguage(tag: string): string {
  return (tag.split('-')[0] ?? '').toLowerCase()
}
