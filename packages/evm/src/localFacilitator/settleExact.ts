import {
  type ExactEvmPayload,
  reasons,
  type SettlementMode,
  type SettleResponse,
} from '@tollgate/core'
import type { SettleParameters } from '@tollgate/core/facilitator-client'
import type { Hex } from 'viem'
import { settleAuthorization } from '../settleAuthorization.js'
import { normalizePayment } from '../verifyPayment.js'
import { awaitSettlement } from './awaitSettlement.js'
import type { LocalFacilitatorContext } from './context.js'

/**
 * An EIP-3009 payment: normalised (v1 or v2), re-verified and broadcast in turn by
 * `settleAuthorization`, then (`confirmed`) its receipt awaited. An authorization with a
 * transaction already pending waits for that one.
 */
export async function settleExact(
  context: LocalFacilitatorContext,
  request: SettleParameters,
  mode: SettlementMode,
): Promise<SettleResponse> {
  const network = request.paymentRequirements.network
  const normalized = normalizePayment(request)
  if (!normalized.ok)
    return {
      success: false,
      errorReason: normalized.response.invalidReason ?? reasons.invalidPayload,
      transaction: '',
      network,
      ...(normalized.response.payer ? { payer: normalized.response.payer } : {}),
    }
  const { payload, requirements } = normalized.payment
  const base = { network, payer: payload.authorization.from }
  const key = settlementKey(requirements, payload)
  const known = context.pending.get(key)
  if (known) return confirm(context, known, base, key)
  const { walletClient, publicClient, assets, now } = context
  const submitted = await context.serialise(() =>
    settleAuthorization(walletClient, {
      payload,
      requirements,
      publicClient,
      wait: false,
      assets,
      now,
    }),
  )
  if (!submitted.success || mode !== 'confirmed') return submitted
  return confirm(context, submitted.transaction as Hex, base, key)
}

function confirm(
  context: LocalFacilitatorContext,
  transaction: Hex,
  base: Pick<SettleResponse, 'network' | 'payer'>,
  key: string,
): Promise<SettleResponse> {
  return awaitSettlement(context, {
    transaction,
    key,
    base,
    decide: (receipt) =>
      receipt.status === 'success'
        ? { success: true, transaction, ...base }
        : {
            success: false,
            errorReason: reasons.invalidExactEvmTransactionFailed,
            transaction,
            ...base,
          },
  })
}

/** An authorization's key: chain, token, payer and nonce, as the on-chain nonce is scoped. */
function settlementKey(
  requirements: { network: string; asset: string },
  { authorization }: ExactEvmPayload,
): string {
  return [
    requirements.network,
    requirements.asset.toLowerCase(),
    authorization.from.toLowerCase(),
    authorization.nonce.toLowerCase(),
  ].join('|')
}
