import type { Challenge } from '@tollgate/payer'

/** Challenges remembered for pre-emptive payment, per method and route. */
export type ChallengeCache = {
  get(key: string, now: number): Challenge | undefined
  set(key: string, challenge: Challenge, expiresAt: number): void
  delete(key: string): void
}

/** The cache key of a request: method, origin and path (the query does not change the price). */
export function challengeKey(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`
}

/**
 * Creates a bounded cache of challenges; an entry lives until its expiry and the oldest entry
 * goes first when the cache is full.
 */
export function createChallengeCache({
  maxEntries = 1024,
}: {
  maxEntries?: number
} = {}): ChallengeCache {
  const entries = new Map<string, { challenge: Challenge; expiresAt: number }>()
  return {
    get(key, now) {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.expiresAt <= now) {
        entries.delete(key)
        return undefined
      }
      return entry.challenge
    },
    set(key, challenge, expiresAt) {
      entries.delete(key)
      entries.set(key, { challenge, expiresAt })
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
    delete(key) {
      entries.delete(key)
    },
  }
}

/** The challenge narrowed to the one option that was paid, so a pre-emptive payment repeats it. */
export function narrowChallenge(challenge: Challenge, index: number): Challenge {
  if (challenge.x402Version === 1) {
    const accepted = challenge.paymentRequired.accepts[index]!
    return {
      x402Version: 1,
      paymentRequired: { ...challenge.paymentRequired, accepts: [accepted] },
    }
  }
  const accepted = challenge.paymentRequired.accepts[index]!
  return { x402Version: 2, paymentRequired: { ...challenge.paymentRequired, accepts: [accepted] } }
}
