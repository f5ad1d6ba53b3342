import { InvalidJsonError, SchemaValidationError } from './errors/header.js'
import { PaymentRequiredNotFoundError, UnsupportedX402VersionError } from './errors/version.js'
import { type DecodeHeaderOptions, decodePaymentRequiredHeader } from './headers.js'
import { toCaip2, toV1Network } from './networks.js'
import {
  type PaymentRequiredV1,
  type PaymentRequirementsV1,
  paymentRequiredV1Schema,
} from './schemas/v1.js'
import type { PaymentRequired, PaymentRequirements, ResourceInfo } from './schemas/v2.js'

/** What {@link parsePaymentRequiredResponse} reads: the `PAYMENT-REQUIRED` header and the body. */
export type ParsePaymentRequiredResponseParameters = {
  /** The `PAYMENT-REQUIRED` header value, if any. */
  header?: string | null | undefined
  /** The response body: parsed JSON, or its text. */
  body?: unknown
}

/** The challenge of a 402 response, tagged with its x402 version. */
export type ParsePaymentRequiredResponseReturnType =
  | { x402Version: 1; paymentRequired: PaymentRequiredV1 }
  | { x402Version: 2; paymentRequired: PaymentRequired }

/**
 * Reads the challenge of a 402 response: the v2 `PAYMENT-REQUIRED` header first, else a v1
 * JSON body (`x402Version: 1`), as the reference client does. Throws the header errors,
 * `SchemaValidationError`, `UnsupportedX402VersionError` or `PaymentRequiredNotFoundError`.
 *
 * @example
 * ```ts
 * import { parsePaymentRequiredResponse } from '@tollgate/core'
 * const challenge = parsePaymentRequiredResponse({
 *   header: response.headers.get('PAYMENT-REQUIRED'),
 *   body: await response.text(),
 * })
 * ```
 */
export function parsePaymentRequiredResponse(
  { header, body }: ParsePaymentRequiredResponseParameters,
  options?: DecodeHeaderOptions | undefined,
): ParsePaymentRequiredResponseReturnType {
  if (typeof header === 'string' && header.length > 0) {
    return { x402Version: 2, paymentRequired: decodePaymentRequiredHeader(header, options) }
  }
  let value = body
  if (typeof value === 'string') {
    if (value.trim().length === 0) throw new PaymentRequiredNotFoundError()
    try {
      value = JSON.parse(value)
    } catch (error) {
      throw new InvalidJsonError({ message: 'Response body is not JSON.', cause: error })
    }
  }
  if (typeof value !== 'object' || value === null || !('x402Version' in value)) {
    throw new PaymentRequiredNotFoundError()
  }
  if (value.x402Version !== 1) throw new UnsupportedX402VersionError({ version: value.x402Version })
  const result = paymentRequiredV1Schema.safeParse(value)
  if (!result.success) {
    throw new SchemaValidationError({ issues: result.error.issues, what: 'Response body' })
  }
  return { x402Version: 1, paymentRequired: result.data }
}

/** Converts a v1 requirement to v2 (CAIP-2 network, `amount`); the resource fields are dropped. */
export function requirementsFromV1(requirements: PaymentRequirementsV1): PaymentRequirements {
  const converted: PaymentRequirements = {
    scheme: requirements.scheme,
    network: toCaip2(requirements.network),
    amount: requirements.maxAmountRequired,
    asset: requirements.asset,
    payTo: requirements.payTo,
    maxTimeoutSeconds: requirements.maxTimeoutSeconds,
  }
  if (requirements.extra !== undefined) converted.extra = requirements.extra
  return converted
}

/** The v2 resource described by a v1 requirement (`resource`, `description`, `mimeType`). */
export function resourceFromV1(requirements: PaymentRequirementsV1): ResourceInfo {
  const resource: ResourceInfo = { url: requirements.resource }
  if (requirements.description) resource.description = requirements.description
  if (requirements.mimeType) resource.mimeType = requirements.mimeType
  return resource
}

/**
 * Converts a v2 requirement and its resource to v1. The network becomes its v1 name; a network
 * without one (e.g. a local `eip155:31337`) keeps its CAIP-2 id, which only v1 peers that accept
 * any network string understand. `extra: null` is left out (legacy v1 rejects null).
 */
export function requirementsToV1(
  requirements: PaymentRequirements,
  resource: ResourceInfo,
): PaymentRequirementsV1 {
  const converted: PaymentRequirementsV1 = {
    scheme: requirements.scheme,
    network: toV1Network(requirements.network) ?? toCaip2(requirements.network),
    maxAmountRequired: requirements.amount,
    resource: resource.url,
    description: resource.description ?? '',
    mimeType: resource.mimeType ?? '',
    payTo: requirements.payTo,
    maxTimeoutSeconds: requirements.maxTimeoutSeconds,
    asset: requirements.asset,
  }
  if (requirements.extra) converted.extra = requirements.extra
  return converted
}
