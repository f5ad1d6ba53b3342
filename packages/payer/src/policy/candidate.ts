import type {
  PaymentRequirements,
  PaymentRequirementsV1,
  parsePaymentRequiredResponse,
} from '@tollgate/core'
import { requirementsFromV1, toCaip2 } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'

/** A parsed 402 challenge, v1 (JSON body) or v2 (`PAYMENT-REQUIRED` header). */
export type Challenge = ReturnType<typeof parsePaymentRequiredResponse>

/** One `accepts` entry of a challenge, with what the policy needs to judge it. */
export type Candidate = {
  /** Position in the challenge's `accepts`. */
  readonly index: number
  readonly x402Version: 1 | 2
  /** The entry exactly as the server sent it: this is what gets signed and echoed. */
  readonly original: PaymentRequirements | PaymentRequirementsV1
  /** The same entry in v2 shape (v1 `maxAmountRequired` becomes `amount`). */
  readonly requirements: PaymentRequirements
  readonly scheme: string
  /** CAIP-2 (`eip155:8453`); `undefined` when the server named a network nobody knows. */
  readonly network: string | undefined
  /** Lower-case asset address. */
  readonly asset: string
  /** Lower-case payee address. */
  readonly payTo: string
  /** Atomic units. */
  readonly amount: bigint
  /** The asset's decimals, from the registry or the policy's asset rules. */
  readonly decimals: number | undefined
  /** The registry's entry for the asset, when it has one. */
  readonly registered: Asset | undefined
  /** The URL the server says the payment is for: v2 `resource.url`, v1 the entry's `resource`. */
  readonly resource: string | undefined
}

/** Turns each `accepts` entry of a challenge into a candidate, in the server's order. */
export function toCandidates(
  challenge: Challenge,
  {
    assets,
    decimalsOf,
  }: {
    assets: readonly Asset[]
    decimalsOf?: ((network: string, asset: string) => number | undefined) | undefined
  },
): Candidate[] {
  const accepts: readonly (PaymentRequirements | PaymentRequirementsV1)[] =
    challenge.paymentRequired.accepts
  return accepts.map((original, index) => {
    const requirements =
      challenge.x402Version === 1
        ? fromV1(original as PaymentRequirementsV1)
        : (original as PaymentRequirements)
    const network = knownNetwork(requirements.network)
    const asset = requirements.asset.toLowerCase()
    const registered =
      network === undefined
        ? undefined
        : assets.find((a) => a.network === network && a.address.toLowerCase() === asset)
    const decimals =
      registered?.decimals ?? (network === undefined ? undefined : decimalsOf?.(network, asset))
    return {
      index,
      x402Version: challenge.x402Version,
      original,
      requirements,
      scheme: requirements.scheme,
      network,
      asset,
      payTo: requirements.payTo.toLowerCase(),
      amount: BigInt(requirements.amount),
      decimals,
      registered,
      resource:
        challenge.x402Version === 1
          ? (original as PaymentRequirementsV1).resource
          : challenge.paymentRequired.resource?.url,
    }
  })
}

/** v1 to v2; a network name nobody knows is kept as it is (the network rule refuses it). */
function fromV1(requirements: PaymentRequirementsV1): PaymentRequirements {
  try {
    return requirementsFromV1(requirements)
  } catch {
    return {
      scheme: requirements.scheme,
      network: requirements.network,
      amount: requirements.maxAmountRequired,
      asset: requirements.asset,
      payTo: requirements.payTo,
      maxTimeoutSeconds: requirements.maxTimeoutSeconds,
      extra: requirements.extra,
    } as PaymentRequirements
  }
}

function knownNetwork(network: string): string | undefined {
  try {
    return toCaip2(network)
  } catch {
    return undefined
  }
}

/**
 * A sort key that compares amounts across assets: whole units at 18 decimals when the decimals
 * are known, the atomic amount otherwise.
 */
export function priceKey(candidate: Candidate): bigint {
  const { amount, decimals } = candidate
  if (decimals === undefined) return amount
  if (decimals > 18) return amount / 10n ** BigInt(decimals - 18)
  return amount * 10n ** BigInt(18 - decimals)
}

/** Orders candidates cheapest first; equal prices keep the server's order. */
export function byPrice(a: Candidate, b: Candidate): number {
  const ka = priceKey(a)
  const kb = priceKey(b)
  return ka < kb ? -1 : ka > kb ? 1 : a.index - b.index
}
