import {
  type FacilitatorRequest,
  reasons,
  type SettlementMode,
  type SettleParameters,
  type SettleResponse,
  settlementModes,
  settleRequestSchema,
  type VerifyResponse,
  verifyRequestSchema,
} from '@tollgate/core'
import type { FacilitatorHttpAnswer, FacilitatorHttpRequest } from './facilitatorExchange.js'
import { readJsonBody } from './readJsonBody.js'
import { error, json } from './responses.js'

/** `POST /verify`: a readable, well-formed pair goes to `verify`; anything else is a 4xx. */
export async function answerVerify(
  request: FacilitatorHttpRequest,
  maxBodyBytes: number,
  verify: (request: FacilitatorRequest) => Promise<VerifyResponse>,
): Promise<FacilitatorHttpAnswer> {
  const shape = { isValid: false, invalidReason: reasons.invalidPayload }
  const body = await readJsonBody(request, maxBodyBytes)
  if (!body.ok) return error(body.status, body.code, body.message, shape)
  const parsed = verifyRequestSchema.safeParse(body.value)
  if (!parsed.success)
    return error(400, 'invalid_request', 'The body is not a /verify request.', shape)
  const { x402Version, paymentPayload, paymentRequirements } = parsed.data
  if (x402Version !== undefined && x402Version !== paymentPayload.x402Version)
    return json(200, { isValid: false, invalidReason: reasons.invalidX402Version })
  // The schema checks each half; the version check above pairs them.
  return json(200, await verify({ paymentPayload, paymentRequirements } as FacilitatorRequest))
}

/** `POST /settle`: as `/verify`, plus the Tollgate `settlement` mode when the body names one. */
export async function answerSettle(
  request: FacilitatorHttpRequest,
  maxBodyBytes: number,
  settle: (request: SettleParameters) => Promise<SettleResponse>,
): Promise<FacilitatorHttpAnswer> {
  const body = await readJsonBody(request, maxBodyBytes)
  const network =
    (body.ok &&
      (body.value as { paymentRequirements?: { network?: unknown } })?.paymentRequirements
        ?.network) ||
    'unknown'
  const shape = {
    success: false,
    errorReason: reasons.invalidPayload,
    transaction: '',
    network: typeof network === 'string' ? network : 'unknown',
  }
  if (!body.ok) return error(body.status, body.code, body.message, shape)
  const parsed = settleRequestSchema.safeParse(body.value)
  if (!parsed.success)
    return error(400, 'invalid_request', 'The body is not a /settle request.', shape)
  const { x402Version, paymentPayload, paymentRequirements } = parsed.data
  if (x402Version !== undefined && x402Version !== paymentPayload.x402Version)
    return json(200, { ...shape, errorReason: reasons.invalidX402Version })
  const settlement = (body.value as { settlement?: unknown }).settlement
  if (settlement !== undefined && !settlementModes.includes(settlement as SettlementMode))
    return error(
      400,
      'invalid_request',
      '`settlement` must be confirmed, submitted or queued.',
      shape,
    )
  const pair = { paymentPayload, paymentRequirements } as FacilitatorRequest
  return json(
    200,
    await settle(settlement ? { ...pair, settlement: settlement as SettlementMode } : pair),
  )
}
