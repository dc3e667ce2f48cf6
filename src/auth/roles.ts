import type { Role, StoryStatus } from '../store/schema.js'

/** Who is calling: a key's identity and role, or nobody (a public reader). */
export interface Principal {
  keyId: string
  name: string
  role: Role
  /** The person the key posts as (its byline); null or absent: the key's own name. */
  personId?: string | null
}

/**
 * `webhooks:any`: every owner's webhooks, not just the caller's own. `updates:submit`: post updates
 * that wait for an editor (and edit or withdraw one's own submissions); `stories:write` publishes.
 * `media:upload`: POST /v1/media.
 */
export type Action =
  | 'keys:manage'
  | 'stories:write'
  | 'updates:submit'
  | 'people:write'
  | 'drafts:read'
  | 'webhooks:manage'
  | 'webhooks:any'
  | 'media:upload'

const GRANTS: Record<Role, ReadonlySet<Action>> = {
  admin: new Set<Action>([
    'keys:manage',
    'stories:write',
    'updates:submit',
    'people:write',
    'drafts:read',
    'webhooks:manage',
    'webhooks:any',
    'media:upload',
  ]),
  editor: new Set<Action>(['stories:write', 'updates:submit', 'people:write', 'drafts:read', 'media:upload']),
  contributor: new Set<Action>(['updates:submit', 'media:upload']),
  partner: new Set<Action>(['webhooks:manage']),
}

/** @example can(principal, 'stories:write') */
export function can(principal: Principal | null, action: Action): boolean {
  return principal !== null && GRANTS[principal.role].has(action)
}

/** Drafts are newsroom-internal: public readers and partners see live and ended stories only. */
export function canSeeStory(principal: Principal | null, status: StoryStatus): boolean {
  return status !== 'draft' || can(principal, 'drafts:read')
}
