import type { Refusal } from '../errors.js'
import { describeAmount } from '../errors.js'
import type { Candidate } from './candidate.js'
import type { ResolvedLimit } from './limit.js'
import { limitInAtomicUnits } from './limit.js'

/** An asset the agent pays with, as the policy resolved it. */
export type ResolvedAssetRule = {
  readonly network: string
  readonly address: string
  readonly decimals: number | undefined
}

/** The policy's rules, parsed once. */
export type ResolvedPolicy = {
  readonly networks: ReadonlySet<string> | undefined
  readonly assets: readonly ResolvedAssetRule[] | undefined
  readonly maxPerRequest: ResolvedLimit | undefined
  readonly allowPayees: ReadonlySet<string> | undefined
  readonly denyPayees: ReadonlySet<string>
}

/** One rule: a refusal for a candidate it rejects, `undefined` for one it lets through. */
export type Guard = (candidate: Candidate, policy: ResolvedPolicy) => Refusal | undefined

/** This agent signs the `exact` scheme on EVM networks with EIP-3009 only. */
export const schemeGuard: Guard = (candidate) => {
  const { requirements } = candidate
  const method = requirements.extra?.assetTransferMethod
  const refuse = (reason: string): Refusal => ({
    guard: 'scheme',
    reason,
    requirements,
    values: { scheme: requirements.scheme, network: requirements.network },
  })
  if (candidate.scheme !== 'exact') return refuse(`scheme "${candidate.scheme}" is not supported`)
  if (candidate.network !== undefined && !candidate.network.startsWith('eip155:'))
    return refuse(`network "${candidate.network}" is not an EVM network`)
  if (method !== undefined && method !== 'eip3009')
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

/**
 * The asset must be one the policy lists or, without a list, one in the asset registry; and the
 * EIP-712 domain the server names must be the registry's, else the decimals may be wrong too.
 */
export const assetGuard: Guard = (candidate, policy) => {
  const { requirements, network, asset, registered } = candidate
  const listed = policy.assets
    ? policy.assets.some((rule) => rule.network === network && rule.address === asset)
    : registered !== undefined
  if (!listed)
    return {
      guard: 'asset',
      reason: policy.assets
        ? `asset ${requirements.asset} on ${network} is not allowed`
        : `asset ${requirements.asset} on ${network} is not in the asset registry`,
      requirements,
      values: { network, asset: requirements.asset },
    }
  const name = requirements.extra?.name
  const version = requirements.extra?.version
  if (
    registered &&
    ((name !== undefined && name !== registered.eip712.name) ||
      (version !== undefined && version !== registered.eip712.version))
  )
    return {
      guard: 'asset',
      reason: `the EIP-712 domain ${String(name)}/${String(version)} differs from the registry's ${registered.eip712.name}/${registered.eip712.version}`,
      requirements,
      values: {
        asset: requirements.asset,
        name: String(name),
        version: String(version),
        expectedName: registered.eip712.name,
        expectedVersion: registered.eip712.version,
      },
    }
  return undefined
}

/** Denied payees never; with an allow-list, only those on it. */
export const payeeGuard: Guard = (candidate, policy) => {
  const { requirements, payTo } = candidate
  if (policy.denyPayees.has(payTo))
    return {
      guard: 'payee',
      reason: `payee ${requirements.payTo} is denied`,
      requirements,
      values: { payTo: requirements.payTo },
    }
  if (policy.allowPayees && !policy.allowPayees.has(payTo))
    return {
      guard: 'payee',
      reason: `payee ${requirements.payTo} is not on the allow-list`,
      requirements,
      values: { payTo: requirements.payTo },
    }
  return undefined
}

/** The amount must not exceed the per-request cap, in the asset's own units. */
export const maxPerRequestGuard: Guard = (candidate, policy) => {
  const { requirements, amount, decimals } = candidate
  if (!policy.maxPerRequest) return undefined
  const cap = limitInAtomicUnits(policy.maxPerRequest, decimals)
  if (cap === undefined)
    return {
      guard: 'maxPerRequest',
      reason: `the cap is in whole units and the decimals of asset ${requirements.asset} are unknown`,
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

/** The rules in the order they run; a later rule only sees what the earlier ones let through. */
export const guards: readonly Guard[] = [
  schemeGuard,
  networkGuard,
  assetGuard,
  payeeGuard,
  maxPerRequestGuard,
]
