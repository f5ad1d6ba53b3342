import type { z } from 'zod'
import {
  HeaderTooLargeError,
  InvalidBase64Error,
  type InvalidBase64Reason,
  InvalidJsonError,
  SchemaValidationError,
} from './errors/header.js'
import { type PaymentPayloadV1, paymentPayloadV1Schema } from './schemas/v1.js'
import {
  type PaymentPayload,
  type PaymentRequired,
  paymentPayloadSchema,
  paymentRequiredSchema,
  type SettleResponse,
  settleResponseSchema,
} from './schemas/v2.js'

/** The x402 HTTP header names (v2, then the v1 ones). */
export const headerNames = {
  paymentRequired: 'PAYMENT-REQUIRED',
  paymentSignature: 'PAYMENT-SIGNATURE',
  paymentResponse: 'PAYMENT-RESPONSE',
  xPayment: 'X-PAYMENT',
  xPaymentResponse: 'X-PAYMENT-RESPONSE',
} as const

/** Options of {@link decodeHeader}. */
export type DecodeHeaderOptions = {
  /**
   * Largest header value accepted, in bytes of the base64 text; checked before decoding.
   * @default 16_384
   */
  maxBytes?: number | undefined
}

/** The errors {@link decodeHeader} throws, and only these. */
export type DecodeHeaderErrorType =
  | HeaderTooLargeError
  | InvalidBase64Error
  | InvalidJsonError
  | SchemaValidationError

/** The error {@link encodeHeader} throws. */
export type EncodeHeaderErrorType = InvalidJsonError

/**
 * Encodes a value as an x402 header: JSON, then UTF-8, then standard padded base64.
 *
 * @example
 * ```ts
 * import { encodeHeader } from '@tollgate/core'
 * encodeHeader({ success: true }) // 'eyJzdWNjZXNzIjp0cnVlfQ=='
 * ```
 */
export function encodeHeader(value: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (error) {
    throw new InvalidJsonError({ message: 'Value cannot be written as JSON.', cause: error })
  }
  if (json === undefined)
    throw new InvalidJsonError({ message: 'Value cannot be written as JSON.' })
  return encodeUtf8Base64(json)
}

/**
 * Decodes a strict x402 header (standard padded base64 of UTF-8 JSON) and validates it with
 * `schema`; throws only `HeaderTooLargeError`, `InvalidBase64Error`, `InvalidJsonError` or
 * `SchemaValidationError`.
 *
 * @example
 * ```ts
 * import { decodeHeader, paymentPayloadSchema } from '@tollgate/core'
 * const payload = decodeHeader(request.headers.get('PAYMENT-SIGNATURE') ?? '', paymentPayloadSchema)
 * ```
 */
export function decodeHeader<schema extends z.ZodType>(
  raw: string,
  schema: schema,
  { maxBytes = 16_384 }: DecodeHeaderOptions = {},
): z.output<schema> {
  const json = parseHeaderJson(raw, maxBytes)
  let result: z.ZodSafeParseResult<z.output<schema>>
  try {
    result = schema.safeParse(json) as z.ZodSafeParseResult<z.output<schema>>
  } catch (error) {
    // A caller's refinement that throws still surfaces as a schema failure.
    throw new SchemaValidationError({ issues: [], what: 'Header value', cause: error })
  }
  if (!result.success)
    throw new SchemaValidationError({ issues: result.error.issues, what: 'Header value' })
  return result.data
}

/** Encodes a v2 `PAYMENT-REQUIRED` header. */
export function encodePaymentRequiredHeader(paymentRequired: PaymentRequired): string {
  return encodeHeader(paymentRequired)
}

/** Decodes and validates a v2 `PAYMENT-REQUIRED` header. */
export function decodePaymentRequiredHeader(
  raw: string,
  options?: DecodeHeaderOptions | undefined,
): PaymentRequired {
  return decodeHeader(raw, paymentRequiredSchema, options)
}

/** Encodes a v2 `PAYMENT-SIGNATURE` header. */
export function encodePaymentSignatureHeader(paymentPayload: PaymentPayload): string {
  return encodeHeader(paymentPayload)
}

/** Decodes and validates a v2 `PAYMENT-SIGNATURE` header. */
export function decodePaymentSignatureHeader(
  raw: string,
  options?: DecodeHeaderOptions | undefined,
): PaymentPayload {
  return decodeHeader(raw, paymentPayloadSchema, options)
}

/** Encodes a v1 `X-PAYMENT` header. */
export function encodeXPaymentHeader(paymentPayload: PaymentPayloadV1): string {
  return encodeHeader(paymentPayload)
}

