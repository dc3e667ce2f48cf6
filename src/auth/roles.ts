import type { Role, StoryStatus } from '../store/schema.js'

/** Who is calling: a key's identity and role, or nobody (a public reader). */
export interface Principal {
  keyId: string
  name: string
  role: Role
}

/** `webhooks:any`: every owner's webhooks, not just the caller's own. `media:upload`: POST /v1/media. */
export type Action =
  | 'keys:manage'
  | 'stories:write'
  | 'drafts:read'
  | 'webhooks:manage'
  | 'webhooks:any'
  | 'media:upload'

const GRANTS: Record<Role, ReadonlySet<Action>> = {
  admin: new Set<Action>([
    'keys:manage',
    'stories:write',
    'drafts:read',
    'webhooks:manage',
    'webhooks:any',
    'media:upload',
  ]),
  editor: new Set<Action>(['stories:write', 'drafts:read', 'media:upload']),
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
