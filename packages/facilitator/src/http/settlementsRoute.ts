import type { SettlementStatusResponse } from '@tollgate/core'
import type { Address, Hex } from 'viem'
import type { AuthorizationKey } from '../ledger/types.js'
import type { SettlementStatus } from '../toSettlementStatus.js'
import type { FacilitatorHttpAnswer, FacilitatorHttpRequest } from './facilitatorExchange.js'
import { error, json } from './responses.js'

/** The JSON of a status: bigints as decimal strings, absent values as `null` (every key always there). */
function toStatusJson(status: SettlementStatus): SettlementStatusResponse {
  return {
    ...status,
    value: status.value.toString(),
    blockNumber: status.blockNumber?.toString() ?? null,
    confirmations: status.confirmations?.toString() ?? null,
    reason: status.reason ?? null,
    paymentId: status.paymentId ?? null,
  }
}

/** A chain in a status path: `84532` or its CAIP-2 form `eip155:84532`. */
function parseChainSegment(segment: string | undefined): number | undefined {
  // `:` may come percent-encoded (`eip155%3A84532`).
  const match = /^(?:eip155(?::|%3a))?(\d{1,15})$/i.exec(segment ?? '')
  return match ? Number(match[1]) : undefined
}

/**
 * A nonce in a status path: an EIP-3009 one (0x + 64 hex digits), or a Permit2 one as the payload
 * carries it (a decimal uint256), keyed the way the ledger keys it.
 */
function parseNonce(segment: string | undefined): string | undefined {
  if (/^\d{1,78}$/.test(segment ?? '')) {
    const value = BigInt(segment!)
    return value < 1n << 256n ? `0x${value.toString(16).padStart(64, '0')}` : undefined
  }
  return segment
}

/** The settlement key a status path names (`<chain>/<asset>/<payer>/<nonce>`), if it is one. */
function parseKey(parts: readonly string[]): AuthorizationKey | undefined {
  const [chain, asset, payer] = parts
  const nonce = parseNonce(parts[3])
  const chainId = parseChainSegment(chain)
  if (
    parts.length !== 4 ||
    chainId === undefined ||
    !/^0x[0-9a-fA-F]{40}$/.test(asset ?? '') ||
    !/^0x[0-9a-fA-F]{40}$/.test(payer ?? '') ||
    !/^0x[0-9a-fA-F]{64}$/.test(nonce ?? '')
  )
    return undefined
  return { chainId, asset: asset as Address, payer: payer as Address, nonce: nonce as Hex }
}

/**
 * `GET /settlements?paymentId=...` (every settlement with the id) and
 * `GET /settlements/<chain>/<asset>/<payer>/<nonce>` (one), in core's `settlementStatusSchema` shape.
 */
export async function answerSettlements(
  request: Pick<FacilitatorHttpRequest, 'query'>,
  parts: readonly string[],
  status: (query: { key: AuthorizationKey } | { paymentId: string }) => Promise<SettlementStatus[]>,
): Promise<FacilitatorHttpAnswer> {
  if (parts.length === 0) {
    const paymentId = request.query('paymentId')
    if (!paymentId)
      return error(400, 'invalid_request', 'Give a paymentId, or a settlement key in the path.')
    const found = await status({ paymentId })
    if (found.length === 0) return error(404, 'not_found', 'No settlement has that payment id.')
    return json(200, { settlements: found.map(toStatusJson) })
  }
  const key = parseKey(parts)
  if (!key)
    return error(400, 'invalid_request', 'Use /settlements/<chainId>/<asset>/<payer>/<nonce>.')
  const [found] = await status({ key })
  if (!found) return error(404, 'not_found', 'No settlement has that key.')
  return json(200, toStatusJson(found))
}
