import { primaryLanguage } from './comment-text.js'
import type { RuleCode } from './rules.js'

/** Why a comment was refused or held, in words a reader understands, by language. */
export const REASON_WORDS = {
  en: {
    all_caps: 'written in capital letters',
    profanity: 'contains insults, swearing or attacks on beliefs',
    turkish_characters: 'written without Turkish characters',
    repeat: 'the same comment was already sent',
    spelling: 'not written with spelling rules',
    link: 'contains a link',
  },
  tr: {
    all_caps: 'büyük harflerle yazılmış',
    profanity: 'hakaret, küfür veya inançlara saldırı içeriyor',
    turkish_characters: 'Türkçe karakterler kullanılmamış',
    repeat: 'aynı yorum daha önce gönderilmiş',
    spelling: 'yazım kurallarına uygun yazılmamış',
    link: 'bağlantı içeriyor',
  },
} as const satisfies Record<string, Record<RuleCode, string>>

/**
 * The reason in the story's language where we have the words, else in English.
 * @example describeReason('all_caps', 'tr') // 'büyük harflerle yazılmış'
 */
export function describeReason(code: RuleCode, storyLanguage: string): string {
  const language = primaryLanguage(storyLanguage)
  const words = language === 'tr' ? REASON_WORDS.tr : REASON_WORDS.en
  return words[code]
}
