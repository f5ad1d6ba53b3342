import type { RateLimitRefusal, Refusal } from '../errors/policy.js'
import { describeAmount } from '../errors/policy.js'
import type { Candidate } from './candidate.js'
import type { AgentClaim } from './identity.js'
import type { ResolvedLimit } from './limit.js'
import { incomparable, limitInAtomicUnits } from './limit.js'
import type { PriceExpectation } from './prices.js'
import type { ResourceBinding } from './resource.js'
import { resourceMismatch } from './resource.js'
import type { RouteState } from './routes.js'
import { assetKey, countWithin } from './routes.js'

/** An asset the agent pays with, as the policy resolved it. */
export type ResolvedAssetRule = {
  readonly network: string
  readonly address: string
  readonly decimals: number | undefined
  readonly eip712: { readonly name: string; readonly version: string } | undefined
}

/** Allow- and deny-lists of payees (lower case). */
export type ResolvedPayeeRule = {
  readonly allow: ReadonlySet<string> | undefined
  readonly deny: ReadonlySet<string>
}

/** The policy's rules, parsed once. */
export type ResolvedPolicy = {
  /** Pay plain-`http` URLs on hosts that are not loopback. */
  readonly allowHttp: boolean
  readonly networks: ReadonlySet<string> | undefined
  readonly assets: readonly ResolvedAssetRule[] | undefined
  readonly maxPerRequest: ResolvedLimit | undefined
  readonly payees: ResolvedPayeeRule
  /** Per host (`api.example.com` or `host:port`). */
  readonly hostPayees: ReadonlyMap<string, ResolvedPayeeRule>
  readonly learnPrices:
    | { readonly maxIncreasePercent: bigint; readonly windowMs: number }
    | undefined
  readonly pin: { readonly payee: boolean; readonly network: boolean; readonly asset: boolean }
  readonly resourceBinding: ResourceBinding
  /** Origins a redirect may lead to and still be paid; `'*'` for any. */
  readonly allowRedirectTo: ReadonlySet<string> | '*'
  readonly rateLimit:
    | { readonly max: number; readonly windowMs: number; readonly maxRefused: number }
    | undefined
  readonly verifyPayee: boolean
  readonly requireIdentity: boolean
}

/** The outcome of a `verifyPayee` call for one payee. */
export type PayeeCheck = { readonly ok: true } | { readonly ok: false; readonly error: unknown }

/** What the guards know about the request besides the candidate. */
export type GuardContext = {
  /** The URL that answered the 402 (after redirects): the one that gets paid. */
  readonly url: URL
  /** The URL the caller asked for. */
  readonly requestedUrl: URL
  readonly method: string
  /** Other names of the resource paid, which a challenge may give (an MCP tool's `mcp://tool/<name>`). */
  readonly resourceNames: readonly string[]
  readonly route: string
  readonly now: number
  /** What the policy remembers about the route; `undefined` before its first payment. */
  readonly routeState: RouteState | undefined
  /** Explicit price expectations that apply (price list, `expectPrice`); each must hold. */
  readonly expected: readonly PriceExpectation[]
  /** `expectPrice` threw: the price cannot be judged. */
  readonly expectedError: { readonly error: unknown } | undefined
  readonly identity: AgentClaim
  /** `verifyPayee` outcomes per payee (lower case); `undefined` when the hook was not run. */
  readonly verifications: ReadonlyMap<string, PayeeCheck> | undefined
}

/** One rule: a refusal for a candidate it rejects, `undefined` for one it lets through. */
export type Guard = (
  candidate: Candidate,
  policy: ResolvedPolicy,
  context: GuardContext,
) => Refusal | undefined

/**
 * A payment header sent over plain `http` can be read and replayed by anyone on the path, and the
 * 402 it answers can be rewritten: only `https` is paid, and loopback (`127.0.0.0/8`, `::1`,
 * `localhost`), which never leaves the machine, unless `allowHttp` is set.
 */
export const httpsGuard: Guard = (candidate, policy, { url }) => {
  if (url.protocol === 'https:' || policy.allowHttp || isLoopback(url.hostname)) return undefined
  return {
    guard: 'https',
    reason: `${url.origin} is not https, and only https (or loopback) is paid`,
    requirements: candidate.requirements,
    values: { url: url.href, protocol: url.protocol },
  }
}

/** `localhost`, `127.0.0.0/8` and `::1`: hosts a request to which never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host === '::1') return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/**
 * This agent signs on EVM networks: `exact` with EIP-3009 or Permit2, and `upto` (Permit2; its
 * amount is the most the call may cost, and that is what the policy weighs).
 */
