import {
  decodePaymentResponseHeader,
  headerNames,
  parsePaymentRequiredResponse,
} from '@tollgate/core'
import type { Challenge, SettlementReading } from '@tollgate/payer'
import { InvalidChallengeError } from '@tollgate/payer'
import { concatBytes } from './bytes.js'
import { parseChallengeHeader } from './parseChallengeHeader.js'

/** The parts of a fetch `Response` this package reads. */
export type ResponseLike = {
  readonly status: number
  /** The URL of the response, after redirects (`''` for a response made by hand). */
  readonly url?: string | undefined
  readonly headers: { get(name: string): string | null }
  readonly body: ReadableStream<Uint8Array> | null
  clone(): ResponseLike
}

/** A 402 body larger than this is not read as a v1 challenge. */
const maxChallengeBodyBytes = 1_048_576

/**
 * Reads the x402 challenge of a 402: the `PAYMENT-REQUIRED` header (v2), else a v1 JSON body.
 * `undefined` when the 402 is not an x402 challenge at all (the response stays unread, for the
 * caller); `InvalidChallengeError` when it claims to be one and does not parse.
 */
export async function readChallenge(
  response: ResponseLike,
  url: URL,
): Promise<Challenge | undefined> {
  const header = response.headers.get(headerNames.paymentRequired)
  if (header !== null) {
    try {
      return parseChallengeHeader(header)
    } catch (cause) {
      throw new InvalidChallengeError({ url: url.href, cause })
    }
  }
  const text = await readText(response.clone(), maxChallengeBodyBytes)
  if (text === undefined) return undefined
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null || !('x402Version' in body)) return undefined
  try {
    return parsePaymentRequiredResponse({ body })
  } catch (cause) {
    throw new InvalidChallengeError({ url: url.href, cause })
  }
}

async function readText(response: ResponseLike, limit: number): Promise<string | undefined> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(concatBytes(chunks))
}

/** Reads `PAYMENT-RESPONSE` (v2) or `X-PAYMENT-RESPONSE` (v1); either is accepted for both. */
export function readSettlement(response: ResponseLike, x402Version: 1 | 2): SettlementReading {
  const [first, second] =
    x402Version === 2
      ? [headerNames.paymentResponse, headerNames.xPaymentResponse]
      : [headerNames.xPaymentResponse, headerNames.paymentResponse]
  const raw = response.headers.get(first) ?? response.headers.get(second)
  if (raw === null) return { present: false }
  try {
    return { present: true, response: decodePaymentResponseHeader(raw) }
  } catch (error) {
    return { present: true, response: undefined, error }
  }
}

/** Lets go of a response body nobody will read, so its connection can be reused. */
export async function discard(response: ResponseLike): Promise<void> {
  await response.body?.cancel().catch(() => undefined)
}
