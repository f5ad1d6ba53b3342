import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import {
  type PaymentRequired,
  type PaymentRequiredV1,
  requirementsToV1,
  type SettleResponse,
  toV1Network,
} from '@tollgate/core'
import type { Outcome } from '@tollgate/paywall'
import type { McpPaymentKeys } from '../keys.js'

/**
 * The MCP form of the paywall's outcome (x402 `specs/transports-v2/mcp.md`): a challenge is an
 * `isError` result whose `structuredContent` is the `PaymentRequired` and whose first text is its
 * JSON; a paid result carries its settlement in `_meta`; a refusal is an `isError` result with the
 * reason. A result is never delivered with a failed settlement.
 */
export function renderOutcome(
  outcome: Outcome<CallToolResult>,
  keys: McpPaymentKeys,
): CallToolResult {
  switch (outcome.kind) {
    case 'served':
    case 'replayed':
      return withSettlement(outcome.result, outcome.settlement, outcome.x402Version, keys)
    case 'not-served':
      return outcome.settlement
        ? withSettlement(outcome.result, outcome.settlement, outcome.x402Version, keys)
        : outcome.result
    case 'payment-required':
      return challengeResult(outcome.paymentRequired, outcome.x402Version)
    case 'settlement-failed':
      return withSettlement(
        challengeResult(outcome.paymentRequired, outcome.x402Version),
        outcome.settlement,
        outcome.x402Version,
        keys,
      )
    case 'refused': {
      const body = {
        error: outcome.reason,
        message: outcome.message,
        ...(outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
      }
      const refused: CallToolResult = {
        isError: true,
        content: [{ type: 'text', text: JSON.stringify(body) }],
      }
      return outcome.settlement && outcome.x402Version
        ? withSettlement(refused, outcome.settlement, outcome.x402Version, keys)
        : refused
    }
  }
}

/** The challenge as a tool result, in the version of the payment presented (v2 by default). */
function challengeResult(
  paymentRequired: PaymentRequired,
  x402Version: 1 | 2 | undefined,
): CallToolResult {
  const challenge = x402Version === 1 ? toV1(paymentRequired) : paymentRequired
  return {
    isError: true,
    structuredContent: challenge as Record<string, unknown>,
    content: [{ type: 'text', text: JSON.stringify(challenge) }],
  }
}

/** The v1 challenge a v1 payer reads: `maxAmountRequired`, v1 network names, the resource per option. */
function toV1(paymentRequired: PaymentRequired): PaymentRequiredV1 {
  const { error, resource, accepts } = paymentRequired
  return {
    x402Version: 1,
    error: error ?? '',
    accepts: accepts.map((requirement) => requirementsToV1(requirement, resource)),
  } as PaymentRequiredV1
}

function withSettlement(
  result: CallToolResult,
  settlement: SettleResponse,
  x402Version: 1 | 2,
  keys: McpPaymentKeys,
): CallToolResult {
  const value =
    x402Version === 1
      ? { ...settlement, network: toV1Network(settlement.network) ?? settlement.network }
      : settlement
  return { ...result, _meta: { ...result._meta, [keys.paymentResponse]: value } }
}
