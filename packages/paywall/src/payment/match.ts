import {
  decodeHeader,
  type ExactEvmPayload,
  equalByContent,
  exactEvmPayloadSchema,
  HeaderTooLargeError,
  headerNames,
  InvalidBase64Error,
  InvalidJsonError,
  type PaymentPayload,
  type PaymentPayloadV1,
  type PaymentRequirements,
  paymentPayloadSchema,
  paymentPayloadV1Schema,
  toCaip2,
} from '@tollgate/core'
import { z } from 'zod'
import { type PaywallReason, paywallReasons } from '../reasons.js'
import type { PaywallRequest } from './request.js'

/** A payment header decoded and checked against its version's schema. */
export type DecodedPayment =
  | { x402Version: 2; payload: PaymentPayload; authorization: ExactEvmPayload }
  | { x402Version: 1; payload: PaymentPayloadV1; authorization: ExactEvmPayload }

/** A payment the paywall cannot use, with the reason its 402 gives. */
export type PaymentRejection = { reason: PaywallReason | string; message: string }

/** The payment header of a request: `PAYMENT-SIGNATURE` (v2) wins over `X-PAYMENT` (v1). */
export function readPaymentHeader(
  request: Pick<PaywallRequest, 'header'>,
): { name: string; value: string } | undefined {
  for (const name of [headerNames.paymentSignature, headerNames.xPayment]) {
    const value = request.header(name)
    if (value !== undefined) return { name, value: value.trim() }
  }
  return undefined
}

/**
 * Decodes a payment header of either version (the version is read from the JSON, not from the
 * header's name, so a v2 payload in `X-PAYMENT` still works) and its exact EVM authorization.
 */
export function decodePayment(
  raw: string,
  { maxBytes }: { maxBytes: number },
): DecodedPayment | PaymentRejection {
  let json: unknown
  try {
    json = decodeHeader(raw, z.unknown(), { maxBytes })
  } catch (error) {
    if (error instanceof HeaderTooLargeError)
      return reject(paywallReasons.headerTooLarge, `The payment header is over ${maxBytes} bytes.`)
    if (error instanceof InvalidBase64Error)
      return reject(
        paywallReasons.invalidHeaderEncoding,
        'The payment header is not standard padded base64.',
      )
    if (error instanceof InvalidJsonError)
      return reject(paywallReasons.invalidHeaderJson, 'The payment header is not base64 of JSON.')
    return reject(paywallReasons.invalidPayload, 'The payment header cannot be decoded.')
  }
  const version = (json as { x402Version?: unknown } | null)?.x402Version
  if (version === 2) {
    const parsed = paymentPayloadSchema.safeParse(json)
    if (!parsed.success) return invalid(parsed.error)
    const authorization = exactEvmPayloadSchema.safeParse(parsed.data.payload)
    if (!authorization.success) return unsupportedPayload(parsed.data.accepted.scheme)
    return { x402Version: 2, payload: parsed.data, authorization: authorization.data }
  }
  if (version === 1) {
    const parsed = paymentPayloadV1Schema.safeParse(json)
    if (!parsed.success) return invalid(parsed.error)
    const authorization = exactEvmPayloadSchema.safeParse(parsed.data.payload)
    if (!authorization.success) return unsupportedPayload(parsed.data.scheme)
    return { x402Version: 1, payload: parsed.data, authorization: authorization.data }
  }
  return reject(
    paywallReasons.invalidX402Version,
    `x402Version ${JSON.stringify(version) ?? 'undefined'} is not supported (1 or 2).`,
  )
}

function reject(reason: PaymentRejection['reason'], message: string): PaymentRejection {
  return { reason, message }
}

function invalid(error: z.ZodError): PaymentRejection {
  const first = error.issues[0]
  const where = first?.path.length ? ` at ${first.path.join('.')}` : ''
  return reject(
    paywallReasons.invalidPayload,
    `The payment payload is invalid${where}: ${first?.message ?? 'schema mismatch'}.`,
  )
}

function unsupportedPayload(scheme: string): PaymentRejection {
  return scheme === 'exact'
    ? reject(paywallReasons.invalidPayload, 'The payload is not an exact EVM (EIP-3009) payload.')
    : reject(paywallReasons.unsupportedScheme, `Scheme "${scheme}" is not supported.`)
}

/** The network in CAIP-2 form, or the input when it is not a network we know. */
function normaliseNetwork(network: string): string {
  try {
    return toCaip2(network)
  } catch {
    return network
  }
}

/** Explains why no requirement matched: the scheme, then the network, then the content. */
function explainMismatch(
  scheme: string,
  network: string,
  accepts: readonly PaymentRequirements[],
): PaymentRejection {
  if (!accepts.some((requirement) => requirement.scheme === scheme))
    return reject(paywallReasons.unsupportedScheme, `Scheme "${scheme}" is not accepted here.`)
  const caip2 = normaliseNetwork(network)
  if (!accepts.some((requirement) => requirement.network === caip2))
    return reject(paywallReasons.invalidNetwork, `Network "${network}" is not accepted here.`)
  return reject(
    paywallReasons.noMatchingRequirements,
    'The payment does not match any of the payment requirements of this resource.',
  )
}

/**
 * The requirement a v2 payload accepted: the one equal to `accepted` by content (sorted-key deep
 * equality over every field, `extra` included), as the reference's `findMatchingRequirements`.
 */
export function matchAccepted(
  payload: PaymentPayload,
  accepts: readonly PaymentRequirements[],
): PaymentRequirements | PaymentRejection {
  const found = accepts.find((requirement) => equalByContent(requirement, payload.accepted))
  return found ?? explainMismatch(payload.accepted.scheme, payload.accepted.network, accepts)
}

/**
 * The requirements a v1 payload may be paying (a v1 payload has no `accepted`): same scheme,
 * network, payee and exact amount. Several remain only when options differ by asset alone; the
 * signature's domain decides between them at verification.
 */
export function matchV1(
  payload: PaymentPayloadV1,
  authorization: ExactEvmPayload,
  accepts: readonly PaymentRequirements[],
): PaymentRequirements[] | PaymentRejection {
  const network = normaliseNetwork(payload.network)
  const { to, value } = authorization.authorization
  const found = accepts.filter(
    (requirement) =>
      requirement.scheme === payload.scheme &&
      requirement.network === network &&
      requirement.payTo.toLowerCase() === to.toLowerCase() &&
      requirement.amount === value,
  )
  return found.length > 0 ? found : explainMismatch(payload.scheme, payload.network, accepts)
}

/** Whether a match or decode result is a rejection. */
export function isRejection(value: unknown): value is PaymentRejection {
  return (
    typeof value === 'object' &&
    value !== null &&
    'reason' in value &&
    'message' in value &&
    !('x402Version' in value)
  )
}
