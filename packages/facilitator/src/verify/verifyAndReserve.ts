import {
  getEvmChainId,
  type PaymentPayload,
  type PaymentPayloadV1,
  type PaymentRequirements,
  type PaymentRequirementsV1,
  reasons,
  type VerifyResponse,
} from '@tollgate/core'
import {
  isPermit2Payload,
  type NormalizedPayment,
  normalizePayment,
  verifyAuthorization,
} from '@tollgate/evm'
import type { Address, Hex } from 'viem'
import type { ChainRuntime } from '../chain/types.js'
import type {
  AuthorizationKey,
  Ledger,
  SettlementEntry,
  SettlementRecord,
} from '../ledger/types.js'
import { recoverSigner } from './recoverSigner.js'
import { reserveEntry } from './reserveEntry.js'
import { verifyPermit2AndReserve } from './verifyPermit2AndReserve.js'

export type VerifyAndReserveContext = {
  ledger: Ledger
  chains: ReadonlyMap<number, ChainRuntime>
  /** How long a `verified` reservation holds, in ms. */
  holdMs: number
  /** Most a payer may have reserved, queued or in flight at once, per token. */
  exposureCap?: bigint | undefined
  /** Check the payer's balance (minus its reservations) before accepting. @default true */
  checkBalance?: boolean | undefined
  now?: (() => number) | undefined
}

export type VerifyAndReserveParameters = {
  paymentPayload: PaymentPayload | PaymentPayloadV1
  paymentRequirements: PaymentRequirements | PaymentRequirementsV1
  /** `verified` for `/verify`; `queued` for a `/settle` that comes without a prior `/verify`. */
  state: 'verified' | 'queued'
  /** The payment-identifier extension's id, when there is one. */
  paymentId?: string | undefined
}

export type VerifyAndReserveReturnType =
  | {
      ok: true
      response: VerifyResponse
      record: SettlementRecord
      chain: ChainRuntime
    }
  | {
      ok: false
      response: VerifyResponse
      /** The authorization's key, once the payload was readable. */
      key?: AuthorizationKey | undefined
      /** The live row that holds this authorization already (a replay or a retry). */
      existing?: SettlementRecord | undefined
      chain?: ChainRuntime | undefined
    }

/** The authorization's ledger key and entry, from a normalized payment. */
export function toSettlementEntry(
  chainId: number,
  payment: Pick<NormalizedPayment, 'payload' | 'requirements'>,
  paymentId?: string | undefined,
): SettlementEntry {
  const a = payment.payload.authorization
  return {
    chainId,
    asset: payment.requirements.asset.toLowerCase() as Address,
    payer: a.from.toLowerCase() as Address,
    nonce: a.nonce.toLowerCase() as Hex,
    payee: a.to.toLowerCase() as Address,
    value: BigInt(a.value),
    validAfter: BigInt(a.validAfter),
    validBefore: BigInt(a.validBefore),
    signature: payment.payload.signature as Hex,
    paymentId,
  }
}

/**
 * Verifies a payment without simulating it and records the reservation, atomically: the local
 * checks of `@tollgate/evm` (signature recovered locally, payee, amount, time window, network,
 * token domain from the registry), the nonce unused on-chain (one view call), then the ledger
 * insert that fails when the authorization is already held and checks the payer's cached balance
 * minus everything already reserved for it. The same authorization is never verified twice while
 * a reservation holds it. A Permit2 payment (`exact` or `upto`) goes through
 * `verifyPermit2AndReserve` to the same ledger.
 */
export async function verifyAndReserve(
  context: VerifyAndReserveContext,
  parameters: VerifyAndReserveParameters,
): Promise<VerifyAndReserveReturnType> {
  const { chains, now = Date.now } = context
  if (
    parameters.paymentPayload.x402Version === 2 &&
    isPermit2Payload(parameters.paymentPayload.payload)
  )
    return verifyPermit2AndReserve(context, parameters)
  const normalized = normalizePayment(parameters)
  if (!normalized.ok) return { ok: false, response: normalized.response }
  const { x402Version, ...payment } = normalized.payment
  const payer = payment.payload.authorization.from
  const invalid = (invalidReason: string, extra: Partial<VerifyAndReserveReturnType> = {}) =>
    ({
      ok: false,
      response: { isValid: false, invalidReason, payer },
      ...extra,
    }) as VerifyAndReserveReturnType

  let chainId: number
  try {
    chainId = getEvmChainId(payment.requirements.network)
  } catch {
    return invalid(reasons.invalidNetwork)
  }
  const chain = chains.get(chainId)
  if (!chain) return invalid(reasons.invalidNetwork)
  if (!chain.assetAddresses.has(payment.requirements.asset.toLowerCase()))
    return invalid(reasons.invalidPaymentRequirements)
  let entry: SettlementEntry
  try {
    entry = toSettlementEntry(chainId, payment, parameters.paymentId)
  } catch {
    return invalid(reasons.invalidPayload)
  }
  const key: AuthorizationKey = {
    chainId,
    asset: entry.asset,
    payer: entry.payer,
    nonce: entry.nonce,
  }

  const verified = await verifyAuthorization(chain.client, {
    recover: recoverSigner,
    ...payment,
    assets: chain.assets,
    now,
    checks: { nonce: true, balance: false, domain: true, simulate: false },
  })
  if (!verified.isValid) {
    const reason =
      x402Version === 1 &&
      verified.invalidReason === reasons.invalidExactEvmPayloadAuthorizationValueMismatch
        ? reasons.invalidExactEvmAuthorizationValue
        : (verified.invalidReason ?? reasons.unexpectedVerifyError)
    return {
      ok: false,
      response: { ...verified, invalidReason: reason },
      key,
      chain,
    }
  }

  return reserveEntry(context, { entry, key, chain, state: parameters.state, payer })
}
