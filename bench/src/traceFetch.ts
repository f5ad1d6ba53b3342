import type { Timings } from './timings.js'

/**
 * Replaces `globalThis.fetch` of this (child) process with one that times each call: JSON-RPC
 * calls by method (`rpc eth_sendRawTransaction`), other calls by path (`http POST /settle`).
 */
export function traceFetch(timings: Timings): void {
  const original = globalThis.fetch
  globalThis.fetch = (input, init) => {
    let name: string
    try {
      const url = new URL(input instanceof Request ? input.url : String(input))
      const body = typeof init?.body === 'string' ? init.body : undefined
      const rpc = body?.startsWith('{"jsonrpc"') || body?.startsWith('[')
      name = rpc
        ? `rpc ${body!.startsWith('[') ? 'batch' : (JSON.parse(body!) as { method: string }).method}`
        : `http ${init?.method ?? 'GET'} ${url.pathname}`
    } catch {
      name = 'fetch'
    }
    return timings.time(name, () => original(input, init))
  }
}
