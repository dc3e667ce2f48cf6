import type { Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'

/** What every handler finds on `c.var`. */
export interface AppEnv {
  Variables: {
    deps: Deps
    requestId: string
    /** null for a public reader (no key). */
    principal: Principal | null
    /** LIVELINE_PUBLIC_URL without a trailing slash, or null to use the request's own origin. */
    publicUrl: string | null
  }
}
