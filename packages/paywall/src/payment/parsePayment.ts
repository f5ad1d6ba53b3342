import {
  type ExactEvmPayload,
  exactEvmPayloadSchema,
  exactPermit2PayloadSchema,
  type PaymentPayload,
  type PaymentPayloadV1,
  paymentPayloadSchema,
  paymentPayloadV1Schema,
  uptoPermit2PayloadSchema,
} from '@tollgate/core'
import type { z } from 'zod'
import { type PaywallReason, paywallReasons } from '../reasons.js'
import type { PaymentAuthorization } from './authorization.js'

/**
 * A payment checked against its version's schema, with its authorization: EIP-3009, or (v2) a
 * Permit2 witness transfer for `exact` or `upto`.
 */
export type Payment =
  | { x402Version: 2; payload: PaymentPayload; authorization: PaymentAuthorization }
  | { x402Version: 1; payload: PaymentPayloadV1; authorization: ExactEvmPayload }

/** A payment the paywall cannot use, with the reason its challenge gives. */
export type PaymentRejection = { reason: PaywallReason | string; message: string }

/**
 * Reads a payment of either version from the JSON a transport carried it in (an HTTP header's
 * decoded JSON, an MCP `_meta["x402/payment"]` object). The version is read from the JSON, never
 * from where it travelled, so a v2 payload in `X-PAYMENT` still works.
 *
 * @example
 * ```ts
 * import { parsePayment } from '@tollgate/paywall'
 * const payment = parsePayment(params._meta?.['x402/payment'])
 * ```
 */
export function parsePayment(json: unknown): Payment | PaymentRejection {
  const version = (json as { x402Version?: unknown } | null)?.x402Version
  if (version === 2) {
    const parsed = paymentPayloadSchema.safeParse(json)
    if (!parsed.success) return invalid(parsed.error)
    const authorization = readAuthorization(parsed.data)
    if (!authorization) return unsupportedPayload(parsed.data.accepted.scheme)
    return { x402Version: 2, payload: parsed.data, authorization }
  }
  if (version === 1) {
    const parsed = paymentPayloadV1Schema.safeParse(json)
    if (!parsed.success) return invalid(parsed.error)
    const authorization = exactEvmPayloadSchema.safeParse(parsed.data.payload)
    if (!authorization.success) return unsupportedPayload(parsed.data.scheme)
    return { x402Version: 1, payload: parsed.data, authorization: authorization.data }
  }
  return rejectPayment(
    paywallReasons.invalidX402Version,
    `x402Version ${JSON.stringify(version) ?? 'undefined'} is not supported (1 or 2).`,
  )
}

/** A v2 payload's authorization: Permit2 when it carries `permit2Authorization` (as the reference decides). */
function readAuthorization(payload: PaymentPayload): PaymentAuthorization | undefined {
  const inner = payload.payload as unknown
  const scheme = payload.accepted.scheme
  if (typeof inner === 'object' && inner !== null && 'permit2Authorization' in inner) {
    const schema = scheme === 'upto' ? uptoPermit2PayloadSchema : exactPermit2PayloadSchema
    const parsed = schema.safeParse(inner)
    return parsed.success && (scheme === 'exact' || scheme === 'upto') ? parsed.data : undefined
  }
  if (scheme !== 'exact') return undefined
  const parsed = exactEvmPayloadSchema.safeParse(inner)
  return parsed.success ? parsed.data : undefined
}

/** A rejection with its reason and one sentence. */
export function rejectPayment(
  reason: PaymentRejection['reason'],
  message: string,
): PaymentRejection {
  return { reason, message }
}

/** Whether a parse or match result is a rejection. */
export function isRejection(value: unknown): value is PaymentRejection {
  return (
    typeof value === 'object' &&
    value !== null &&
    'reason' in value &&
    'message' in value &&
    !('x402Version' in value)
  )
}

function invalid(error: z.ZodError): PaymentRejection {
  const first = error.issues[0]
  const where = first?.path.length ? ` at ${first.path.join('.')}` : ''
  return rejectPayment(
    paywallReasons.invalidPayload,
    `The payment payload is invalid${where}: ${first?.message ?? 'schema mismatch'}.`,
  )
}

function unsupportedPayload(scheme: string): PaymentRejection {
  return scheme === 'exact' || scheme === 'upto'
    ? rejectPayment(
        paywallReasons.invalidPayload,
        `The payload is not an ${scheme} EVM (EIP-3009 or Permit2) payload.`,
      )
    : rejectPayment(paywallReasons.unsupportedScheme, `Scheme "${scheme}" is not supported.`)
}
