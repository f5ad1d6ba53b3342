import type { Challenge, PayerCall } from '@tollgate/payer'
import type { ResponseLike } from '../challenge.js'
import { discard, readChallenge } from '../challenge.js'
import { challengeKey, narrowChallenge } from '../challengeCache.js'
import { BodyNotReplayableError } from '../errors/request.js'
import type { PreparedRequest } from '../request.js'
import { exchange } from './exchange.js'
import { responseUrl } from './followRedirect.js'
import type { FetchTransport } from './transport.js'

/**
 * One call of the wrapped fetch, inside the payer's call: a purchase's earlier payment is re-sent
 * straight away (no 402 round trip); otherwise the request goes out unpaid (or pre-paid from a
 * remembered challenge) and a 402 it gets is paid once.
 */
export async function payRequest(
  transport: FetchTransport,
  request: PreparedRequest,
  call: PayerCall,
): Promise<ResponseLike> {
  const resend = await call.retry()
  if (!resend) return payFresh(transport, request, call)
  if (!request.replayable) {
    await resend.notSent()
    throw new BodyNotReplayableError({ limit: transport.maxBufferedBodyBytes })
  }
  return (await exchange(transport, request, resend)).response
}

/** A call's first payment (or a new one replacing an authorization that can no longer pay). */
async function payFresh(transport: FetchTransport, request: PreparedRequest, call: PayerCall) {
  const { cache, payer, send } = transport
  const key = cache && challengeKey(request.method, request.url)
  const cached = key === undefined ? undefined : cache?.get(key, payer.now())
  if (key !== undefined && cached) return payAhead(transport, request, call, { key, cached })
  // The unpaid request follows redirects as the caller asked: it carries no payment.
  const response = await send(request.url.href, request.init())
  if (response.status !== 402) return response
  const url = responseUrl(response, request.url)
  const challenge = await readChallenge(response, url)
  if (!challenge) return response
  return payChallenge(transport, request, call, { unpaid: response, challenge, key, url })
}

/**
 * Pays a remembered challenge on the first request. Only a payment proven refused (a 402, the
 * authorization unspent) may be replaced, once: the new challenge passes every rule again, and
 * counts toward the route's limits.
 */
async function payAhead(
  transport: FetchTransport,
  request: PreparedRequest,
  call: PayerCall,
  { key, cached }: { key: string; cached: Challenge },
) {
  const attempt = await call.pay({
    paymentRequired: cached.paymentRequired,
    source: { url: request.url, requestedUrl: request.url, method: request.method },
    preemptive: true,
  })
  const { response } = await exchange(transport, request, attempt)
  if (attempt.receipt.status !== 'refused' || response.status !== 402) return response
  transport.cache?.delete(key)
  const challenge = await readChallenge(response, request.url)
  if (!challenge) return response
  return payChallenge(transport, request, call, {
    unpaid: response,
    challenge,
    key,
    url: request.url,
  })
}

/** Pays a challenge received in answer to an unpaid (or refused pre-emptive) request. */
async function payChallenge(
  transport: FetchTransport,
  request: PreparedRequest,
  call: PayerCall,
  {
    unpaid,
    challenge,
    key,
    url,
  }: { unpaid: ResponseLike; challenge: Challenge; key: string | undefined; url: URL },
) {
  const { cache, payer, maxBufferedBodyBytes } = transport
  await discard(unpaid)
  if (!request.replayable) throw new BodyNotReplayableError({ limit: maxBufferedBodyBytes })
  const received = payer.now()
  const attempt = await call.pay({
    paymentRequired: challenge.paymentRequired,
    source: { url, requestedUrl: request.url, method: request.method },
  })
  const { response, receipt } = await exchange(transport, request, attempt)
  // Only a route answered where it was asked is paid ahead of its 402 next time.
  const { candidate } = attempt
  if (cache && key && candidate && receipt.status === 'settled' && url.href === request.url.href) {
    const expiresAt = received + candidate.requirements.maxTimeoutSeconds * 1000
    cache.set(key, narrowChallenge(challenge, candidate.index), expiresAt)
  }
  return response
}
