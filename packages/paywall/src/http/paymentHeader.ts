import {
  decodeHeader,
  HeaderTooLargeError,
  headerNames,
  InvalidBase64Error,
  InvalidJsonError,
} from '@tollgate/core'
import { z } from 'zod'
import {
  type Payment,
  type PaymentRejection,
  parsePayment,
  rejectPayment,
} from '../payment/parsePayment.js'
import { paywallReasons } from '../reasons.js'
import type { PaywallRequest } from './types.js'

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
 * Decodes a payment header of either version (size checked first, strict base64 of UTF-8 JSON)
 * and reads the payment in it; each way it can fail has its own reason.
 */
export function decodePaymentHeader(
  raw: string,
  { maxBytes }: { maxBytes: number },
): Payment | PaymentRejection {
  let json: unknown
  try {
    json = decodeHeader(raw, z.unknown(), { maxBytes })
  } catch (error) {
    if (error instanceof HeaderTooLargeError)
      return rejectPayment(
        paywallReasons.headerTooLarge,
        `The payment header is over ${maxBytes} bytes.`,
      )
    if (error instanceof InvalidBase64Error)
      return rejectPayment(
        paywallReasons.invalidHeaderEncoding,
        'The payment header is not standard padded base64.',
      )
    if (error instanceof InvalidJsonError)
      return rejectPayment(
        paywallReasons.invalidHeaderJson,
        'The payment header is not base64 of JSON.',
      )
    return rejectPayment(paywallReasons.invalidPayload, 'The payment header cannot be decoded.')
  }
  return parsePayment(json)
}

/** The payment a request carries: `undefined` without a header, a rejection when it is unusable. */
export function readPayment(
  request: Pick<PaywallRequest, 'header'>,
  { maxBytes }: { maxBytes: number },
): Payment | PaymentRejection | undefined {
  const header = readPaymentHeader(request)
  return header && decodePaymentHeader(header.value, { maxBytes })
}
