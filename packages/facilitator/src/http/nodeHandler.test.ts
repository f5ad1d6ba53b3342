import { Agent, request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import type { PaymentPayload } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { devnetChain, pay, randomAddress, requirementsFor, until } from '../../test/fixtures.js'
import { createFacilitator, type Facilitator } from '../createFacilitator.js'
import { FacilitatorRequestError } from '../errors.js'
import { createSqliteLedger } from '../ledger/createSqliteLedger.js'
import type { Ledger } from '../ledger/types.js'
import { type ServeFacilitatorReturnType, serveFacilitator } from './serveFacilitator.js'

const devnet = useDevnet({ accounts: 2, chainId: 84532 })

// One fixed clock for the payments, the facilitator and its rate limits: `retry-after` and
// `headAgeSeconds` come out the same however long the two halves of a comparison take.
const clock = Date.now()
const now = () => clock

let facilitator: Facilitator
let ledger: Ledger
let server: ServeFacilitatorReturnType
const errors: unknown[] = []
let fetchCalls = 0

beforeAll(async () => {
  ledger = await createSqliteLedger(':memory:')
  facilitator = createFacilitator({
    ledger,
    chains: [await devnetChain(devnet)],
    signers: [devnet.accounts[1]!.account],
    http: {
      maxBodyBytes: 8_192,
      basePath: '/facilitator',
      apiKeys: ['key-one', { key: 'key-limited', rateLimit: { requestsPerSecond: 1, burst: 1 } }],
    },
    onError: (error) => errors.push(error),
    now,
  })
  server = await serveFacilitator(facilitator, { port: 0 })
  // Counts the Web path's calls: serveFacilitator must answer a facilitator without them.
  const fetch = facilitator.fetch
  facilitator.fetch = (request) => {
    fetchCalls++
    return fetch(request)
  }
  await facilitator.start()
  await until(async () => (await facilitator.health()).status === 'ok', { message: 'a head' })
})

afterAll(async () => {
  await server?.close()
  await facilitator?.close()
  await ledger?.close()
})

type Sent = {
  label: string
  method: string
  path: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  /** Over HTTP, send the body without `Content-Length` (chunked). */
  chunked?: boolean
}

type Seen = { status: number; headers: Record<string, string | undefined>; body: unknown }

const compared = ['content-type', 'cache-control', 'allow', 'retry-after', 'www-authenticate']

function seen(status: number, header: (name: string) => string | undefined, text: string): Seen {
  const headers = Object.fromEntries(compared.map((name) => [name, header(name)]))
  const type = header('content-type') ?? ''
  // The metrics text counts the requests themselves: compare the metric names it lists.
  const body = type.startsWith('text/plain')
    ? text.split('\n').filter((line) => line.startsWith('# TYPE'))
    : text === ''
      ? ''
      : JSON.parse(text)
  return { status, headers, body }
}

async function throughFetch(sent: Sent): Promise<Seen> {
  const response = await facilitator.fetch(
    new Request(`http://facilitator${sent.path}`, {
      method: sent.method,
      headers: sent.headers ?? {},
      ...(sent.body === undefined ? {} : { body: sent.body as BodyInit }),
    }),
  )
  const text = sent.method === 'HEAD' ? '' : await response.text()
  return seen(response.status, (name) => response.headers.get(name) ?? undefined, text)
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 })

function throughHttp(sent: Sent): Promise<Seen> {
  return new Promise((resolve, reject) => {
    // `path` as is: a URL string would have its dot segments resolved before sending.
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path: sent.path,
        method: sent.method,
        headers: sent.headers ?? {},
        agent,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => {
          const header = (name: string) => res.headers[name] as string | undefined
          resolve(seen(res.statusCode ?? 0, header, text))
        })
      },
    )
    req.on('error', reject)
    if (sent.body !== undefined && sent.chunked) req.write(sent.body)
    req.end(sent.chunked ? undefined : sent.body)
  })
}

const json = { 'content-type': 'application/json' }
const auth = { ...json, authorization: 'Bearer key-one' }

function withBadSignature(payload: PaymentPayload): PaymentPayload {
  const inner = payload.payload as { signature: string }
  const flipped = inner.signature.slice(0, -4) + (inner.signature.endsWith('00') ? 'ff1b' : '001b')
  return { ...payload, payload: { ...inner, signature: flipped } } as PaymentPayload
}

