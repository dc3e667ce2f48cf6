import * as v from 'valibot'
import { beforeAll, describe, expect, it } from 'vitest'
import { clientAddressPrefix, clientKey } from '../../src/comments/client-key.js'
import { joinSpacedLetters } from '../../src/comments/comment-text.js'
import { createProfanityMatcher } from '../../src/comments/profanity-matcher.js'
import { describeReason, REASON_WORDS } from '../../src/comments/reasons.js'
import { createMemoryRepeatStore, type RepeatStore, repeatKey } from '../../src/comments/repeat-store.js'
import {
  allCaps,
  CommentRules,
  link,
  profanity,
  RULE_CODES,
  readWords,
  repeat,
  type StoryToJudge,
  spelling,
  turkishCharacters,
} from '../../src/comments/rules.js'
import { CreateCommentInput } from '../../src/comments/schema.js'
import { buildSpellChecker, type SpellChecker } from '../../src/comments/spell-checker.js'
import { issueDetails } from '../../src/http/validate.js'

const secret = 'unit-test-secret-0123456789abcdef'
const matcher = createProfanityMatcher()

// Building the Turkish checker takes seconds of CPU (more on a busy machine): once per file.
let rules: CommentRules
let en: SpellChecker
let tr: SpellChecker
beforeAll(async () => {
  rules = new CommentRules({ secret })
  await rules.ready()
  en = rules.checkerFor('en')!
  tr = rules.checkerFor('tr')!
}, 180_000)

const trStory = (comments: 'open' | 'moderated' = 'open'): StoryToJudge => ({
  id: `tr-${Math.random()}`,
  language: 'tr',
  comments,
})
const enStory = (comments: 'open' | 'moderated' = 'open'): StoryToJudge => ({
  id: `en-${Math.random()}`,
  language: 'en',
  comments,
})

describe('all_caps', () => {
  it.each([
    'ÇOK GÜZEL BİR HABER AMA GEÇ KALDINIZ',
    'THIS IS A DISGRACE, THE MINISTER MUST RESIGN NOW!!!',
    "İSTANBUL'DA ISINMA SORUNU BÜYÜYOR",
    'Bu NE BİÇİM HABERCİLİK, UTANIN',
  ])('fires on text written in capitals: %s', (text) => {
    expect(allCaps(text)).toBe('fired')
  })

  it.each([
    'NATO said today that the summit will go ahead as planned.',
    'TBMM bugün toplandı ve bütçeyi görüştü, AB ve ABD heyetleri de oradaydı.',
    'Çok güzel bir haber',
    'OK!',
    'TAMAM',
  ])('passes ordinary text, acronyms and short words: %s', (text) => {
    expect(allCaps(text)).toBe('passed')
  })

  it('counts the Turkish capital İ as a capital and the dotless ı as a small letter', () => {
    expect(allCaps('İİİİİ İİİİİ', { minLetters: 10 })).toBe('fired')
    expect(allCaps('ıııı ıııı ıı', { minLetters: 10 })).toBe('passed')
    expect(allCaps('IĞDIR ILICA IRMAK')).toBe('fired')
  })
})

