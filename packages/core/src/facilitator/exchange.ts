import {
  FacilitatorError,
  type FacilitatorOperation,
  FacilitatorTimeoutError,
} from '../errors/facilitator.js'
import type { Send, SendAnswer, SendRequest } from './send.js'

/** One facilitator call on the wire: where, how, and the limits it runs under. */
export type Exchange = {
  operation: FacilitatorOperation
  endpoint: string
  /** JSON body (a POST), or `undefined` (a GET). */
  body: unknown
  headers: Record<string, string> | undefined
  authHeaders: (() => Promise<Record<string, string> | undefined>) | undefined
  send: Send
  timeoutMs: number
}

/** What came back: the status and the whole body as text. */
export type ExchangeAnswer = { status: number; text: string }

/**
 * Sends one facilitator call and reads its answer within `timeoutMs` (auth headers included).
 * A connection cut before any answer arrived is sent once more: a pooled keep-alive connection the
 * server had just closed fails that way, and every facilitator call is safe to repeat (verify and
 * the GETs read; a Tollgate facilitator settles a payment once whatever it is sent, and the chain
 * refuses a second use of an authorization at any other).
 */
export async function exchange(call: Exchange): Promise<ExchangeAnswer> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), call.timeoutMs)
  try {
    // The timeout covers the auth headers too: a token service that hangs must not hang us.
    const auth = call.authHeaders
      ? await untilAborted(call.authHeaders(), controller.signal)
      : undefined
    const request = sendRequest(call, auth, controller.signal)
    const answer = await call.send(call.endpoint, request).catch((error: unknown) => {
      if (controller.signal.aborted || !isConnectionCut(error)) throw error
      return call.send(call.endpoint, request)
    })
    return await readText(call, answer, controller.signal)
  } catch (error) {
    if (error instanceof FacilitatorError) throw error
    throw failure(call, error, controller.signal.aborted)
  } finally {
    clearTimeout(timer)
  }
}

function sendRequest(
  { body, headers }: Exchange,
  auth: Record<string, string> | undefined,
  signal: AbortSignal,
): SendRequest {
  return {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
      ...auth,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  }
}

async function readText(
  call: Exchange,
  response: SendAnswer,
  signal: AbortSignal,
): Promise<ExchangeAnswer> {
  try {
    return { status: response.status, text: await response.text() }
  } catch (error) {
    if (signal.aborted) throw failure(call, error, true)
    throw new FacilitatorError({
      operation: call.operation,
      url: call.endpoint,
      status: response.status,
      reason: 'response body could not be read.',
      cause: error,
    })
  }
}

function failure(call: Exchange, error: unknown, timedOut: boolean): FacilitatorError {
  const { operation, endpoint: url, timeoutMs } = call
  if (timedOut) return new FacilitatorTimeoutError({ operation, url, timeoutMs, cause: error })
  return new FacilitatorError({ operation, url, reason: 'request failed.', cause: error })
}

// Socket errors that mean the connection ended before an answer (Node's and undici's names).
const cutCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])

/** Whether a send failed because its connection was cut (not refused, not aborted). */
export function isConnectionCut(error: unknown): boolean {
  for (let at = error, depth = 0; at instanceof Error && depth < 5; depth++) {
    const code = (at as { code?: unknown }).code
    if (typeof code === 'string' && cutCodes.has(code)) return true
    at = at.cause
  }
  return false
}

function untilAborted<value>(promise: Promise<value>, signal: AbortSignal): Promise<value> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (result) => {
        signal.removeEventListener('abort', onAbort)
        resolve(result)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
