import type { HttpPaywall } from '../createHttpPaywall.js'
import { handleWebRequest } from './handleWebRequest.js'

/** A Web-standard handler: a `Request` in, a `Response` out, with whatever the runtime adds (`env`, `ctx`). */
export type WebHandler<rest extends unknown[] = []> = (
  request: Request,
  ...rest: rest
) => Response | Promise<Response>

/** Parameters of {@link withPaywall}. */
export type WithPaywallParameters = {
  /** The HTTP paywall (`createHttpPaywall`) whose routes price the requests. */
  paywall: HttpPaywall<Request>
  /** The largest handler response held until the payment settles, in bytes. @default 10485760 (10 MiB) */
  maxBodyBytes?: number | undefined
}

/**
 * Puts a `(request) => Response` handler behind the paywall, for any Web-standard runtime
 * (Cloudflare Workers, Deno, Bun, Node with a fetch adapter). A request to a priced route gets a
 * 402, or, paid, runs the handler with its response held whole until the payment settles; others
 * reach the handler untouched. No Node built-in is used.
 *
 * Price functions and hooks get `request.raw`, a copy of the request when it has a body, so
 * reading it there leaves the handler's body intact.
 *
 * @example
 * ```ts
 * import { createHttpPaywall, withPaywall } from '@tollgate/paywall/http'
 *
 * const paywall = createHttpPaywall(facilitator, {
 *   routes: { 'GET /report': { price: '$0.01', payTo: '0xYourAddress', network: 'base' } },
 * })
 * export default { fetch: withPaywall((request) => Response.json({ report: 'paid' }), { paywall }) }
 * ```
 */
export function withPaywall<rest extends unknown[]>(
  handler: WebHandler<rest>,
  { paywall, maxBodyBytes }: WithPaywallParameters,
): (request: Request, ...rest: rest) => Promise<Response> {
  return async function paywalled(request, ...rest) {
    const response = await handleWebRequest(paywall, {
      request,
      raw: request.body === null ? request : request.clone(),
      next: () => handler(request, ...rest),
      maxBodyBytes,
    })
    return response ?? handler(request, ...rest)
  }
}
