import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createChainClient } from './createChainClient.js'
import { type RpcObservation, rpcMethodOf } from './observeRpc.js'

// A JSON-RPC node stand-in on loopback: answers eth_chainId, fails anything else with a 500.
let server: Server
let origin: string
const seen: { url: string; socket: unknown; body: string }[] = []

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    seen.push({ url: req.url ?? '', socket: req.socket, body })
    // The client batches (JSON-RPC arrays), even one call.
    const parsed = JSON.parse(body) as
      | { id: number; method: string }
      | { id: number; method: string }[]
    const calls = Array.isArray(parsed) ? parsed : [parsed]
    if (calls.some((call) => call.method !== 'eth_chainId')) {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('node exploded')
      return
    }
    const answers = calls.map((call) => ({ jsonrpc: '2.0', id: call.id, result: '0x7a69' }))
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  server.close()
  await once(server, 'close')
})

test('JSON-RPC goes to the URL with its key, over kept-alive connections; errors never name the key', async () => {
  const client = createChainClient({
    chainId: 31337,
    rpcUrls: [`${origin}/v2/secret-key-123`],
    retryCount: 0,
  })
  for (let i = 0; i < 3; i++) expect(await client.getChainId()).toBe(31337)
  expect(seen.slice(0, 3).map((call) => call.url)).toEqual(Array(3).fill('/v2/secret-key-123'))
  expect(new Set(seen.slice(0, 3).map((call) => call.socket)).size).toBe(1)

  const error = await client.getBlockNumber().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(Error)
  const shown = `${String(error)} ${JSON.stringify(error, Object.getOwnPropertyNames(error))}`
  expect(shown).toContain('node exploded')
  expect(shown).not.toContain('secret-key-123')
})

test('every exchange is reported with its method, endpoint, duration and outcome, never the URL', async () => {
  const observed: RpcObservation[] = []
  const client = createChainClient({
    chainId: 31337,
    rpcUrls: [`${origin}/v2/secret-key-123`],
    retryCount: 0,
    onRpc: (observation) => observed.push(observation),
  })
  expect(await client.getChainId()).toBe(31337)
  await client.getBlockNumber().catch(() => undefined)
  expect(observed.map(({ method, endpoint, outcome }) => ({ method, endpoint, outcome }))).toEqual([
    { method: 'eth_chainId', endpoint: 1, outcome: 'ok' },
    { method: 'eth_blockNumber', endpoint: 1, outcome: 'error' },
  ])
  for (const { seconds } of observed) expect(seconds).toBeGreaterThan(0)
  expect(JSON.stringify(observed)).not.toContain('secret-key-123')
})

test('the method of a body: one method even in a batch, `batch` for several, never arbitrary text', () => {
  expect(rpcMethodOf('[{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[]}]')).toBe('eth_call')
  expect(
    rpcMethodOf(
      '[{"jsonrpc":"2.0","id":1,"method":"eth_call"},{"jsonrpc":"2.0","id":2,"method":"eth_call"}]',
    ),
  ).toBe('eth_call')
  expect(
    rpcMethodOf('[{"id":1,"method":"eth_call"},{"id":2,"method":"eth_getTransactionReceipt"}]'),
  ).toBe('batch')
  expect(rpcMethodOf('{"id":1,"method":"eth_x\\"}')).toBe('unknown')
  expect(rpcMethodOf('{"id":1,"method":"a b"}')).toBe('unknown')
  expect(rpcMethodOf(undefined)).toBe('unknown')
})