export const schemeGuard: Guard = (candidate) => {
  const { requirements } = candidate
  const method = requirements.extra?.assetTransferMethod
  const refuse = (reason: string): Refusal => ({
    guard: 'scheme',
    reason,
    requirements,
    values: { scheme: requirements.scheme, network: requirements.network },
  })
  if (candidate.scheme !== 'exact' && candidate.scheme !== 'upto')
    return refuse(`scheme "${candidate.scheme}" is not supported`)
  if (
    candidate.scheme === 'upto' &&
    candidate.original &&
    'maxAmountRequired' in candidate.original
  )
    return refuse('scheme "upto" needs x402 v2')
  if (candidate.network !== undefined && !candidate.network.startsWith('eip155:'))
    return refuse(`network "${candidate.network}" is not an EVM network`)
  if (method !== undefined && method !== 'eip3009' && method !== 'permit2')
    return refuse(`asset transfer method "${String(method)}" is not supported`)
  return undefined
}

/** The network must be known, and allowed when the policy lists networks. */
export const networkGuard: Guard = (candidate, policy) => {
  const { requirements, network } = candidate
  if (network === undefined)
    return {
      guard: 'network',
      reason: `network "${requirements.network}" is unknown`,
      requirements,
      values: { network: requirements.network },
    }
  if (policy.networks && !policy.networks.has(network))
    return {
      guard: 'network',
      reason: `network ${network} is not allowed`,
      requirements,
      values: { network, allowed: [...policy.networks].join(', ') },
    }
  return undefined
}

/** The asset must be one the policy lists or, without a list, one in the asset registry. */
export const assetGuard: Guard = (candidate, policy) => {
  const { requirements, network, registered } = candidate
  const listed = policy.assets ? ruleOf(candidate, policy) !== undefined : registered !== undefined
  if (listed) return undefined
  return {
    guard: 'asset',
    reason: policy.assets
      ? `asset ${requirements.asset} on ${network} is not allowed`
      : `asset ${requirements.asset} on ${network} is not in the asset registry`,
    requirements,
    values: { network, asset: requirements.asset },
  }
}

/**
 * Amounts are read with the asset's decimals from the registry, and the authorization is signed
 * under its EIP-712 domain: both must be known, and what the server or the policy says about them
 * must agree with the registry. A server that names another domain is describing another token
 * (or hoping the agent reads its amounts with other decimals).
 */
export const unitsGuard: Guard = (candidate, policy) => {
  const { requirements, registered, decimals } = candidate
  const rule = ruleOf(candidate, policy)
  const refuse = (reason: string, values: Refusal['values']): Refusal => ({
    guard: 'units',
    reason,
    requirements,
    values: { asset: requirements.asset, ...values },
  })
  if (rule?.decimals !== undefined && registered && rule.decimals !== registered.decimals)
    return refuse(
      `the policy gives asset ${requirements.asset} ${rule.decimals} decimals, the registry ${registered.decimals}`,
      { decimals: rule.decimals, expectedDecimals: registered.decimals },
    )
  const claimed = requirements.extra?.decimals
  if (claimed !== undefined && decimals !== undefined && claimed !== decimals)
    return refuse(
      `the server says asset ${requirements.asset} has ${String(claimed)} decimals, the registry ${decimals}`,
      { decimals: String(claimed), expectedDecimals: decimals },
    )
  const expected = rule?.eip712 ?? registered?.eip712
  const name = requirements.extra?.name
  const version = requirements.extra?.version
  if (
    expected &&
    ((name !== undefined && name !== expected.name) ||
      (version !== undefined && version !== expected.version))
  )
    return refuse(
      `the EIP-712 domain ${String(name)}/${String(version)} differs from the registry's ${expected.name}/${expected.version}`,
      {
        name: String(name),
        version: String(version),
        expectedName: expected.name,
        expectedVersion: expected.version,
      },
    )
  if (!expected && (typeof name !== 'string' || typeof version !== 'string'))
    return refuse(`the EIP-712 domain of asset ${requirements.asset} is unknown`, {})
  return undefined
}

/** A 402 from another origin than the one requested is paid only when that origin is allowed. */
export const redirectGuard: Guard = (candidate, policy, { url, requestedUrl }) => {
  if (url.origin === requestedUrl.origin) return undefined
  if (policy.allowRedirectTo === '*' || policy.allowRedirectTo.has(url.origin)) return undefined
  return {
    guard: 'redirect',
    reason: `the request to ${requestedUrl.origin} was redirected to ${url.origin}, which may not be paid`,
    requirements: candidate.requirements,
    values: { requested: requestedUrl.origin, redirectedTo: url.origin },
  }
}