describe('profanity', () => {
  it.each([
    'You are a fucking idiot',
    'fuuuuuck this government',
    'what a load of sh1t',
    'f u c k you all',
    'f.u.c.k the press',
    'hello bitch',
  ])('fires on English swearing, also disguised: %s', (text) => {
    expect(profanity(matcher, text)).toBe('fired')
  })

  it.each([
    'Siktir git buradan',
    'S İ K T İ R',
    'SIKTIR',
    's i k',
    's1kt1r lan',
    'amına koyayım böyle işin',
    'aq bu ne biçim haber',
    'orospu çocukları',
    'yarrrrak gibi haber',
    'gerizekalı yazar',
    'geri zekalı misin',
    'şerefsiz herif',
    'Ermeni dölü',
    'gavurlar defolsun',
    'dinsiz imansız yobazlar',
    'göt herif',
    'puşt',
  ])('fires on Turkish insults, swearing, slurs and attacks on beliefs: %s', (text) => {
    expect(profanity(matcher, text)).toBe('fired')
  })

  it.each([
    'Scunthorpe United won 2-0 last night',
    'The bypass at Penistone is closed after the crash',
    'Flooding reported in Shitterton, Dorset',
    'The ferry to Twatt is cancelled',
    'Sikkim ve Nepal sınırında deprem',
    "Amasya'da yağmur bekleniyor",
    'Trafik sıkışıklığı sabahtan beri sürüyor',
    'Sıkıntılı bir gün geçirdik, sık sık elektrik kesildi',
    'Cumhurbaşkanı Cuma günü konuştu, Cumartesi analiz yayımlanacak',
    'Eşyaları hemen götürdüler',
    'Olağanüstü bir okyanus manzarası; analık izni açıklanalı iki gün oldu, Adanalı gençler sevindi',
    'Cunta dönemini yaşayan fukara aileler, duvağına dokunmadı',
    'Kapıyı aç, içeri gel',
    'I got the update, nice pic',
    'Ow, that hurt',
    'The rash turned into a pustule',
    'Allah razı olsun, amin',
    'Bu haber çok önemli, teşekkürler',
  ])('leaves innocent words and place names alone: %s', (text) => {
    expect(profanity(matcher, text)).toBe('passed')
  })

  it('joins letters written apart but leaves ordinary one-letter words alone', () => {
    expect(joinSpacedLetters('you f u c k i n g idiot')).toBe('you fucking idiot')
    expect(joinSpacedLetters('s-i-k-t-i-r')).toBe('siktir')
    expect(joinSpacedLetters('Was I a fool? O, a dream')).toBe('Was I a fool? O, a dream')
  })
})

describe('turkish_characters', () => {
  it.each(['cok guzel bir haber', 'Bu haber cok onemli, tesekkurler', "Istanbul'da yagmur var", 'COK GUZEL'])(
    'fires on a Turkish story written without Turkish letters: %s',
    (text) => {
      expect(turkishCharacters(text, 'tr', tr)).toBe('fired')
    },
  )

  it.each([
    'Çok güzel bir haber',
    'Bu haber çok önemli, teşekkürler',
    "İstanbul'da yağmur var",
    'ÇOK GÜZEL',
    'Kılıçdaroğlu ve Erdoğan bugün Ankara’da görüştü.',
    // One slip in a long comment is forgiven (TURKISH_CHARACTERS_MIN_RATIO).
    'Bu haber gerçekten çok önemli, yazan arkadaşlara ve emeği geçen herkese çok tesekkurler diliyorum.',
  ])('passes Turkish written with its letters: %s', (text) => {
    expect(turkishCharacters(text, 'tr', tr)).toBe('passed')
  })

  it('spends a bounded number of look-ups on a comment, and past them holds rather than guesses', () => {
    const unknownWords = 'xqcgosu qzcgisu wqcuigos zxsogcu qwgsuoic xcgoqsu'
    const reading = readWords(unknownWords, tr, { maxLookups: 20 })
    expect(reading.unresolved).toBeGreaterThan(0)
    expect(turkishCharacters(unknownWords, 'tr', tr, { reading })).toBe('undecided')
    expect(turkishCharacters(unknownWords, 'tr', tr)).toBe('passed')
  })

  it('leaves English on a Turkish story to the spelling rule, though "is" reads as "iş"', () => {
    const english = 'This is really good news, thanks for the live coverage'
    expect(turkishCharacters(english, 'tr', tr)).toBe('passed')
    expect(spelling(english, 'tr', tr)).toBe('fired')
  })

  it('applies to Turkish stories only, and cannot decide without the Turkish checker', () => {
    expect(turkishCharacters('cok guzel', 'en', tr)).toBe('passed')
    expect(turkishCharacters('cok guzel', 'tr-TR', tr)).toBe('fired')
    expect(turkishCharacters('cok guzel', 'tr', undefined)).toBe('undecided')
    expect(turkishCharacters('cok guzel', 'tr', en)).toBe('undecided')
  })
})

