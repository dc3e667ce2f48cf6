/** Error responses most routes share, for the OpenAPI document. */
export const UNAUTHORIZED = { 401: { description: 'Missing, invalid or revoked API key' } }
export const FORBIDDEN = { 403: { description: 'The key\u2019s role may not do this' } }
export const INVALID = {
  400: { description: 'Validation failed (`invalid_request`, `details` names each bad field)' },
}
export const STORY_NOT_FOUND = { 404: { description: 'No such story, or a draft the caller may not see' } }
export const UNAVAILABLE = { 503: { description: 'Database unavailable; retry after `Retry-After` seconds' } }