const post = (
  label: string,
  path: string,
  body: string | Uint8Array,
  more: Omit<Partial<Sent>, 'body'> = {},
): Sent => ({
  label,
  method: 'POST',
  path,
  headers: auth,
  body,
  ...more,
})
const get = (label: string, path: string, more: Partial<Sent> = {}): Sent => ({
  label,
  method: 'GET',
  path,
  ...more,
})

/** Every kind of request the routes tell apart, valid payments aside. */
function comparedRequests({ invalid, key }: { invalid: string; key: string }): Sent[] {
  const huge = JSON.stringify({ padding: 'x'.repeat(10_000) })
  return [
    post('bad signature', '/verify', invalid),
    post('malformed JSON', '/verify', '{not json'),
    post('empty body', '/settle', ''),
    post('not UTF-8', '/verify', Buffer.from([0x22, 0xff, 0x22])),
    post('wrong shape', '/settle', '{"paymentPayload":{}}'),
    post('not JSON', '/verify', '{}', { headers: { ...auth, 'content-type': 'text/plain' } }),
    post('oversized', '/verify', huge),
    post('oversized, chunked', '/verify', huge, { chunked: true }),
    post('small, chunked', '/verify', invalid, { chunked: true }),
    get('wrong method', '/verify'),
    post('wrong method, trailing slash', '/supported/', '{}', { method: 'PUT', headers: json }),
    get('unknown route', '/nope'),
    get('unknown route, dot segments', '/a/../nope/./x'),
    post('no API key', '/verify', '{}', { headers: json }),
    post('wrong API key', '/settle', '{}', { headers: { ...json, 'x-api-key': 'nope' } }),
    post('rate limited', '/verify', '{}', {
      headers: { ...json, authorization: 'Bearer key-limited' },
    }),
    get('supported', '/supported'),
    get('HEAD supported', '/supported', { method: 'HEAD' }),
    get('supported v1', '/supported?x402Version=1'),
    get('base path', '/facilitator/supported?x402Version=1'),
    post('base path, verify', '/facilitator/verify', invalid),
    get('status by key', `/settlements/${key}`, { headers: auth }),
    get('status by CAIP-2 key', `/settlements/eip155%3A${key}`, { headers: auth }),
    get('status, bad key', '/settlements/1/2', { headers: auth }),
    get('status by payment id', '/settlements?paymentId=pay_none', { headers: auth }),
    get('status without a key', '/settlements?paymentId=pay_none'),
    get('health', '/health'),
    get('metrics', '/metrics'),
  ]
}

describe('serveFacilitator answers a facilitator on node:http as its fetch does', () => {
  test('the same status, headers and body for each request, over one keep-alive connection', async () => {
    const requirements = requirementsFor(devnet, { payTo: randomAddress(), amount: 5n })
    const signed = await pay(devnet.accounts[0]!.account, requirements, { now })
    const invalid = JSON.stringify({
      x402Version: 2,
      paymentPayload: withBadSignature(signed),
      paymentRequirements: requirements,
    })
    const key = `${devnet.chainId}/${devnet.usdc.address}/${devnet.accounts[0]!.address}/0x${'ab'.repeat(32)}`
    // The limited key's only token goes before the comparison: both halves then get 429.
    await throughFetch(
      post('', '/verify', '{}', { headers: { ...json, 'x-api-key': 'key-limited' } }),
    )
    const requests = comparedRequests({ invalid, key })
    for (const sent of requests) {
      const web = await throughFetch(sent)
      const node = await throughHttp(sent)
      expect({ label: sent.label, ...node }).toEqual({ label: sent.label, ...web })
    }
    // A valid payment each way (one payment verifies once): the same answer.
    const valid = async () =>
      JSON.stringify({
        paymentPayload: await pay(devnet.accounts[0]!.account, requirements, { now }),
        paymentRequirements: requirements,
      })
    const web = await throughFetch(post('valid', '/verify', await valid()))
    const node = await throughHttp(post('valid', '/verify', await valid()))
    expect(web).toMatchObject({ status: 200, body: { isValid: true } })
    expect(node).toEqual(web)
    expect(fetchCalls).toBe(requests.length + 2)
    expect(errors).toEqual([])
  })
})

/** Serves the facilitator both ways: straight on node:http, and through its Web `fetch`. */
const servedWays = [
  ['node:http', () => facilitator],
  ['Web fetch', () => ({ fetch: (request: Request) => facilitator.fetch(request) })],
] as const