describe('spelling', () => {
  it('holds a comment with many misspelled words, in English and in Turkish', () => {
    expect(spelling('teh nwes is vrey bda tihs mornign', 'en', en)).toBe('fired')
    expect(spelling('bu habr çk kötü yazlmş gerçktn ayıp', 'tr', tr)).toBe('fired')
  })

  it('passes correct text, proper nouns, acronyms and short comments', () => {
    expect(spelling('NATO said today that the summit will go ahead as planned.', 'en', en)).toBe('passed')
    expect(spelling("I don't think the minister's answer was good enough.", 'en-GB', en)).toBe('passed')
    expect(spelling('Kılıçdaroğlu ve Erdoğan bugün Ankara’da TBMM önünde görüştü.', 'tr', tr)).toBe('passed')
    expect(spelling('gr8 thx m8', 'en', en)).toBe('passed')
  })

  it('does not count words written without Turkish letters: that is turkish_characters', () => {
    expect(spelling('bu haber cok onemli tesekkurler', 'tr', tr)).toBe('passed')
  })

  it('cannot decide for a language without a dictionary or before its checker is built', () => {
    expect(spelling('Das ist eine sehr gute Nachricht', 'de', en)).toBe('undecided')
    expect(spelling('This is very good news today', 'en', undefined)).toBe('undecided')
  })
})

describe('link', () => {
  it.each([
    'Read more at https://example.com/x',
    'see www.example.org',
    'kampanya: bit.ly/abc123',
    'haber.com.tr/son-dakika adresinde',
    'Details at example.com.',
    'ftp://files.example.net',
  ])('fires on a URL: %s', (text) => {
    expect(link(text)).toBe('fired')
  })

  it.each([
    'Bitti.Ama neden bu kadar geç?',
    "Saat 14.30'da açıklama yapılacak",
    'U.S. officials said e.g. this is fine',
    'write to editor@example.com',
    'Dr. Smith said no.',
  ])('passes text without a URL: %s', (text) => {
    expect(link(text)).toBe('passed')
  })
})

describe('repeat', () => {
  it('fires on the same text from the same client on the same story within the window', async () => {
    let now = 1_000_000
    const store = createMemoryRepeatStore({ now: () => now })
    const client = clientKey(secret, '203.0.113.7')
    const key = (story: string, who: string, text: string) => repeatKey(secret, story, who, text)
    expect(await repeat(store, key('s1', client, 'Great news, thanks!'))).toBe('passed')
    expect(await repeat(store, key('s1', client, 'great   news thanks'))).toBe('fired')
    expect(await repeat(store, key('s2', client, 'Great news, thanks!'))).toBe('passed')
    expect(await repeat(store, key('s1', clientKey(secret, '203.0.113.8'), 'Great news, thanks!'))).toBe(
      'passed',
    )
    expect(await repeat(store, key('s1', client, 'Another comment'))).toBe('passed')
    now += 10 * 60_000 + 1
    expect(await repeat(store, key('s1', client, 'Great news, thanks!'))).toBe('passed')
  })

  it('forgets a comment that was never stored, so sending it again is no repeat', async () => {
    const store = createMemoryRepeatStore()
    expect(await repeat(store, 'k')).toBe('passed')
    await store.forget('k')
    expect(await repeat(store, 'k')).toBe('passed')
    expect(await repeat(store, 'k')).toBe('fired')
  })

  it('keeps the in-process store within its bound, forgetting the oldest first', async () => {
    const store = createMemoryRepeatStore({ maxEntries: 3 })
    for (const key of ['a', 'b', 'c', 'd']) await store.seen(key, 60_000)
    expect(store.size).toBe(3)
    expect(await store.seen('d', 60_000)).toBe(true)
    expect(await store.seen('a', 60_000)).toBe(false)
  })

  it('cannot decide when its store fails, so the comment is held rather than rejected', async () => {
    const broken: RepeatStore = {
      seen: async () => Promise.reject(new Error('connection refused')),
      forget: async () => {},
    }
    expect(await repeat(broken, 'k')).toBe('undecided')
  })
})

