import { toWireTime } from '../lib/time.js'
import type { PersonRow } from '../store/schema.js'
import type { Person } from './schema.js'

export function presentPerson(row: PersonRow): Person {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    avatarUrl: row.avatar_url,
    bio: row.bio,
    createdAt: toWireTime(row.created_at),
  }
}