/** The challenge must be for the URL that answered it (or name the resource as the transport does). */
export const resourceGuard: Guard = (candidate, policy, { url, resourceNames }) => {
  if (candidate.resource !== undefined && resourceNames.includes(candidate.resource))
    return undefined
  const reason = resourceMismatch(candidate.resource, url, policy.resourceBinding)
  if (reason === undefined) return undefined
  return {
    guard: 'resource',
    reason,
    requirements: candidate.requirements,
    values: { resource: candidate.resource, url: url.href },
  }
}

/** Denied payees never; with an allow-list (global or for the host), only those on it. */
export const payeeGuard: Guard = (candidate, policy, { url }) => {
  const { requirements, payTo } = candidate
  const host = hostRuleOf(policy, url)
  const refuse = (reason: string): Refusal => ({
    guard: 'payee',
    reason,
    requirements,
    values: { payTo: requirements.payTo, host: url.host },
  })
  if (policy.payees.deny.has(payTo)) return refuse(`payee ${requirements.payTo} is denied`)
  if (host?.deny.has(payTo)) return refuse(`payee ${requirements.payTo} is denied for ${url.host}`)
  if (policy.payees.allow && !policy.payees.allow.has(payTo))
    return refuse(`payee ${requirements.payTo} is not on the allow-list`)
  if (host?.allow && !host.allow.has(payTo))
    return refuse(`payee ${requirements.payTo} is not on the allow-list of ${url.host}`)
  return undefined
}

/**
 * When the 402 names an ERC-8004 agent and a `verifyPayee` hook is set, the payee must have passed
 * it. Without a hook the claim is not checked, unless the policy requires an identity.
 */
export const identityGuard: Guard = (candidate, policy, { identity, verifications }) => {
  const { requirements, payTo } = candidate
  const refuse = (reason: string, cause?: unknown): Refusal => ({
    guard: 'identity',
    reason,
    requirements,
    values: {
      payTo: requirements.payTo,
      agentRegistry: identity.kind === 'named' ? identity.agent.registry : undefined,
      agentId: identity.kind === 'named' ? identity.agent.agentId : undefined,
    },
    ...(cause === undefined ? {} : { cause }),
  })
  if (identity.kind === 'none')
    return policy.requireIdentity ? refuse('the server names no agent identity') : undefined
  if (identity.kind === 'malformed')
    return policy.verifyPayee || policy.requireIdentity
      ? refuse(`the server's agent identity is malformed: ${identity.reason}`)
      : undefined
  if (!policy.verifyPayee)
    return policy.requireIdentity
      ? refuse('the server names an agent, and no verifyPayee hook is set to check its wallet')
      : undefined
  const verification = verifications?.get(payTo)
  if (!verification)
    return refuse(
      `payee ${requirements.payTo} was not checked against agent ${identity.agent.agentId}`,
    )
  if (!verification.ok)
    return refuse(
      `payee ${requirements.payTo} is not the verified wallet of agent ${identity.agent.agentId}`,
      verification.error,
    )
  return undefined
}

/**
 * A route keeps the payee, network and asset of its first payment: a challenge that switches is
 * refused (a payee on an allow-list that applies may change).
 */
export const pinGuard: Guard = (candidate, policy, { routeState, url, route }) => {
  const pins = routeState?.pins
  if (!pins) return undefined
  const { requirements, payTo, asset } = candidate
  const network = candidate.network ?? requirements.network
  if (policy.pin.payee && pins.payee !== undefined && pins.payee !== payTo) {
    const host = hostRuleOf(policy, url)
    const allowed = policy.payees.allow?.has(payTo) || host?.allow?.has(payTo)
    if (!allowed)
      return {
        guard: 'payeeChange',
        reason: `route ${route} was paid to ${pins.payee}, not ${payTo}`,
        requirements,
        values: { route, pinned: pins.payee, payTo },
      }
  }
  if (policy.pin.network && pins.network !== undefined && pins.network !== network)
    return {
      guard: 'networkChange',
      reason: `route ${route} was paid on ${pins.network}, not ${network}`,
      requirements,
      values: { route, pinned: pins.network, network },
    }
  if (
    policy.pin.asset &&
    pins.asset !== undefined &&
    pins.network === network &&
    pins.asset !== asset
  )
    return {
      guard: 'assetChange',
      reason: `route ${route} was paid with asset ${pins.asset}, not ${asset}`,
      requirements,
      values: { route, pinned: pins.asset, asset },
    }
  return undefined
}

/**
 * The amount must not exceed what the agent expects for the route: every explicit expectation
 * (price list, `expectPrice`) or, without one, the lowest price paid for the route within the
 * learning window plus the allowed increase.
 */
