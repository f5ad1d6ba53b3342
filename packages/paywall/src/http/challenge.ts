import {
  encodePaymentRequiredHeader,
  headerNames,
  type PaymentRequired,
  type PaymentRequirements,
  type ResourceInfo,
} from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { describeOptions, type PaywallPageRenderer } from '../paywall/page.js'
import type { PaywallResponse, ResponseHeaders } from './request.js'
import { toV1Requirement } from './requirements.js'

export type BuildChallengeParameters = {
  accepts: readonly PaymentRequirements[]
  resource: ResourceInfo
  /** The reason string (`payment_required`, a verify `invalidReason`, ...). */
  error: string
  /** One human sentence, sent in the JSON body beside the reason. */
  message?: string | undefined
  extensions?: Record<string, unknown> | undefined
  /** Extensions the v1 JSON body carries too (top-level `extensions`, ignored by legacy clients). */
  v1Extensions?: Record<string, unknown> | undefined
  outputSchema?: Record<string, unknown> | undefined
  /** Set for browsers: the body is this page instead of JSON. */
  page?: { render: PaywallPageRenderer; assets: readonly Asset[] | undefined } | undefined
  /** 402 unless a verification asked for 412. */
  status?: number | undefined
  /** Extra headers (the failed `PAYMENT-RESPONSE` after a failed settlement). */
  headers?: ResponseHeaders | undefined
}

/** The v2 challenge object of the `PAYMENT-REQUIRED` header. */
export function buildPaymentRequired({
  accepts,
  resource,
  error,
  extensions,
}: Pick<
  BuildChallengeParameters,
  'accepts' | 'resource' | 'error' | 'extensions'
>): PaymentRequired {
  return {
    x402Version: 2,
    error,
    resource,
    accepts: [...accepts],
    ...(extensions && Object.keys(extensions).length > 0 ? { extensions } : {}),
  } as PaymentRequired
}

/**
 * A 402 both protocol versions can pay: the v2 challenge in `PAYMENT-REQUIRED` and the v1 JSON body
 * (`{ x402Version: 1, error, accepts }`) legacy clients read, or an HTML page for a browser (the
 * header is still there). Never cached.
 */
export function buildChallenge(parameters: BuildChallengeParameters): PaywallResponse {
  const { accepts, resource, error, message, outputSchema, page, v1Extensions } = parameters
  const { status = 402 } = parameters
  const paymentRequired = buildPaymentRequired(parameters)
  const headers: ResponseHeaders = {
    ...parameters.headers,
    [headerNames.paymentRequired]: encodePaymentRequiredHeader(paymentRequired),
    'Cache-Control': 'no-store',
  }
  if (page) {
    headers['Content-Type'] = 'text/html; charset=utf-8'
    const options = describeOptions(paymentRequired, page.assets)
    return { status, headers, body: page.render({ paymentRequired, options }) }
  }
  headers['Content-Type'] = 'application/json; charset=utf-8'
  const body = {
    x402Version: 1,
    error,
    ...(message ? { message } : {}),
    accepts: accepts.map((requirement) => toV1Requirement(requirement, resource, outputSchema)),
    ...(v1Extensions && Object.keys(v1Extensions).length > 0 ? { extensions: v1Extensions } : {}),
  }
  return { status, headers, body: JSON.stringify(body) }
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
