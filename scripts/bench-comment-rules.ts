/**
 * `npm run bench:comment-rules [-- --comments 4000]`: how long the automatic comment rules take.
 * Builds the spell checkers as the server does at startup (timing each build, and the longest the
 * event loop waited meanwhile), then times `CommentRules.evaluate` over realistic English and
 * Turkish comments (clean ones, and ones that fire each rule), and over the slowest input we know of:
 * 2,000 characters of unknown words full of letters to restore. Prints p50/p99/max wall time and the
 * mean CPU time per comment, in milliseconds (on a busy machine the wall times include waiting).
 */
import { parseArgs } from 'node:util'
import { CommentRules, type StoryToJudge } from '../src/comments/rules.js'
import { buildSpellChecker, SPELL_CHECK_LANGUAGES } from '../src/comments/spell-checker.js'

const { values } = parseArgs({ options: { comments: { type: 'string', default: '4000' } } })
const COMMENTS = Number(values.comments)

const SENTENCES = {
  en: [
    'NATO said today that the summit will go ahead as planned.',
    'Thanks for keeping us updated all night.',
    'The storm has reached our town, the power is out on our street.',
    'Is there any news about the trains to Manchester this morning?',
    "I don't think the minister's answer was good enough.",
    'Great coverage, much better than the TV channels.',
    'Scunthorpe and Penistone both report flooding near the river.',
    'Why has nobody asked about the cost of the new bridge?',
    'My thoughts are with the families of the victims.',
    'teh nwes is vrey bda tihs mornign',
    'THIS IS A DISGRACE AND EVERYONE KNOWS IT',
    'what a load of sh1t reporting',
    'Full results are on example.com/results',
    'f u c k this government',
  ],
  tr: [
    'Çok güzel bir haber, teşekkürler.',
    'Bu haber çok önemli, herkesin okuması gerekiyor.',
    "İstanbul'da yağmur sabahtan beri durmadı, trafik sıkışıklığı sürüyor.",
    "Kılıçdaroğlu ve Erdoğan bugün Ankara'da TBMM önünde görüştü.",
    'Seçim sonuçlarını buradan canlı takip ediyoruz, emeğinize sağlık.',
    'Depremden etkilenen ailelere geçmiş olsun dileklerimi iletiyorum.',
    'Sıkıntılı bir gün geçirdik, sık sık elektrik kesildi.',
    'Cumhurbaşkanı Cuma günü açıklama yapacak mı?',
    'cok guzel bir haber tesekkurler',
    'bu habr çk kötü yazlmş gerçktn ayıp',
    'ÇOK GÜZEL BİR HABER AMA GEÇ KALDINIZ',
    'siktir git buradan',
    'Ayrıntılar için haber.com.tr adresine bakın.',
    'amına koyayım böyle işin',
  ],
} as const

// A small seeded generator, so every run times the same comments.
let seed = 42
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
  return seed / 2 ** 31
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T

function comment(language: 'en' | 'tr'): string {
  const count = 1 + Math.floor(random() * 3)
  return Array.from({ length: count }, () => pick(SENTENCES[language])).join(' ')
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
const ms = (n: number) => n.toFixed(3)

// Checker builds, one at a time as CommentRules does, watching the event loop meanwhile.
for (const language of SPELL_CHECK_LANGUAGES) {
  let longestWait = 0
  let last = performance.now()
  const watch = setInterval(() => {
    const now = performance.now()
    longestWait = Math.max(longestWait, now - last)
    last = now
  }, 5)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  await buildSpellChecker(language)
  const wall = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  clearInterval(watch)
  console.log(
    `build ${language}: ${Math.round(wall)} ms wall, ${Math.round((cpu.user + cpu.system) / 1000)} ms CPU, ` +
      `longest event-loop wait ${Math.round(longestWait)} ms, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`,
  )
}

const rules = new CommentRules({ secret: 'bench-secret' })
await rules.ready()
const stories: Record<'en' | 'tr', StoryToJudge> = {
  en: { id: 'bench-en', language: 'en', comments: 'open' },
  tr: { id: 'bench-tr', language: 'tr', comments: 'open' },
}

// Warm-up, so the JIT's first compilations are not in the figures.
for (let i = 0; i < 200; i++) await rules.evaluate({ text: comment('tr'), client: `warm-${i}` }, stories.tr)

for (const language of ['en', 'tr'] as const) {
  const times: number[] = []
  const statuses: Record<string, number> = {}
  const cpuBefore = process.cpuUsage()
  for (let i = 0; i < COMMENTS / 2; i++) {
    const text = comment(language)
    const started = performance.now()
    const evaluation = await rules.evaluate({ text, client: `client-${i}` }, stories[language])
    times.push(performance.now() - started)
    statuses[evaluation.status] = (statuses[evaluation.status] ?? 0) + 1
  }
  const cpu = process.cpuUsage(cpuBefore)
  times.sort((a, b) => a - b)
  console.log(
    `evaluate ${language}: ${times.length} comments, p50 ${ms(percentile(times, 50))} ms, ` +
      `p99 ${ms(percentile(times, 99))} ms, max ${ms(times.at(-1) ?? Number.NaN)} ms, ` +
      `mean CPU ${ms((cpu.user + cpu.system) / 1000 / times.length)} ms ${JSON.stringify(statuses)}`,
  )
}

// The slowest input known: 2,000 characters of words never seen before, each unknown and full of
// letters to restore, so every look-up misses the cache until the budget runs out.
const hostileWord = () => Array.from({ length: 12 }, () => pick([...'cgiosuaer'])).join('')
const hostileTimes: number[] = []
const hostileCpuBefore = process.cpuUsage()
for (let i = 0; i < 50; i++) {
  const hostile = Array.from({ length: 160 }, hostileWord).join(' ').slice(0, 2000)
  const started = performance.now()
  await rules.evaluate({ text: hostile, client: `hostile-${i}` }, stories.tr)
  hostileTimes.push(performance.now() - started)
}
const hostileCpu = process.cpuUsage(hostileCpuBefore)
hostileTimes.sort((a, b) => a - b)
console.log(
  `evaluate tr, 2,000 characters of unknown words: p50 ${ms(percentile(hostileTimes, 50))} ms, ` +
    `p99 ${ms(percentile(hostileTimes, 99))} ms, max ${ms(hostileTimes.at(-1) ?? Number.NaN)} ms, ` +
    `mean CPU ${ms((hostileCpu.user + hostileCpu.system) / 1000 / hostileTimes.length)} ms`,
)
rules.close()