describe('CommentRules.evaluate', () => {
  const client = clientKey(secret, '198.51.100.1')

  it('publishes a clean comment at once on an open story', async () => {
    expect(await rules.evaluate({ text: 'Çok güzel bir haber', client }, trStory())).toEqual({
      status: 'published',
      reasons: [],
      undecided: [],
    })
    expect(
      await rules.evaluate({ text: 'NATO said today that the summit will go ahead.', client }, enStory()),
    ).toMatchObject({ status: 'published', reasons: [] })
  })

  it('holds every comment on a moderated story', async () => {
    expect(
      await rules.evaluate({ text: 'Bu haber çok önemli, teşekkürler', client }, trStory('moderated')),
    ).toEqual({
      status: 'pending',
      reasons: [],
      undecided: [],
    })
  })

  it('holds a comment with a link or many misspellings for an editor', async () => {
    expect(
      await rules.evaluate({ text: 'Ayrıntılar için: https://example.com', client }, trStory()),
    ).toMatchObject({
      status: 'pending',
      reasons: ['link'],
    })
    expect(
      await rules.evaluate({ text: 'teh nwes is vrey bda tihs mornign', client }, enStory()),
    ).toMatchObject({
      status: 'pending',
      reasons: ['spelling'],
    })
  })

  it('rejects when a rejecting rule fires, naming every rule that fired', async () => {
    expect(await rules.evaluate({ text: 'cok guzel bir haber', client }, trStory())).toMatchObject({
      status: 'rejected',
      reasons: ['turkish_characters'],
    })
    expect(
      await rules.evaluate(
        { text: 'SİKTİR GİT, ŞEREFSİZ HERİF! https://spam.example.com', client },
        trStory(),
      ),
    ).toMatchObject({ status: 'rejected', reasons: ['all_caps', 'profanity', 'link'] })
    const story = enStory('moderated')
    await rules.evaluate({ text: 'Thanks for the coverage', client }, story)
    expect(await rules.evaluate({ text: 'thanks for the coverage!', client }, story)).toMatchObject({
      status: 'rejected',
      reasons: ['repeat'],
    })
  })

  it('holds, never rejects, while a checker is missing', async () => {
    const englishOnly = new CommentRules({ secret, languages: ['en'] })
    await englishOnly.ready()
    expect(await englishOnly.evaluate({ text: 'cok guzel bir haber', client }, trStory())).toEqual({
      status: 'pending',
      reasons: [],
      undecided: ['turkish_characters', 'spelling'],
    })
    expect(
      await englishOnly.evaluate(
        { text: 'Sehr gute Nachrichten heute', client },
        { ...enStory(), language: 'de' },
      ),
    ).toMatchObject({ status: 'pending', undecided: ['spelling'] })
  })

  it('decides before the checkers are built, holding what needs them', async () => {
    const loading = new CommentRules({ secret })
    const evaluation = await loading.evaluate({ text: 'Çok güzel bir haber', client }, trStory())
    loading.close()
    expect(evaluation).toEqual({
      status: 'pending',
      reasons: [],
      undecided: ['turkish_characters', 'spelling'],
    })
    const rejected = await loading.evaluate({ text: 'siktir git', client }, trStory())
    expect(rejected.status).toBe('rejected')
  })

  it('with loadOnFirstUse, builds nothing until a comment needs it, which then waits for the build', async () => {
    const lazy = new CommentRules({ secret, languages: ['en'], loadOnFirstUse: true, firstUseWaitMs: 60_000 })
    expect(lazy.checkerFor('en')).toBeUndefined()
    const evaluation = await lazy.evaluate({ text: 'Thank you for this clear report', client }, enStory())
    expect(lazy.checkerFor('en')?.language).toBe('en')
    expect(evaluation).toEqual({ status: 'published', reasons: [], undecided: [] })
  })

  it('with loadOnFirstUse, holds the first comments when the build outlasts the wait', async () => {
    const lazy = new CommentRules({ secret, languages: ['tr'], loadOnFirstUse: true, firstUseWaitMs: 1 })
    const evaluation = await lazy.evaluate({ text: 'Çok güzel bir haber', client }, trStory())
    lazy.close()
    expect(evaluation).toMatchObject({ status: 'pending', undecided: ['turkish_characters', 'spelling'] })
  })
})