/** POSTs `size` bytes of body on `agent`, resolving once the upload is done and answered. */
function postLarge(
  url: string,
  agent: Agent,
  { size, chunked }: { size: number; chunked: boolean },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...auth, ...(chunked ? {} : { 'content-length': String(size) }) }
    const req = httpRequest(`${url}/verify`, { method: 'POST', headers, agent })
    let answer: { status: number; body: string } | undefined
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk) => {
        body += chunk
      })
      res.on('end', () => {
        answer = { status: res.statusCode ?? 0, body }
      })
    })
    req.on('error', reject)
    // `close` comes once the body is out and the answer read: a stuck upload never gets it.
    req.on('close', () => (answer ? resolve(answer) : reject(new Error('no answer'))))
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    for (let sent = 0; sent < size; sent += chunk.length)
      req.write(chunk.subarray(0, Math.min(chunk.length, size - sent)))
    req.end()
  })
}

describe.each(servedWays)('served through %s', (_way, app) => {
  test('after a 413 the same keep-alive connection takes the next request', async () => {
    const served = await serveFacilitator(app(), { port: 0 })
    let connections = 0
    served.server.on('connection', () => connections++)
    const pool = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      for (const chunked of [false, true]) {
        const large = await postLarge(served.url, pool, { size: 4 * 1024 * 1024, chunked })
        expect(large.status).toBe(413)
        expect(JSON.parse(large.body)).toMatchObject({ error: 'body_too_large' })
        const next = await postLarge(served.url, pool, { size: 2, chunked })
        expect(next.status).toBe(400)
      }
      expect(connections).toBe(1)
    } finally {
      pool.destroy()
      await served.close()
    }
  })

  test('a client that leaves mid-body: reported as the Web path reports it, the server goes on', async () => {
    const served = await serveFacilitator(app(), { port: 0 })
    errors.length = 0
    try {
      const socket = connect(served.port, '127.0.0.1')
      // The client leaves once the request reached the app (its head is parsed, its body is not).
      served.server.once('request', () => socket.destroy())
      socket.on('error', () => {})
      socket.write(
        'POST /verify HTTP/1.1\r\nHost: facilitator\r\nContent-Type: application/json\r\n' +
          'Authorization: Bearer key-one\r\nContent-Length: 1000\r\n\r\n{"paymentPayload":',
      )
      await until(() => errors.length > 0, { message: 'the report' })
      expect(errors).toEqual([expect.any(FacilitatorRequestError)])
      expect(errors[0]).toMatchObject({ route: 'verify', status: 503 })
      const next = await fetch(`${served.url}/verify`, {
        method: 'POST',
        headers: auth,
        body: '{}',
      })
      expect(next.status).toBe(400)
    } finally {
      errors.length = 0
      await served.close()
    }
  })

  test('a /settle whose client left still settles (nothing aborts it)', async () => {
    const served = await serveFacilitator(app(), { port: 0 })
    try {
      const requirements = requirementsFor(devnet, { payTo: randomAddress(), amount: 7n })
      const paymentId = `left_${crypto.randomUUID().replace(/-/g, '')}`
      const body = JSON.stringify({
        paymentPayload: await pay(devnet.accounts[0]!.account, requirements, { now, paymentId }),
        paymentRequirements: requirements,
        settlement: 'confirmed',
      })
      const socket = connect(served.port, '127.0.0.1')
      served.server.once('request', () => socket.destroy())
      socket.on('error', () => {})
      socket.write(
        'POST /settle HTTP/1.1\r\nHost: facilitator\r\nContent-Type: application/json\r\n' +
          `Authorization: Bearer key-one\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      )
      await until(async () => (await facilitator.status({ paymentId }))[0]?.state === 'confirmed', {
        message: 'the settlement',
      })
    } finally {
      await served.close()
    }
  })

  test('close() while a request is in flight: answered with Connection: close, then closed', async () => {
    const served = await serveFacilitator(app(), { port: 0 })
    const pool = new Agent({ keepAlive: true })
    const answer = new Promise<{ status: number; connection: string | undefined }>(
      (resolve, reject) => {
        const req = httpRequest(`${served.url}/verify`, {
          method: 'POST',
          headers: auth,
          agent: pool,
        })
        req.on('response', (res) => {
          res.resume()
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
          )
        })
        req.on('error', reject)
        // The body's first half keeps the request in flight until close() is under way.
        req.write('{"paymentPayload":')
        served.server.once('request', () => {
          const closed = served.close()
          req.end('{}}')
          closed.then(() => undefined, reject)
        })
      },
    )
    try {
      expect(await answer).toEqual({ status: 400, connection: 'close' })
      await served.close()
    } finally {
      pool.destroy()
    }
  })
})
