import { decodeHeader } from '@tollgate/core'
import {
  type Payment,
  type PaymentRejection,
  parsePayment,
  paywallReasons,
} from '@tollgate/paywall'
import { z } from 'zod'

/**
 * The payment a tool call carries in `params._meta[key]`: a JSON object (the x402 MCP transport),
 * or the base64 `X-PAYMENT` string older peers send (Vercel's `x402-mcp`, Cloudflare's agents);
 * `undefined` when there is none, a rejection when it cannot be read.
 */
export function readPayment(
  meta: Record<string, unknown> | undefined,
  key: string,
): Payment | PaymentRejection | undefined {
  const value = meta?.[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') return parsePayment(value)
  try {
    return parsePayment(decodeHeader(value, z.record(z.string(), z.unknown())))
  } catch {
    return {
      reason: paywallReasons.invalidPayload,
      message: `The payment in _meta["${key}"] is neither a JSON object nor base64 JSON.`,
    }
  }
}