/** Decodes and validates a v1 `X-PAYMENT` header. */
export function decodeXPaymentHeader(
  raw: string,
  options?: DecodeHeaderOptions | undefined,
): PaymentPayloadV1 {
  return decodeHeader(raw, paymentPayloadV1Schema, options)
}

/**
 * Encodes a `PAYMENT-RESPONSE` (or v1 `X-PAYMENT-RESPONSE`) header; the facilitator's
 * server-side `extensionResponses` are left out, as the reference does, since buyers never see them.
 */
export function encodePaymentResponseHeader(settleResponse: SettleResponse): string {
  if (!('extensionResponses' in settleResponse)) return encodeHeader(settleResponse)
  const { extensionResponses: _, ...buyerFacing } = settleResponse
  return encodeHeader(buyerFacing)
}

/** Decodes and validates a `PAYMENT-RESPONSE` (or v1 `X-PAYMENT-RESPONSE`) header. */
export function decodePaymentResponseHeader(
  raw: string,
  options?: DecodeHeaderOptions | undefined,
): SettleResponse {
  return decodeHeader(raw, settleResponseSchema, options)
}

// --- codec -------------------------------------------------------------------------------

let utf8Decoder: TextDecoder | undefined
let utf8Encoder: TextEncoder | undefined

function parseHeaderJson(raw: string, maxBytes: number): unknown {
  if (typeof raw !== 'string') throw new InvalidBase64Error({ reason: 'not_a_string' })
  // Size first: nothing of an oversized value is scanned, decoded or parsed.
  const length = raw.length
  // Written so that a NaN limit refuses everything rather than nothing.
  if (!(length <= maxBytes)) throw new HeaderTooLargeError({ size: length, maxBytes })
  if (length % 4 !== 0) throw new InvalidBase64Error({ reason: 'length' })

  const bytes = decodeStrictBase64(raw)
  let text: string
  try {
    text = decodeUtf8(bytes)
  } catch (error) {
    throw new InvalidJsonError({ message: 'Header value is not UTF-8 text.', cause: error })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InvalidJsonError({ cause: error })
  }
  // An own "__proto__" key would reach a prototype through any later Object.assign; x402
  // never uses that key, so such a header is refused rather than silently altered.
  if (text.includes('"__proto__"') && hasProtoKey(json)) {
    throw new InvalidJsonError({ message: 'Header value holds a "__proto__" key.' })
  }
  return json
}

// Strict means: the standard alphabet, "=" padding to a multiple of 4, no whitespace, and the
// canonical encoding of its bytes (unused bits zero), so one payload has exactly one header.
function decodeStrictBase64(raw: string): Uint8Array {
  if (typeof Buffer === 'function') {
    // Node's decoder is lenient (it skips junk, reads base64url); encoding the bytes back and
    // comparing is a strict check in two native passes, several times faster than a JS scan.
    const bytes = Buffer.from(raw, 'base64')
    if (bytes.toString('base64') !== raw) throw new InvalidBase64Error({ reason: diagnose(raw) })
    return bytes
  }
  const reason = diagnose(raw)
  if (reason !== 'non_canonical') throw new InvalidBase64Error({ reason })
  const binary = atob(raw)
  if (btoa(binary) !== raw) throw new InvalidBase64Error({ reason })
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

// Only on the failure path (or without Buffer): why a value is not strict base64. A value that
// passes both checks can still fail as 'non_canonical'.
function diagnose(raw: string): InvalidBase64Reason {
  const length = raw.length
  if (length % 4 !== 0) return 'length'
  let end = length
  if (end > 0 && raw.charCodeAt(end - 1) === 61) end--
  if (end > 0 && raw.charCodeAt(end - 1) === 61) end--
  for (let i = 0; i < end; i++) {
    const c = raw.charCodeAt(i)
    const ok =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47
    if (!ok) return 'alphabet'
  }
  return 'non_canonical'
}

function hasProtoKey(root: unknown): boolean {
  // Iterative, so a deeply nested value cannot overflow the stack.
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value !== 'object' || value === null) continue
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item)
      continue
    }
    if (Object.hasOwn(value, '__proto__')) return true
    for (const key in value) stack.push((value as Record<string, unknown>)[key])
  }
  return false
}

function decodeUtf8(bytes: Uint8Array): string {
  // `fatal` rejects malformed UTF-8 instead of inventing U+FFFD; `ignoreBOM` keeps a BOM, which
  // JSON.parse then refuses.
  utf8Decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  return utf8Decoder.decode(bytes)
}

function encodeUtf8Base64(text: string): string {
  if (typeof Buffer === 'function') return Buffer.from(text, 'utf8').toString('base64')
  utf8Encoder ??= new TextEncoder()
  const bytes = utf8Encoder.encode(text)
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}
