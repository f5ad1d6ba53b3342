import {
  type PaymentRequirements,
  reasons,
  type SettlementMode,
  type SettleResponse,
} from '@tollgate/core'
import type { SettleParameters } from '@tollgate/core/facilitator-client'
import type { Hex } from 'viem'
import { hasTransfer, settlePermit2Authorization } from '../settlePermit2Authorization.js'
import { verifyPermit2Authorization } from '../verifyPermit2Authorization.js'
import { awaitSettlement } from './awaitSettlement.js'
import type { LocalFacilitatorContext } from './context.js'

/** A v2 settle request whose payload is a Permit2 one. */
export type Permit2SettleRequest = SettleParameters & { paymentPayload: { x402Version: 2 } }

/**
 * A Permit2 payment (`exact` or `upto`): broadcast in turn by `settlePermit2Authorization`, then
 * (`confirmed`) settled once its receipt shows the `Transfer` of the amount moved. An `upto`
 * answer carries the amount charged.
 */
export async function settlePermit2(
  context: LocalFacilitatorContext,
  request: Permit2SettleRequest,
  mode: SettlementMode,
): Promise<SettleResponse> {
  const { paymentPayload, paymentRequirements } = request
  const { publicClient, walletClient, now } = context
  const requirements = paymentRequirements as PaymentRequirements
  const checked = await verifyPermit2Authorization(publicClient, {
    payload: paymentPayload.payload,
    requirements,
    settling: true,
    checks: { nonce: false, balance: false, allowance: false, proxy: false },
    now,
  })
  const { authorization } = checked
  const base = { network: requirements.network, ...(checked.payer ? { payer: checked.payer } : {}) }
  const key = authorization
    ? [requirements.network, 'permit2', authorization.from.toLowerCase(), authorization.nonce].join(
        '|',
      )
    : undefined
  const known = key ? context.pending.get(key) : undefined
  const submitted = known
    ? { success: true, transaction: known, ...base }
    : await context.serialise(() =>
        settlePermit2Authorization(walletClient, {
          payload: paymentPayload.payload,
          requirements,
          accepted: paymentPayload.accepted,
          publicClient,
          wait: false,
          now,
        }),
      )
  if (!submitted.success || submitted.transaction === '' || mode !== 'confirmed' || !authorization)
    return submitted
  const transaction = submitted.transaction as Hex
  const upto = requirements.scheme === 'upto'
  const moved = upto ? BigInt(requirements.amount) : authorization.amount
  const failed = upto
    ? reasons.invalidUptoEvmTransactionFailed
    : reasons.invalidExactEvmTransactionFailed
  return awaitSettlement(context, {
    transaction,
    key,
    base,
    decide: (receipt) =>
      receipt.status === 'success' && hasTransfer(receipt.logs, authorization, moved)
        ? { success: true, transaction, ...base, ...(upto ? { amount: moved.toString() } : {}) }
        : { success: false, errorReason: failed, transaction, ...base },
  })
}
