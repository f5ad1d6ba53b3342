import {
  encodePaymentRequiredHeader,
  headerNames,
  type PaymentRequired,
  type PaymentRequiredV1,
  paymentIdentifierKey,
} from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { toV1Requirement } from '../offer/resource.js'
import { describeOptions } from './page/describeOptions.js'
import type { PaywallPageRenderer } from './page/types.js'
import type { PaywallResponse, ResponseHeaders } from './types.js'

/** Parameters of {@link buildChallenge}. */
export type BuildChallengeParameters = {
  /** The v2 challenge; its `error` is the reason. */
  paymentRequired: PaymentRequired
  /** One human sentence, sent in the JSON body beside the reason. */
  message?: string | undefined
  /** JSON Schema of the response, advertised to v1 clients. */
  outputSchema?: Record<string, unknown> | undefined
  /** Set for browsers: the body is this page instead of JSON. */
  page?: { render: PaywallPageRenderer; assets: readonly Asset[] | undefined } | undefined
  /** 402 unless a verification asked for 412. */
  status?: number | undefined
  /** Extra headers (the failed `PAYMENT-RESPONSE` after a failed settlement). */
  headers?: ResponseHeaders | undefined
}

/**
 * A 402 both protocol versions can pay: the v2 challenge in `PAYMENT-REQUIRED` and the v1 JSON body
 * (`{ x402Version: 1, error, accepts }`) legacy clients read, or an HTML page for a browser (the
 * header is still there). Never cached.
 */
export function buildChallenge(parameters: BuildChallengeParameters): PaywallResponse {
  const { paymentRequired, message, outputSchema, page, status = 402 } = parameters
  const headers: ResponseHeaders = {
    ...parameters.headers,
    [headerNames.paymentRequired]: encodePaymentRequiredHeader(paymentRequired),
    'Cache-Control': 'no-store',
  }
  const v1 = paymentRequiredV1(paymentRequired, message, outputSchema)
  if (page) {
    const options = describeOptions(paymentRequired, page.assets)
    const rendered = page.render({ paymentRequired, paymentRequiredV1: v1, options })
    const { html, headers: pageHeaders } =
      typeof rendered === 'string' ? { html: rendered, headers: undefined } : rendered
    headers['Content-Type'] = 'text/html; charset=utf-8'
    // The 402's own headers win: a renderer cannot make the challenge cacheable or drop it.
    return { status, headers: { ...pageHeaders, ...headers }, body: html }
  }
  headers['Content-Type'] = 'application/json; charset=utf-8'
  return { status, headers, body: JSON.stringify(v1) }
}

/** The v1 JSON body: `{ x402Version: 1, error, message?, accepts, extensions? }`. */
function paymentRequiredV1(
  paymentRequired: PaymentRequired,
  message: string | undefined,
  outputSchema: Record<string, unknown> | undefined,
): PaymentRequiredV1 {
  const { error, resource, accepts } = paymentRequired
  const v1Extensions = v1ExtensionsOf(paymentRequired)
  return {
    x402Version: 1,
    error,
    ...(message ? { message } : {}),
    accepts: accepts.map((requirement) => toV1Requirement(requirement, resource, outputSchema)),
    ...(v1Extensions ? { extensions: v1Extensions } : {}),
  }
}

/**
 * The extensions the v1 body carries too (a top-level `extensions`, which legacy clients ignore):
 * all but the payment identifier, which is v2 only.
 */
function v1ExtensionsOf({ extensions }: PaymentRequired): Record<string, unknown> | undefined {
  if (!extensions) return undefined
  const { [paymentIdentifierKey]: _v2Only, ...rest } = extensions as Record<string, unknown>
  return Object.keys(rest).length > 0 ? rest : undefined
}

/** A JSON answer that is not a challenge (400, 409, 5xx): the reason and a sentence. */
export function buildErrorResponse({
  status,
  error,
  message,
  headers,
}: {
  status: number
  error: string
  message: string
  headers?: ResponseHeaders | undefined
}): PaywallResponse {
  return {
    status,
    headers: {
      ...headers,
      'Cache-Control': 'no-store',
      'Content-Type': 'application/json; charset=utf-8',
    },
    body: JSON.stringify({ error, message }),
  }
}
