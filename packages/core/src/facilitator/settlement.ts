import { toCaip2 } from '../networks.js'
import { reasons } from '../reasons.js'
import type { SettleResponse, SupportedKind, SupportedResponse } from '../schemas/v2.js'

/**
 * When a settle call answers: after the transfer's receipt (`confirmed`, the reference
 * behaviour), once the transaction is broadcast (`submitted`), or once the authorization is
 * durably queued for a background settler (`queued`, Tollgate facilitators only).
 */
export type SettlementMode = 'confirmed' | 'submitted' | 'queued'

/** Every `SettlementMode`, strongest guarantee first, for checking configuration and input. */
export const settlementModes: readonly SettlementMode[] = ['confirmed', 'submitted', 'queued']

/**
 * A `settlement_pending` answer to `/settle`: the transfer may have been broadcast and its outcome
 * is not known yet (the reference facilitator's answer to a receipt timeout, and ours).
 */
export function isSettlementPending(settlement: SettleResponse): boolean {
  return !settlement.success && settlement.errorReason === reasons.settlementPending
}

/** The (version, scheme, network) a payment is settled as, to look up in `/supported`. */
export type SettlementKind = {
  /** Prefer the kind of this protocol version; another version on the same network also counts. */
  x402Version?: number | undefined
  scheme: string
  /** CAIP-2 (`eip155:8453`) or a v1 name (`base`): both spellings match. */
  network: string
}

/**
 * The entry of a facilitator's `/supported` answer for a kind, or `undefined` when it lists none.
 * Networks are compared in CAIP-2 form, so a v1 entry (`base-sepolia`) answers for
 * `eip155:84532`; an entry of the same x402 version is preferred.
 */
export function findSupportedKind(
  supported: SupportedResponse,
  { x402Version, scheme, network }: SettlementKind,
): SupportedKind | undefined {
  const wanted = normalizeNetwork(network)
  const candidates = supported.kinds.filter(
    (kind) => kind.scheme === scheme && normalizeNetwork(kind.network) === wanted,
  )
  return candidates.find((kind) => kind.x402Version === x402Version) ?? candidates[0]
}

/**
 * The settlement modes a `/supported` kind lists as honoured (`extra.settlementModes`, a Tollgate
 * facilitator's), or `undefined` when it lists none: such a facilitator (the reference,
 * Coinbase's) settles `confirmed` only. Unknown mode names are ignored.
 */
export function readSettlementModes(kind: SupportedKind): readonly SettlementMode[] | undefined {
  const listed = kind.extra?.settlementModes
  if (!Array.isArray(listed)) return undefined
  return settlementModes.filter((mode) => listed.includes(mode))
}

/**
 * The mode to settle in when `wanted` is asked of a facilitator that honours `honoured`: `wanted`
 * itself, else the nearest stronger one (a later answer, never an earlier one), else `undefined`
 * (the facilitator cannot give the guarantee asked for).
 *
 * @example
 * ```ts
 * import { selectSettlementMode } from '@tollgate/core'
 * selectSettlementMode(['confirmed'], 'submitted') // 'confirmed'
 * selectSettlementMode(['submitted', 'queued'], 'confirmed') // undefined
 * ```
 */
export function selectSettlementMode(
  honoured: readonly SettlementMode[],
  wanted: SettlementMode,
): SettlementMode | undefined {
  // `settlementModes` runs from the strongest guarantee to the weakest.
  const strength = settlementModes.indexOf(wanted)
  for (let index = strength; index >= 0; index--) {
    const mode = settlementModes[index]!
    if (honoured.includes(mode)) return mode
  }
  return undefined
}

function normalizeNetwork(network: string): string {
  try {
    return toCaip2(network)
  } catch {
    return network
  }
}
