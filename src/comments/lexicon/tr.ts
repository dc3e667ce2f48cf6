/**
 * Turkish words the newsroom's policy refuses: insults, swearing, slurs and attacks on beliefs.
 * Kept here (not fetched) so a change is reviewed like code.
 *
 * Patterns use obscenity's syntax: `|` marks the edge of a word, `[x]` an optional part. They are
 * written in Turkish spelling and matched after the text is lower-cased, leetspeak is resolved and
 * repeated letters are collapsed, so write a doubled letter once ("yarak" also catches "yarrrak")
 * except b, e, o, l, s, g, which may stay doubled. Each pattern is also matched in its undotted
 * spelling (ç->c, ş->s, ğ->g, ı->i, ö->o, ü->u), as it is typed on a keyboard without Turkish letters.
 * Whitelisted words are written in Turkish spelling too.
 */
export interface LexiconEntry {
  /** The headword, for logs and tests. */
  word: string
  kind: 'swearing' | 'insult' | 'slur' | 'belief'
  patterns: string[]
  /** Innocent words that contain a pattern ("Sikkim" contains "sikim" once letters are collapsed). */
  whitelist?: string[]
  /** The undotted spelling is an ordinary English word ("got", "pic"): only the Turkish one counts. */
  undottedClashesWithEnglish?: boolean
}

export const TURKISH_LEXICON: readonly LexiconEntry[] = [
  {
    word: 'siktir',
    kind: 'swearing',
    // Whole forms only: "sık" (frequent), "sıkıntı" and "sıkışık" differ from them only by the dotless ı.
    patterns: [
      '|sik|',
      '|siktir',
      '|sikerim',
      '|sikeyim',
      '|sikiyim',
      '|sikim|',
      '|sikimi',
      '|sikik',
      '|sikiş',
      '|siktiğim',
      '|sikecem',
      '|sikicem',
      '|sikeceğim',
      '|sikini',
    ],
    whitelist: ['sikkim'],
  },
  {
    word: 'amına koyayım',
    kind: 'swearing',
    patterns: ['|amına', '|amını', '|amk|', '|amq|', '|aq|', '|amcık'],
  },
  { word: 'orospu', kind: 'insult', patterns: ['|orospu', '|orosbu'] },
  { word: 'oç', kind: 'insult', patterns: ['|oç|'], undottedClashesWithEnglish: true },
  { word: 'yarrak', kind: 'swearing', patterns: ['|yarak', '|yarağ'] },
  {
    word: 'göt',
    kind: 'insult',
    // Not "götür-" (to take), the commonest verb that starts with it.
    patterns: ['|göt|', '|götün', '|götüne', '|götveren', '|gotveren', '|götlek'],
    undottedClashesWithEnglish: true,
  },
  {
    word: 'piç',
    kind: 'insult',
    patterns: ['|piç|', '|piçin', '|piçler', '|piç kurusu'],
    undottedClashesWithEnglish: true,
  },
  { word: 'pezevenk', kind: 'insult', patterns: ['|pezevenk'] },
  { word: 'kahpe', kind: 'insult', patterns: ['|kahpe'] },
  // Whole words: the undotted "pust" starts the English "pustule".
  { word: 'puşt', kind: 'insult', patterns: ['|puşt|', '|puştlar', '|puştun'] },
  { word: 'yavşak', kind: 'insult', patterns: ['|yavşak'] },
  { word: 'kaltak', kind: 'insult', patterns: ['|kaltak'] },
  // "sürttük" (we rubbed) collapses to it.
  { word: 'sürtük', kind: 'insult', patterns: ['|sürtük'], whitelist: ['sürttük'] },
  { word: 'şerefsiz', kind: 'insult', patterns: ['|şerefsiz'] },
  { word: 'namussuz', kind: 'insult', patterns: ['|namussuz'] },
  { word: 'gerizekalı', kind: 'insult', patterns: ['|gerizekalı', '|geri zekalı'] },
  { word: 'salak', kind: 'insult', patterns: ['|salak|', '|salaklar', '|salağ'] },
  { word: 'aptal', kind: 'insult', patterns: ['|aptal|', '|aptallar'] },
  { word: 'dangalak', kind: 'insult', patterns: ['|dangalak'] },
  { word: 'beyinsiz', kind: 'insult', patterns: ['|beyinsiz'] },
  { word: 'ibne', kind: 'slur', patterns: ['|ibne'] },
  { word: 'Ermeni dölü', kind: 'slur', patterns: ['|ermeni dölü', '|kürt dölü', '|yahudi dölü'] },
  { word: 'gavur', kind: 'belief', patterns: ['|gavur'] },
  { word: 'kafir', kind: 'belief', patterns: ['|kafir|', '|kafirler'] },
  { word: 'yobaz', kind: 'belief', patterns: ['|yobaz'] },
  { word: 'dinsiz', kind: 'belief', patterns: ['|dinsiz', '|imansız', '|allahsız'] },
]
