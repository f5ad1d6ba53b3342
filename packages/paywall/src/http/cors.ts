import { headerNames } from '@tollgate/core'
import type { HttpResponseHeaders, PaywallResponse } from './types.js'

/** CORS for priced routes, so browser agents can read the challenge and send a payment. */
export type CorsConfig = {
  /** Origins allowed: `'*'`, one origin, a list, or a predicate. @default '*' */
  origin?: '*' | string | readonly string[] | ((origin: string) => boolean) | undefined
  /** Request headers allowed in preflight besides the x402 ones. @default the headers the preflight asks for */
  allowHeaders?: readonly string[] | undefined
  /** `Access-Control-Allow-Credentials: true` (then the origin is echoed, never `*`). @default false */
  credentials?: boolean | undefined
  /** Seconds a browser may cache a preflight. @default 600 */
  maxAgeSeconds?: number | undefined
}

/** The CORS option checked once. */
export type ResolvedCors = {
  allowOrigin(origin: string | undefined): string | undefined
  allowHeaders: readonly string[] | undefined
  credentials: boolean
  maxAgeSeconds: number
}

/** Headers a browser script must be able to read on paywalled responses. */
export const exposedHeaders = [
  headerNames.paymentRequired,
  headerNames.paymentResponse,
  headerNames.xPaymentResponse,
] as const

/** `exposedHeaders` as the header's value, when no earlier middleware set one. */
const exposedList = exposedHeaders.join(', ')

/**
 * Request headers a paying browser sends: the payment headers, and the
 * `Access-Control-Expose-Headers` *request* header `@x402/fetch` adds to its retry.
 */
export const paymentRequestHeaders = [
  headerNames.paymentSignature,
  headerNames.xPayment,
  'Access-Control-Expose-Headers',
  'Content-Type',
] as const

/** `false` turns the paywall's CORS handling off (the app's own CORS middleware then decides). */
export function resolveCors(option: boolean | CorsConfig | undefined): ResolvedCors | undefined {
  if (option === false) return undefined
  const {
    origin = '*',
    allowHeaders,
    credentials = false,
    maxAgeSeconds = 600,
  } = option === true || option === undefined ? {} : option
  const allowOrigin = (requestOrigin: string | undefined): string | undefined => {
    if (origin === '*') return credentials ? requestOrigin : '*'
    if (requestOrigin === undefined) return undefined
    if (typeof origin === 'string') return origin === requestOrigin ? requestOrigin : undefined
    if (typeof origin === 'function') return origin(requestOrigin) ? requestOrigin : undefined
    return origin.includes(requestOrigin) ? requestOrigin : undefined
  }
  return { allowOrigin, allowHeaders, credentials, maxAgeSeconds }
}

/** A comma list with `additions` appended, each name once (case-insensitive). */
export function mergeHeaderList(
  existing: string | undefined,
  additions: readonly string[],
): string {
  const names = (existing ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const seen = new Set(names.map((name) => name.toLowerCase()))
  for (const name of additions)
    if (!seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase())
      names.push(name)
    }
  return names.join(', ')
}

/** The CORS headers of an actual (non-preflight) response on a priced route. */
export function corsResponseHeaders(
  cors: ResolvedCors,
  origin: string | undefined,
): { allowOrigin: string | undefined; credentials: boolean; vary: boolean } {
  const allowOrigin = cors.allowOrigin(origin)
  return {
    allowOrigin,
    credentials: cors.credentials && allowOrigin !== undefined,
    vary: allowOrigin !== '*',
  }
}

/**
 * Sets the CORS headers of a priced route on whatever response goes out. An app-level CORS
 * middleware that ran first wins; the x402 headers are added to its list of exposed headers.
 */
export function applyCors(
  cors: ResolvedCors,
  origin: string | undefined,
  response: HttpResponseHeaders,
): void {
  const { allowOrigin, credentials, vary } = corsResponseHeaders(cors, origin)
  if (
    allowOrigin !== undefined &&
    response.getHeader('Access-Control-Allow-Origin') === undefined
  ) {
    response.setHeader('Access-Control-Allow-Origin', allowOrigin)
    if (credentials) response.setHeader('Access-Control-Allow-Credentials', 'true')
    if (vary) response.setHeader('Vary', mergeHeaderList(response.getHeader('Vary'), ['Origin']))
  }
  const exposed = response.getHeader('Access-Control-Expose-Headers')
  response.setHeader(
    'Access-Control-Expose-Headers',
    exposed ? mergeHeaderList(exposed, exposedHeaders) : exposedList,
  )
}

/** The answer to a CORS preflight for a priced route, or `undefined` when the origin is not allowed. */
export function preflightResponse(
  cors: ResolvedCors,
  {
    origin,
    requestMethod,
    requestHeaders,
  }: { origin: string | undefined; requestMethod: string; requestHeaders: string | undefined },
): PaywallResponse | undefined {
  const allowOrigin = cors.allowOrigin(origin)
  if (allowOrigin === undefined) return undefined
  const requested = (requestHeaders ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const headers: PaywallResponse['headers'] = {
    'Access-Control-Allow-Origin': allowOrigin,
    'Access-Control-Allow-Methods': requestMethod.toUpperCase(),
    'Access-Control-Allow-Headers': mergeHeaderList(undefined, [
      ...paymentRequestHeaders,
      ...(cors.allowHeaders ?? requested),
    ]),
    'Access-Control-Expose-Headers': exposedHeaders.join(', '),
    'Access-Control-Max-Age': String(cors.maxAgeSeconds),
    'Content-Length': '0',
  }
  if (allowOrigin !== '*') headers.Vary = 'Origin'
  if (cors.credentials) headers['Access-Control-Allow-Credentials'] = 'true'
  return { status: 204, headers, body: '' }
}
