import { toCaip2 } from '@tollgate/core'
import { InvalidPolicyError } from '../errors/policy.js'
import type { PayeeRule, PolicyParameters } from './createPolicy.js'
import type { ResolvedPayeeRule, ResolvedPolicy } from './guards.js'
import { resolveLimit } from './limit.js'

/** Parses a policy's options once; a malformed one throws `InvalidPolicyError` naming it. */
export function resolvePolicy(parameters: PolicyParameters): ResolvedPolicy {
  const {
    allowHttp = false,
    maxPerRequest = '$1',
    payees = {},
    learnPrices = {},
    pin = {},
    resourceBinding = 'path',
    allowRedirectTo = [],
    rateLimit = {},
    verifyPayee,
    requireIdentity = false,
  } = parameters
  if (!['path', 'origin', 'off'].includes(resourceBinding))
    throw new InvalidPolicyError({
      option: 'resourceBinding',
      reason: `expected 'path', 'origin' or 'off', got ${String(resourceBinding)}`,
    })
  return {
    allowHttp,
    networks: parameters.networks && new Set(parameters.networks.map((n) => network(n))),
    assets: parameters.assets?.map((rule, index) => ({
      network: network(rule.network, `assets[${index}].network`),
      address: rule.address.toLowerCase(),
      decimals: rule.decimals,
      eip712: rule.eip712,
    })),
    maxPerRequest:
      maxPerRequest === null ? undefined : resolveLimit(maxPerRequest, 'maxPerRequest'),
    payees: resolvePayees(payees),
    hostPayees: new Map(
      Object.entries(payees.hosts ?? {}).map(([host, rule]) => [
        host.toLowerCase(),
        resolvePayees(rule),
      ]),
    ),
    learnPrices: learnPrices === false ? undefined : resolveLearning(learnPrices),
    pin: { payee: pin.payee ?? true, network: pin.network ?? true, asset: pin.asset ?? true },
    resourceBinding,
    allowRedirectTo: allowRedirectTo === '*' ? '*' : new Set(allowRedirectTo.map((o) => origin(o))),
    rateLimit: rateLimit === null ? undefined : resolveRateLimit(rateLimit),
    verifyPayee: verifyPayee !== undefined,
    requireIdentity,
  }
}

/** `maxAuthorizationSeconds`, checked. */
export function resolveLifetime(seconds: number): number {
  if (!Number.isSafeInteger(seconds) || seconds <= 0)
    throw new InvalidPolicyError({
      option: 'maxAuthorizationSeconds',
      reason: `expected a positive whole number of seconds, got ${seconds}`,
    })
  return seconds
}

function network(name: string, option = 'networks'): string {
  try {
    return toCaip2(name)
  } catch (cause) {
    throw new InvalidPolicyError({ option, reason: `network "${name}" is unknown`, cause })
  }
}

function origin(value: string): string {
  try {
    return new URL(value).origin
  } catch (cause) {
    throw new InvalidPolicyError({
      option: 'allowRedirectTo',
      reason: `"${value}" is not an origin such as https://pay.example.com`,
      cause,
    })
  }
}

function resolvePayees(rule: PayeeRule): ResolvedPayeeRule {
  return {
    allow: rule.allow && new Set(rule.allow.map((p) => p.toLowerCase())),
    deny: new Set((rule.deny ?? []).map((p) => p.toLowerCase())),
  }
}

function resolveLearning({
  maxIncreasePercent = 100,
  windowMs = 86_400_000,
}: {
  maxIncreasePercent?: number | undefined
  windowMs?: number | undefined
}) {
  if (!Number.isSafeInteger(maxIncreasePercent) || maxIncreasePercent < 0)
    throw new InvalidPolicyError({
      option: 'learnPrices.maxIncreasePercent',
      reason: `expected a non-negative whole number, got ${maxIncreasePercent}`,
    })
  positive('learnPrices.windowMs', windowMs)
  return { maxIncreasePercent: BigInt(maxIncreasePercent), windowMs }
}

function resolveRateLimit({
  max = 60,
  windowMs = 60_000,
  maxRefused = 3,
}: {
  max?: number | undefined
  windowMs?: number | undefined
  maxRefused?: number | undefined
}) {
  if (!Number.isSafeInteger(max) || max <= 0)
    throw new InvalidPolicyError({
      option: 'rateLimit.max',
      reason: `expected a positive whole number, got ${max}`,
    })
  if (!Number.isSafeInteger(maxRefused) || maxRefused <= 0)
    throw new InvalidPolicyError({
      option: 'rateLimit.maxRefused',
      reason: `expected a positive whole number, got ${maxRefused}`,
    })
  positive('rateLimit.windowMs', windowMs)
  return { max, windowMs, maxRefused }
}

function positive(option: string, value: number) {
  if (!(Number.isFinite(value) && value > 0))
    throw new InvalidPolicyError({
      option,
      reason: `expected a positive number of milliseconds, got ${value}`,
    })
}
