// A loopback HTTP JSON-RPC proxy in front of a node that acts as hosted providers do: it refuses
// `eth_getLogs` over more than `maxLogRangeBlocks` blocks with the JSON-RPC error Alchemy sends
// (`maxLogRangeBlocks: 0` refuses every log query). Single and batched requests both pass; every
// refusal is counted. With `lateReceipts: n`, the first n `eth_getTransactionReceipt` calls of
// each transaction answer `null`, as a node that answers a send before its block is sealed.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RpcProxy = {
  url: string
  /** `eth_getLogs` calls refused so far. */
  readonly refusals: number
  /** `eth_getLogs` calls answered so far. */
  readonly served: number
  /** `eth_getTransactionReceipt` calls per transaction hash so far. */
  readonly receiptReads: ReadonlyMap<string, number>
  /** Changes the widest range served; `0` refuses every log query. */
  setMaxLogRangeBlocks(blocks: number): void
  close(): Promise<void>
}

type Call = { jsonrpc: '2.0'; id: unknown; method: string; params?: unknown[] }

const refusal = (maxBlocks: number) => ({
  code: -32600,
  message: `Log response size exceeded. You can make eth_getLogs requests with up to a ${maxBlocks} block range.`,
})

export async function createRpcProxy(
  target: string,
  { maxLogRangeBlocks, lateReceipts = 0 }: { maxLogRangeBlocks: number; lateReceipts?: number },
): Promise<RpcProxy> {
  let maxBlocks = maxLogRangeBlocks
  const receiptReads = new Map<string, number>()
  let refusals = 0
  let served = 0

  async function forward(call: Call): Promise<unknown> {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call),
    })
    return response.json()
  }

  async function blockOf(tag: unknown): Promise<bigint> {
    if (typeof tag === 'string' && tag.startsWith('0x')) return BigInt(tag)
    if (tag === 'earliest') return 0n
    const head = (await forward({ jsonrpc: '2.0', id: 0, method: 'eth_blockNumber' })) as {
      result: string
    }
    return BigInt(head.result)
  }

  async function answer(call: Call): Promise<unknown> {
    if (call.method === 'eth_getTransactionReceipt') {
      const hash = String(call.params?.[0]).toLowerCase()
      const reads = (receiptReads.get(hash) ?? 0) + 1
      receiptReads.set(hash, reads)
      if (reads <= lateReceipts) return { jsonrpc: '2.0', id: call.id, result: null }
    }
    if (call.method !== 'eth_getLogs') return forward(call)
    const [filter] = (call.params ?? []) as [{ fromBlock?: unknown; toBlock?: unknown }]
    const range = (await blockOf(filter?.toBlock)) - (await blockOf(filter?.fromBlock ?? 'latest'))
    if (maxBlocks === 0 || range + 1n > BigInt(maxBlocks)) {
      refusals++
      return { jsonrpc: '2.0', id: call.id, error: refusal(maxBlocks) }
    }
    served++
    return forward(call)
  }

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Call | Call[]
      const result = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(result))
    } catch {
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'proxy' } }),
      )
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get refusals() {
      return refusals
    },
    get served() {
      return served
    },
    receiptReads,
    setMaxLogRangeBlocks(blocks) {
      maxBlocks = blocks
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
