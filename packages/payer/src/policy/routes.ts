import type { Candidate } from './candidate.js'

/** A route: method, origin and path (`GET https://api.example.com/report`); the query is left out. */
export function routeKey(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}`
}

/** The lowest price paid for a route in one asset, and when it was last paid. */
export type LearntPrice = { readonly amount: bigint; readonly at: number }

/** What the policy remembers about one route. */
export type RouteState = {
  /** The payee, network and asset of the route's first payment (lower case, CAIP-2). */
  readonly pins: { payee?: string; network?: string; asset?: string }
  /** Keyed by `network asset`. */
  readonly prices: Map<string, LearntPrice>
  /** When each payment was authorized, oldest first. */
  readonly payments: number[]
  /** When each payment the server answered with a 402 again was sent, oldest first. */
  readonly refused: number[]
}

/** Per-route memory: pins, learnt prices and rate-limit counters, bounded in size. */
export type RouteMemory = {
  get(route: string): RouteState | undefined
  /**
   * Remembers a payment being authorized: pins the route to its payee, network and asset when it
   * has none, learns its price, counts it for the rate limit. Returns a function that undoes all
   * of it (for a payment that was never signed).
   */
  record(route: string, candidate: Candidate, now: number, learnWindowMs: number): () => void
  /** Counts a payment the server answered with a 402 again. */
  refuse(route: string, now: number): void
}

export function assetKey(network: string, asset: string): string {
  return `${network} ${asset}`
}

/**
 * Creates the memory of a policy. The least recently used route is forgotten first when more than
 * `maxRoutes` are known, so an agent that visits many routes keeps a bounded state.
 */
export function createRouteMemory({
  maxRoutes = 10_000,
}: {
  maxRoutes?: number
} = {}): RouteMemory {
  const routes = new Map<string, RouteState>()

  function touch(route: string, create: true): RouteState
  function touch(route: string, create: false): RouteState | undefined
  function touch(route: string, create: boolean): RouteState | undefined {
    let state = routes.get(route)
    if (state) routes.delete(route)
    else if (create) state = { pins: {}, prices: new Map(), payments: [], refused: [] }
    if (!state) return undefined
    routes.set(route, state)
    if (routes.size > maxRoutes) routes.delete(routes.keys().next().value!)
    return state
  }

  return {
    get: (route) => touch(route, false),
    record(route, candidate, now, learnWindowMs) {
      const state = touch(route, true)
      const { pins } = state
      const network = candidate.network ?? candidate.requirements.network
      const set = {
        payee: pins.payee === undefined,
        network: pins.network === undefined,
        asset: pins.asset === undefined,
      }
      if (set.payee) pins.payee = candidate.payTo
      if (set.network) pins.network = network
      if (set.asset) pins.asset = candidate.asset

      // The reference is the lowest price paid within the window: a price that creeps up call after
      // call is compared with where it started, not with the last step.
      const key = assetKey(network, candidate.asset)
      const previous = state.prices.get(key)
      if (
        previous === undefined ||
        now - previous.at >= learnWindowMs ||
        candidate.amount <= previous.amount
      )
        state.prices.set(key, { amount: candidate.amount, at: now })

      state.payments.push(now)
      return () => {
        if (set.payee) delete pins.payee
        if (set.network) delete pins.network
        if (set.asset) delete pins.asset
        if (previous === undefined) state.prices.delete(key)
        else state.prices.set(key, previous)
        const index = state.payments.lastIndexOf(now)
        if (index !== -1) state.payments.splice(index, 1)
      }
    },
    refuse(route, now) {
      touch(route, true).refused.push(now)
    },
  }
}

/**
 * How many of `times` (ascending) lie within the window ending at `now`; older ones are dropped.
 * Also the time until the oldest one leaves the window.
 */
export function countWithin(
  times: number[],
  now: number,
  windowMs: number,
): { count: number; retryAfterMs: number } {
  while (times.length > 0 && now - times[0]! >= windowMs) times.shift()
  const oldest = times[0]
  return {
    count: times.length,
    retryAfterMs: oldest === undefined ? 0 : oldest + windowMs - now,
  }
}
