import * as v from 'valibot'

export const MAX_PERSON_NAME = 200
export const MAX_PERSON_TITLE = 200
export const MAX_PERSON_BIO = 2000
const MAX_AVATAR_URL = 2048

const isHttpUrl = (value: string) => {
  try {
    const { protocol } = new URL(value)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}

const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_PERSON_NAME))
const Title = v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(MAX_PERSON_TITLE)))
// Only http(s): the avatar is an <img src> on readers' pages.
const AvatarUrl = v.nullable(
  v.pipe(
    v.string(),
    v.trim(),
    v.maxLength(MAX_AVATAR_URL),
    v.url('must be a URL'),
    v.check(isHttpUrl, 'must be an http or https URL'),
  ),
)
const Bio = v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(MAX_PERSON_BIO)))

export const CreatePersonInput = v.strictObject({
  name: Name,
  title: v.optional(Title),
  avatarUrl: v.optional(AvatarUrl),
  bio: v.optional(Bio),
})
export type CreatePersonInput = v.InferOutput<typeof CreatePersonInput>

export const EditPersonInput = v.pipe(
  v.strictObject({
    name: v.optional(Name),
    title: v.optional(Title),
    avatarUrl: v.optional(AvatarUrl),
    bio: v.optional(Bio),
  }),
  v.check((input) => Object.keys(input).length > 0, 'give at least one of name, title, avatarUrl, bio'),
)
export type EditPersonInput = v.InferOutput<typeof EditPersonInput>

export const Person = v.object({
  id: v.string(),
  name: v.string(),
  title: v.nullable(v.string()),
  avatarUrl: v.nullable(v.string()),
  bio: v.nullable(v.string()),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
})
export type Person = v.InferOutput<typeof Person>

export const PersonList = v.object({ items: v.array(Person) })
