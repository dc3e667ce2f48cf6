import * as v from 'valibot'
import { ROLES } from '../store/schema.js'

export const RoleSchema = v.picklist(ROLES)

export const CreateKeyInput = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200)),
  role: RoleSchema,
  personId: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1, 'must not be empty')))),
})
export type CreateKeyInput = v.InferOutput<typeof CreateKeyInput>

export const EditKeyInput = v.strictObject({
  personId: v.nullable(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
})
export type EditKeyInput = v.InferOutput<typeof EditKeyInput>

export const ApiKey = v.object({
  id: v.string(),
  name: v.string(),
  role: RoleSchema,
  personId: v.nullable(v.string()),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  revokedAt: v.nullable(v.pipe(v.string(), v.isoTimestamp())),
})
export const CreatedKey = v.object({
  id: v.string(),
  name: v.string(),
  role: RoleSchema,
  personId: v.nullable(v.string()),
  key: v.string(),
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
})
export const KeyList = v.object({ items: v.array(ApiKey) })
