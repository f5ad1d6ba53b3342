// Coinbase's hosted facilitator cannot be reached from a test, so a loopback stand-in takes its
// place: it checks every call's CDP auth (an Ed25519 JWT bound to the call's method, host and path,
// signed by the provider's key) and forwards the call to a facilitator settling on the devnet.
import { generateKeyPairSync, verify } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { testUsdcAbi } from '@tollgate/contracts'
import { createLocalFacilitator } from '@tollgate/express'
import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runExample, stopExamples } from '../../paid-api/test/runExample.js'

const devnet = useDevnet({ accounts: 3 })
const basePath = '/platform/v2/x402'
const keyId = 'organizations/test-org/apiKeys/test-key'
const keys = generateKeyPairSync('ed25519')
const jwk = keys.privateKey.export({ format: 'jwk' })
// A CDP Ed25519 secret: base64 of the 32-byte seed followed by the 32-byte public key.
const keySecret = Buffer.concat([
  Buffer.from(jwk.d!, 'base64url'),
  Buffer.from(jwk.x!, 'base64url'),
]).toString('base64')

type Call = { method: string; path: string; auth: 'ok' | string }
const calls: Call[] = []
const standIn = createServer()
let facilitatorUrl: string

/** Why the request's CDP auth is wrong, or 'ok'. */
function checkAuth(authorization: string | undefined, method: string, hostPath: string): string {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? '')
  if (!match) return 'no bearer JWT'
  const [, header, claims, signature] = match as unknown as [string, string, string, string]
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString())
  const head = decode(header)
  const body = decode(claims)
  if (head.alg !== 'EdDSA' || head.kid !== keyId || head.typ !== 'JWT') return 'bad header'
  if (typeof head.nonce !== 'string' || head.nonce.length < 16) return 'no nonce'
  if (body.iss !== 'cdp' || body.sub !== keyId) return 'bad issuer or subject'
  const now = Math.floor(Date.now() / 1000)
  if (!(body.nbf <= now && now < body.exp && body.exp - body.nbf <= 120)) return 'bad lifetime'
  if (JSON.stringify(body.uris) !== JSON.stringify([`${method} ${hostPath}`]))
    return `bad uris ${JSON.stringify(body.uris)}`
  const signed = Buffer.from(`${header}.${claims}`)
  if (!verify(null, signed, keys.publicKey, Buffer.from(signature, 'base64url')))
    return 'bad signature'
  return 'ok'
}

beforeAll(async () => {
  const settler = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets: [devnet.usdc],
  })
  standIn.on('request', async (req, res) => {
    const { port } = standIn.address() as AddressInfo
    const url = new URL(req.url ?? '/', 'http://stand-in')
    const method = req.method ?? 'GET'
    const auth = checkAuth(req.headers.authorization, method, `127.0.0.1:${port}${url.pathname}`)
    const path = url.pathname.slice(basePath.length)
    calls.push({ method, path, auth })
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (auth !== 'ok') return answer(401, { errorMessage: 'Unauthorized' })
    if (!req.headers['correlation-context']) return answer(400, { errorMessage: 'no context' })
    let text = ''
    for await (const chunk of req) text += chunk
    const body = text ? JSON.parse(text) : undefined
    if (method === 'GET' && path === '/supported') return answer(200, await settler.supported())
    if (method === 'POST' && path === '/verify') return answer(200, await settler.verify(body))
    if (method === 'POST' && path === '/settle') return answer(200, await settler.settle(body))
    answer(404, { errorMessage: 'Not found' })
  })
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve))
  facilitatorUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}${basePath}`
})
afterAll(async () => {
  await stopExamples()
  await new Promise((resolve) => standIn.close(resolve))
})

const balanceOf = (address: `0x${string}`) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

test('verifies and settles through the hosted facilitator with CDP-signed calls', async () => {
  const [buyer, seller] = devnet.accounts as [
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
  ]
  const server = runExample('hosted-facilitator/src/server.ts', {
    CDP_API_KEY_ID: keyId,
    CDP_API_KEY_SECRET: keySecret,
    FACILITATOR_URL: facilitatorUrl,
    PAY_TO: seller.address,
    RPC_URL: devnet.rpcUrl,
    USDC_ADDRESS: devnet.usdc.address,
    PRICE: '$0.05',
    PORT: '0',
  })
  const [, url] = await server.waitFor(/hosted-facilitator listening on (http:\S+)/)

  const before = await balanceOf(seller.address)
  const pay = wrapFetch(fetch, { account: buyer.account, assets: [devnet.usdc] })
  const response = await pay(`${url}/quote`)
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ symbol: 'ACME', price: '12.34' })
  const receipt = getReceipt(response)!
  expect(receipt.status).toBe('settled')
  expect(receipt.amount).toBe(50_000n)
  expect(await balanceOf(seller.address)).toBe(before + 50_000n)

  // Every call reached the stand-in properly signed; verify came before settle.
  const paid = calls.filter((call) => call.path !== '/supported')
  expect(paid).toEqual([
    { method: 'POST', path: '/verify', auth: 'ok' },
    { method: 'POST', path: '/settle', auth: 'ok' },
  ])
  expect(calls.every((call) => call.auth === 'ok')).toBe(true)

  expect(await server.stop()).toBe(0)
  expect(server.output()).not.toContain(keySecret)
})

test('a wrong key is refused by the facilitator, and the client is not served', async () => {
  const other = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
  const server = runExample('hosted-facilitator/src/server.ts', {
    CDP_API_KEY_ID: keyId,
    CDP_API_KEY_SECRET: Buffer.concat([
      Buffer.from(other.d!, 'base64url'),
      Buffer.from(other.x!, 'base64url'),
    ]).toString('base64'),
    FACILITATOR_URL: facilitatorUrl,
    PAY_TO: devnet.accounts[1]!.address,
    RPC_URL: devnet.rpcUrl,
    USDC_ADDRESS: devnet.usdc.address,
    PORT: '0',
  })
  const [, url] = await server.waitFor(/hosted-facilitator listening on (http:\S+)/)
  const before = await balanceOf(devnet.accounts[1]!.address)
  calls.length = 0
  const pay = wrapFetch(fetch, { account: devnet.accounts[0]!.account, assets: [devnet.usdc] })
  const response = await pay(`${url}/quote`)
  expect(response.status).not.toBe(200)
  expect(await response.text()).not.toContain('ACME')
  expect(calls).toContainEqual({ method: 'POST', path: '/verify', auth: 'bad signature' })
  expect(await balanceOf(devnet.accounts[1]!.address)).toBe(before)
  expect(await server.stop()).toBe(0)
})
