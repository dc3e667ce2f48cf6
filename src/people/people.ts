import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import type { Queryable } from '../store/db.js'
import type { PersonRow } from '../store/schema.js'
import { presentPerson } from './present.js'
import type { CreatePersonInput, EditPersonInput, Person } from './schema.js'

/** The desk's people, for bylines. A newsroom has dozens, not thousands: the list is not paged. */
export const MAX_PEOPLE_LISTED = 1000

export async function createPerson(deps: Deps, input: CreatePersonInput): Promise<Person> {
  const row = await deps.db
    .insertInto('people')
    .values({
      id: deps.newId(),
      name: input.name,
      title: input.title || null,
      avatar_url: input.avatarUrl || null,
      bio: input.bio || null,
      created_at: deps.clock(),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return presentPerson(row)
}

export async function listPeople(deps: Deps): Promise<{ items: Person[] }> {
  const rows = await deps.db
    .selectFrom('people')
    .selectAll()
    .orderBy('name')
    .orderBy('id')
    .limit(MAX_PEOPLE_LISTED)
    .execute()
  return { items: rows.map(presentPerson) }
}

/** The person row, or undefined. */
export async function findPersonRow(db: Queryable, id: string): Promise<PersonRow | undefined> {
  return db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getPerson(deps: Deps, id: string): Promise<Person> {
  const row = await findPersonRow(deps.db, id)
  if (!row) throw new AppError('not_found', `person ${id} does not exist`)
  return presentPerson(row)
}

/** Changes a person; updates already published keep the byline they were published with. */
export async function editPerson(deps: Deps, id: string, input: EditPersonInput): Promise<Person> {
  const patch: Partial<Omit<PersonRow, 'id' | 'created_at'>> = {}
  if (input.name !== undefined) patch.name = input.name
  if (input.title !== undefined) patch.title = input.title || null
  if (input.avatarUrl !== undefined) patch.avatar_url = input.avatarUrl || null
  if (input.bio !== undefined) patch.bio = input.bio || null
  const row = await deps.db
    .updateTable('people')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
  if (!row) throw new AppError('not_found', `person ${id} does not exist`)
  return presentPerson(row)
}

/** Deletes a person: their keys post under the key's own name again; published bylines stay. */
export async function deletePerson(deps: Deps, id: string): Promise<void> {
  const row = await deps.db.deleteFrom('people').where('id', '=', id).returning('id').executeTakeFirst()
  if (!row) throw new AppError('not_found', `person ${id} does not exist`)
}
