import { InvalidPolicyError } from '../errors/policy.js'
import type { Limit, ResolvedLimit } from './limit.js'
import { resolveLimit } from './limit.js'

/**
 * The most the agent expects to pay, by host or route. A key is a host (`api.example.com`,
 * `127.0.0.1:8080`), a URL (`https://api.example.com/report`, the query ignored) or a URL prefix
 * ending in `*` (`https://api.example.com/reports/*`), each optionally preceded by a method
 * (`POST https://api.example.com/search`). The most specific key that matches applies: a URL
 * before a prefix (the longest first) before a host; with a method before without.
 */
export type PriceList = Readonly<Record<string, Limit>>

type PriceRule = {
  readonly key: string
  readonly method: string | undefined
  readonly kind: 'url' | 'prefix' | 'host'
  /** `origin + pathname` for a URL, the text before `*` for a prefix, the host for a host. */
  readonly target: string
  readonly limit: ResolvedLimit
}

/** A price list parsed once, when the policy is created. */
export type ResolvedPriceList = readonly PriceRule[]

/** A price the agent expects, and where it comes from. */
export type PriceExpectation = {
  readonly limit: ResolvedLimit
  /** `prices` key, or `expectPrice` for the callback. */
  readonly source: string
}

const methodPattern = /^([A-Za-z]+)\s+(\S.*)$/

/**
 * Parses a price list; a malformed key or price throws `InvalidPolicyError` now rather than at
 * the first payment.
 */
export function resolvePriceList(list: PriceList): ResolvedPriceList {
  return Object.entries(list).map(([key, price]) => {
    const match = methodPattern.exec(key)
    const method = match?.[1]?.toUpperCase()
    const rest = (match?.[2] ?? key).trim()
    const limit = resolveLimit(price, optionOf(key))
    if (!rest.includes('://')) {
      if (rest === '' || /[/\s*]/.test(rest))
        throw new InvalidPolicyError({
          option: optionOf(key),
          reason: 'the key is neither a host nor a URL',
        })
      return { key, method, kind: 'host', target: rest.toLowerCase(), limit }
    }
    if (rest.endsWith('*')) {
      const prefix = rest.slice(0, -1)
      // The prefix is compared with `origin + pathname`: normalise its origin the same way.
      const parsed = parseUrl(prefix, key)
      const target = prefix.endsWith('/') || parsed.pathname !== '/' ? href(parsed) : parsed.origin
      return { key, method, kind: 'prefix', target, limit }
    }
    return { key, method, kind: 'url', target: href(parseUrl(rest, key)), limit }
  })
}

/** The most specific rule of the list for a request, if any. */
export function matchPrice(
  list: ResolvedPriceList,
  { method, url }: { method: string; url: URL },
): PriceExpectation | undefined {
  const target = href(url)
  let best: { rule: PriceRule; score: readonly number[] } | undefined
  for (const rule of list) {
    if (rule.method !== undefined && rule.method !== method) continue
    const matches =
      rule.kind === 'url'
        ? rule.target === target
        : rule.kind === 'prefix'
          ? target.startsWith(rule.target)
          : rule.target === url.host || rule.target === url.hostname
    if (!matches) continue
    const rank = rule.kind === 'url' ? 3 : rule.kind === 'prefix' ? 2 : 1
    const score = [rank, rule.target.length, rule.method === undefined ? 0 : 1] as const
    if (!best || compare(score, best.score) > 0) best = { rule, score }
  }
  return best && { limit: best.rule.limit, source: best.rule.key }
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

function href(url: URL): string {
  return `${url.origin}${url.pathname}`
}

function parseUrl(value: string, key: string): URL {
  try {
    return new URL(value)
  } catch (cause) {
    throw new InvalidPolicyError({
      option: optionOf(key),
      reason: 'the key is not a valid URL',
      cause,
    })
  }
}

function optionOf(key: string): string {
  return `prices[${JSON.stringify(key.slice(0, 80))}]`
}
