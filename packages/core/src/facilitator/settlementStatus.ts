import {
  type SettlementStatusResponse,
  settlementStatusListSchema,
  settlementStatusSchema,
} from '../schemas/status.js'
import type { SettlementStatusQuery } from './createHttpFacilitatorClient.js'
import type { FacilitatorCall } from './facilitatorCall.js'

/**
 * Asks a Tollgate facilitator's status endpoint about a settlement: by payment id, every
 * settlement with that id (`GET /settlements?paymentId=`); by key, the one settlement or
 * `undefined` (`GET /settlements/{chain}/{asset}/{payer}/{nonce}`, lowercase).
 */
export async function readSettlementStatus(
  call: FacilitatorCall,
  query: SettlementStatusQuery,
): Promise<SettlementStatusResponse[] | SettlementStatusResponse | undefined> {
  if ('paymentId' in query) {
    const found = await call(
      'status',
      settlementStatusListSchema,
      undefined,
      `settlements?paymentId=${encodeURIComponent(query.paymentId)}`,
    )
    return found?.settlements ?? []
  }
  const chain = String(query.network).replace(/^eip155:/, '')
  const segments = [chain, query.asset, query.payer, query.nonce].map((segment) =>
    encodeURIComponent(segment.toLowerCase()),
  )
  return call('status', settlementStatusSchema, undefined, `settlements/${segments.join('/')}`)
}