export const priceGuard: Guard = (candidate, policy, context) => {
  const { requirements, amount, decimals } = candidate
  const refuse = (reason: string, values: Refusal['values'], cause?: unknown): Refusal => ({
    guard: 'price',
    reason,
    requirements,
    values: { amount, ...values },
    ...(cause === undefined ? {} : { cause }),
  })
  if (context.expectedError)
    return refuse('the expected price could not be found', {}, context.expectedError.error)
  for (const { limit, source } of context.expected) {
    const ceiling = limitInAtomicUnits(limit, candidate)
    if (ceiling === undefined)
      return refuse(
        `the expected price (${source}) cannot be compared: ${incomparable(limit, candidate)}`,
        { source },
      )
    if (amount > ceiling)
      return refuse(
        `${describeAmount(amount, decimals)} is above the expected ${describeAmount(ceiling, decimals)} (${source})`,
        { expected: ceiling, source },
      )
  }
  if (context.expected.length > 0 || !policy.learnPrices) return undefined
  const network = candidate.network ?? requirements.network
  const learnt = context.routeState?.prices.get(assetKey(network, candidate.asset))
  if (!learnt || context.now - learnt.at >= policy.learnPrices.windowMs) return undefined
  const ceiling = (learnt.amount * (100n + policy.learnPrices.maxIncreasePercent)) / 100n
  if (amount <= ceiling) return undefined
  return refuse(
    `${describeAmount(amount, decimals)} is more than ${policy.learnPrices.maxIncreasePercent}% above ${describeAmount(learnt.amount, decimals)}, the price paid for ${context.route} before`,
    { expected: ceiling, learnt: learnt.amount, source: 'learnt' },
  )
}

/** The amount must not exceed the per-request cap, in the asset's own units. */
export const maxPerRequestGuard: Guard = (candidate, policy) => {
  const { requirements, amount, decimals } = candidate
  if (!policy.maxPerRequest) return undefined
  const cap = limitInAtomicUnits(policy.maxPerRequest, candidate)
  if (cap === undefined)
    return {
      guard: 'maxPerRequest',
      reason: `the cap cannot be compared: ${incomparable(policy.maxPerRequest, candidate)}`,
      requirements,
      values: { amount, asset: requirements.asset },
    }
  if (amount > cap)
    return {
      guard: 'maxPerRequest',
      reason: `${describeAmount(amount, decimals)} is above the cap ${describeAmount(cap, decimals)}`,
      requirements,
      values: { amount, cap },
    }
  return undefined
}

/**
 * At most `max` payments per route within the window, and at most `maxRefused` payments the
 * server answered with a 402 again: a 402 storm stops being paid.
 */
export const rateLimitGuard: Guard = (candidate, policy, { routeState, now, route }) => {
  const limit = policy.rateLimit
  if (!limit || !routeState) return undefined
  const refuse = (
    kind: 'payments' | 'refused',
    max: number,
    retryAfterMs: number,
  ): RateLimitRefusal => ({
    guard: 'rateLimit',
    reason:
      kind === 'payments'
        ? `route ${route} had ${max} payments within ${limit.windowMs} ms`
        : `route ${route} answered ${max} payments with a 402 within ${limit.windowMs} ms`,
    requirements: candidate.requirements,
    values: { route, kind, limit: max, windowMs: limit.windowMs, retryAfterMs },
  })
  const refused = countWithin(routeState.refused, now, limit.windowMs)
  if (refused.count >= limit.maxRefused)
    return refuse('refused', limit.maxRefused, refused.retryAfterMs)
  const payments = countWithin(routeState.payments, now, limit.windowMs)
  if (payments.count >= limit.max) return refuse('payments', limit.max, payments.retryAfterMs)
  return undefined
}

/** Guards that need nothing but the challenge and the policy: run before any hook is called. */
export const staticGuards: readonly Guard[] = [
  httpsGuard,
  schemeGuard,
  networkGuard,
  assetGuard,
  unitsGuard,
  redirectGuard,
  resourceGuard,
  payeeGuard,
]

/** The rules in the order they run; a later rule only sees what the earlier ones let through. */
export const guards: readonly Guard[] = [
  ...staticGuards,
  identityGuard,
  pinGuard,
  priceGuard,
  maxPerRequestGuard,
  rateLimitGuard,
]

function ruleOf(candidate: Candidate, policy: ResolvedPolicy): ResolvedAssetRule | undefined {
  return assetRuleOf(policy, candidate.network, candidate.asset)
}

/** The policy's rule for an asset (lower-case address) on a network, if it has one. */
export function assetRuleOf(
  policy: ResolvedPolicy,
  network: string | undefined,
  asset: string,
): ResolvedAssetRule | undefined {
  return policy.assets?.find((rule) => rule.network === network && rule.address === asset)
}

function hostRuleOf(policy: ResolvedPolicy, url: URL): ResolvedPayeeRule | undefined {
  return policy.hostPayees.get(url.host) ?? policy.hostPayees.get(url.hostname)
}
