/** A token bucket: `requestsPerSecond` sustained, `burst` at once. */
export type RateLimit = {
  requestsPerSecond: number
  /** @default requestsPerSecond */
  burst?: number | undefined
}

/** Token buckets per caller id. */
export type RateLimiter = {
  /** Takes a token for `id`; returns the seconds to wait when there is none. */
  take(id: string): { allowed: true } | { allowed: false; retryAfterSeconds: number }
}

/** Token buckets keyed by id (an API key), refilled continuously. */
export function createRateLimiter(
  limitOf: (id: string) => RateLimit | undefined,
  { now = Date.now }: { now?: (() => number) | undefined } = {},
): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>()
  return {
    take(id) {
      const limit = limitOf(id)
      if (!limit) return { allowed: true }
      const burst = limit.burst ?? limit.requestsPerSecond
      const time = now()
      const bucket = buckets.get(id) ?? { tokens: burst, at: time }
      bucket.tokens = Math.min(
        burst,
        bucket.tokens + ((time - bucket.at) / 1000) * limit.requestsPerSecond,
      )
      bucket.at = time
      buckets.set(id, bucket)
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return { allowed: true }
      }
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond)),
      }
    },
  }
}