describe('reasons in plain words', () => {
  it('speaks the story language where we have the words, English otherwise', () => {
    expect(describeReason('all_caps', 'tr')).toBe('büyük harflerle yazılmış')
    expect(describeReason('all_caps', 'tr-TR')).toBe('büyük harflerle yazılmış')
    expect(describeReason('all_caps', 'en')).toBe('written in capital letters')
    expect(describeReason('turkish_characters', 'de')).toBe('written without Turkish characters')
    for (const code of RULE_CODES) {
      expect(REASON_WORDS.en[code]).toBeTruthy()
      expect(REASON_WORDS.tr[code]).toBeTruthy()
    }
  })
})

describe('CreateCommentInput', () => {
  const parse = (input: unknown) => v.safeParse(CreateCommentInput, input)
  const details = (input: unknown) => {
    const result = parse(input)
    return result.success ? null : issueDetails(result.issues)
  }

  it('normalises to NFC and trims', () => {
    const result = parse({ name: '  Zoe\u0308  ', text: '\n Cafe\u0301 haberi güzel \r\n' })
    expect(result.success && result.output).toEqual({ name: 'Zoë', text: 'Café haberi güzel' })
  })

  it('takes a name of 1-60 and a text of 1-2000 characters, counting an emoji as one', () => {
    expect(parse({ name: 'a'.repeat(60), text: '👍'.repeat(2000) }).success).toBe(true)
    expect(details({ name: 'a'.repeat(61), text: 'ok' })).toEqual({
      name: 'name must be at most 60 characters',
    })
    expect(details({ name: 'Ayşe', text: 'x'.repeat(2001) })).toEqual({
      text: 'text must be at most 2000 characters',
    })
    expect(details({ name: '   ', text: 'ok' })).toEqual({ name: 'name must not be empty' })
    expect(details({ name: 'Ayşe', text: 42 })).toEqual({ text: 'text must be a string' })
    expect(parse({ name: 'Ayşe', text: 'ok', extra: 1 }).success).toBe(false)
  })

  it('refuses control characters, except line breaks and tabs in the text', () => {
    expect(parse({ name: 'Ayşe', text: 'first line\nsecond\tline' }).success).toBe(true)
    expect(details({ name: 'Ay\nşe', text: 'ok' })).toEqual({
      name: 'name must not contain control characters',
    })
    expect(details({ name: 'Ayşe', text: 'bell\u0007' })).toEqual({
      text: 'text must not contain control characters other than line breaks and tabs',
    })
  })

  it('refuses bidirectional override and isolate characters with a clear message', () => {
    for (const char of ['\u202a', '\u202e', '\u2066', '\u2069']) {
      expect(details({ name: 'Ayşe', text: `see ${char}moc.elgoog` })).toEqual({
        text: 'text must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)',
      })
    }
    expect(details({ name: `\u202eesyA`, text: 'ok' })).toHaveProperty('name')
  })
})

describe('client keys', () => {
  it('identify an IPv4 client by its address and an IPv6 client by its /64', () => {
    expect(clientAddressPrefix('203.0.113.7')).toBe('203.0.113.7')
    expect(clientAddressPrefix('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(clientAddressPrefix('2001:db8:1:2:aaaa::1')).toBe('2001:0db8:0001:0002::/64')
    expect(clientAddressPrefix('2001:DB8:1:2::9%eth0')).toBe('2001:0db8:0001:0002::/64')
    expect(clientKey(secret, '2001:db8:1:2::1')).toBe(clientKey(secret, '2001:db8:1:2:ffff::2'))
    expect(clientKey(secret, '203.0.113.7')).not.toContain('203')
  })
})

describe('building a spell checker', () => {
  it('yields to the event loop between slices, so a server building it keeps answering', async () => {
    let turns = 0
    const timer = setInterval(() => turns++, 1)
    const checker = await buildSpellChecker('en', { linesPerSlice: 2000 })
    clearInterval(timer)
    expect(checker.isKnown('meeting')).toBe(true)
    expect(checker.isKnown('meetign')).toBe(false)
    // 49,569 lines in slices of 2,000: the timer runs between them.
    expect(turns).toBeGreaterThanOrEqual(10)
  })
})
