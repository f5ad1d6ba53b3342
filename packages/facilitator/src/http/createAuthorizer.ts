import { createHash } from 'node:crypto'
import type { FacilitatorHttpAnswer, FacilitatorHttpRequest } from './facilitatorExchange.js'
import { createRateLimiter, type RateLimit } from './rateLimit.js'
import { error } from './responses.js'

/** An API key, with its own rate limit if it needs one. */
export type ApiKey = string | { key: string; rateLimit?: RateLimit | undefined }

// Keys are held hashed: a heap dump or a log of this map shows no key.
const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')

/**
 * The API-key check and rate limit of the protected routes: answers `401`/`429`, or `undefined`
 * to let the request through. Keys come as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 */
export function createAuthorizer({
  apiKeys,
  rateLimit,
  now,
}: {
  apiKeys?: readonly ApiKey[] | undefined
  rateLimit?: RateLimit | undefined
  /** The rate limit's clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}): (request: Pick<FacilitatorHttpRequest, 'header'>) => FacilitatorHttpAnswer | undefined {
  const keys = new Map<string, RateLimit | undefined>()
  for (const entry of apiKeys ?? []) {
    const { key, rateLimit: own } =
      typeof entry === 'string' ? { key: entry, rateLimit: undefined } : entry
    keys.set(hashKey(key), own ?? rateLimit)
  }
  const limiter = createRateLimiter((id) => (id === '*' ? rateLimit : keys.get(id)), { now })
  const challenge = { 'www-authenticate': 'Bearer' }
  return (request) => {
    let id = '*'
    if (keys.size > 0) {
      const header = request.header('authorization')
      const key =
        request.header('x-api-key') ??
        (header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined)
      if (!key) return error(401, 'unauthorized', 'An API key is required.', {}, challenge)
      id = hashKey(key)
      if (!keys.has(id)) return error(401, 'unauthorized', 'Unknown API key.', {}, challenge)
    }
    const taken = limiter.take(id)
    if (taken.allowed) return undefined
    const retryAfter = { 'retry-after': String(taken.retryAfterSeconds) }
    return error(429, 'rate_limited', 'Too many requests.', {}, retryAfter)
  }
}
