type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** One JSON-RPC exchange with a node, as `onRpc` sees it. */
export type RpcObservation = {
  /** The JSON-RPC method, or `batch` for requests of several methods sent together. */
  method: string
  /** 1-based position of the URL in the chain's `rpcUrls` (never the URL: it may hold a key). */
  endpoint: number
  /** From the request sent to its answer read, in seconds. */
  seconds: number
  /** `error`: no answer, or an HTTP status outside 2xx. A JSON-RPC error in a 200 is `ok`. */
  outcome: 'ok' | 'error'
}

/**
 * The method of a JSON-RPC body, read without parsing it (viem writes `"method":"..."` plainly):
 * the one method of its requests (viem sends even one request as a batch), `batch` when they
 * differ, `unknown` when none is readable.
 */
export function rpcMethodOf(body: unknown): string {
  if (typeof body !== 'string') return 'unknown'
  let method: string | undefined
  for (let at = body.indexOf('"method":"'); at >= 0; at = body.indexOf('"method":"', at + 1)) {
    const start = at + 10
    const end = body.indexOf('"', start)
    const name = end < 0 ? '' : body.slice(start, end)
    if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) return 'unknown'
    if (method !== undefined && name !== method) return 'batch'
    method = name
  }
  return method ?? 'unknown'
}

/** `fetchFn`, with each exchange reported to `observe` once it is answered or has failed. */
export function observeRpcFetch(
  fetchFn: FetchFn,
  endpoint: number,
  observe: (observation: RpcObservation) => void,
): FetchFn {
  return async (input, init) => {
    const started = performance.now()
    const method = rpcMethodOf(init?.body)
    const report = (outcome: RpcObservation['outcome']) => {
      try {
        observe({ method, endpoint, seconds: (performance.now() - started) / 1000, outcome })
      } catch {
        // An observer's failure is not the node's.
      }
    }
    try {
      const response = await fetchFn(input, init)
      report(response.ok ? 'ok' : 'error')
      return response
    } catch (error) {
      report('error')
      throw error
    }
  }
}
