import { listen } from '@tollgate/test'

// A JSON-RPC proxy on loopback in front of the devnet that refuses `eth_getLogs` as public RPCs
// do: over a range wider than `maxLogRange` blocks (or every one, `refuseLogs: 'all'`).

type JsonRpcRequest = { id: unknown; method: string; params?: unknown[] }

/** A log query's block range, as the RPC reads it; `undefined` for an open-ended one. */
function rangeOf(request: JsonRpcRequest): bigint | undefined {
  const filter = (request.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string }
  if (!filter.fromBlock?.startsWith('0x') || !filter.toBlock?.startsWith('0x')) return undefined
  return BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n
}

/** Starts the proxy; `logQueries` lists the block range of every `eth_getLogs` it was sent. */
export async function startRpcProxy(
  upstream: string,
  {
    maxLogRange = 1_000n,
    refuseLogs = 'wide',
  }: { maxLogRange?: bigint; refuseLogs?: 'wide' | 'all' } = {},
) {
  const logQueries: (bigint | undefined)[] = []
  /** The refusal a public RPC would give, or `undefined` to forward the request. */
  function refusal(request: JsonRpcRequest): unknown {
    if (request.method !== 'eth_getLogs') return undefined
    const range = rangeOf(request)
    logQueries.push(range)
    if (refuseLogs === 'wide' && range !== undefined && range <= maxLogRange) return undefined
    return {
      jsonrpc: '2.0',
      id: request.id,
      error: { code: -32005, message: `query exceeds max block range ${maxLogRange}` },
    }
  }
  async function forward(request: JsonRpcRequest): Promise<unknown> {
    const refused = refusal(request)
    if (refused !== undefined) return refused
    const response = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    })
    return response.json()
  }
  const server = await listen({
    async fetch(request) {
      const body = (await request.json()) as JsonRpcRequest | JsonRpcRequest[]
      return Response.json(
        Array.isArray(body) ? await Promise.all(body.map(forward)) : await forward(body),
      )
    },
  })
  return { url: server.url, logQueries, close: () => server.close() }
}
