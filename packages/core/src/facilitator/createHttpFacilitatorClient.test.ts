import { getEventListeners, once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { ZodError } from 'zod'
import * as spec from '../../test/specExamples.js'
import { isTollgateError } from '../errors/base.js'
import { FacilitatorError, FacilitatorTimeoutError } from '../errors/facilitator.js'
import type { PaymentPayload, PaymentRequirements } from '../schemas/v2.js'
import { createHttpFacilitatorClient } from './createHttpFacilitatorClient.js'
import { nodeSender } from './nodeSender.js'

type Received = { method: string; url: string; headers: IncomingMessage['headers']; body: string }
type Reply = (req: IncomingMessage, res: ServerResponse) => void

// A real facilitator stand-in on loopback: each test sets `reply`; every request is recorded.
let server: Server
let baseUrl: string
let reply: Reply
const received: Received[] = []

const json =
  (status: number, body: unknown): Reply =>
  (_, res) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    })
    reply(req, res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  server.close()
  await once(server, 'close')
})

beforeEach(() => {
  received.length = 0
  reply = json(404, { error: 'no reply set' })
})

const request = {
  paymentPayload: spec.paymentPayload as unknown as PaymentPayload,
  paymentRequirements: spec.paymentRequired.accepts[0] as unknown as PaymentRequirements,
}

async function rejection(promise: Promise<unknown>): Promise<FacilitatorError> {
  try {
    await promise
  } catch (error) {
    expect(isTollgateError(error)).toBe(true)
    expect(error).toBeInstanceOf(FacilitatorError)
    return error as FacilitatorError
  }
  throw new Error('expected a rejection')
}

describe('createHttpFacilitatorClient', () => {
  test('verify: POST /verify with { x402Version, paymentPayload, paymentRequirements }', async () => {
    reply = json(200, spec.verifyResponses[0])
    const client = createHttpFacilitatorClient({ url: baseUrl })
    expect(await client.verify(request)).toEqual(spec.verifyResponses[0])
    expect(received).toHaveLength(1)
    const [call] = received
    expect(call?.method).toBe('POST')
    expect(call?.url).toBe('/verify')
    expect(call?.headers['content-type']).toBe('application/json')
    expect(call?.headers.accept).toBe('application/json')
    expect(JSON.parse(call?.body ?? '')).toEqual({ x402Version: 2, ...request })
  })

  test('settle: POST /settle; unknown keys such as amount survive', async () => {
    const settled = { ...spec.settleResponses[0], amount: '7000', extensionResponses: { a: 1 } }
    reply = json(200, settled)
    const client = createHttpFacilitatorClient({ url: baseUrl })
    expect(await client.settle(request)).toEqual(settled)
    expect(received[0]?.url).toBe('/settle')
    expect(JSON.parse(received[0]?.body ?? '').x402Version).toBe(2)
  })

  describe('the settlement mode on the wire', () => {
    // A facilitator on loopback: /supported answers `kinds`, /settle a success; every call recorded.
    const serve =
      (kinds: unknown[]): Reply =>
      (req, res) =>
        req.url === '/supported'
          ? json(200, { kinds, extensions: [], signers: {} })(req, res)
          : json(200, spec.settleResponses[0])(req, res)
    const network = request.paymentRequirements.network
    const allModes = { settlementModes: ['confirmed', 'submitted', 'queued'] }
    const settleBodies = () =>
      received
        .filter((call) => call.url === '/settle')
        .map((call) => JSON.parse(call.body) as Record<string, unknown>)
    const supportedReads = () => received.filter((call) => call.url === '/supported').length

    test('auto (the default): sent when /supported lists the mode for the kind, /supported read once', async () => {
      reply = serve([{ x402Version: 2, scheme: 'exact', network, extra: allModes }])
      const client = createHttpFacilitatorClient({ url: baseUrl })
      await client.settle({ ...request, settlement: 'confirmed' })
      await client.settle({ ...request, settlement: 'queued' })
      await client.settle({ ...request, settlement: 'submitted' })
      expect(settleBodies().map((body) => body.settlement)).toEqual([
        'confirmed',
        'queued',
        'submitted',
      ])
      expect(supportedReads()).toBe(1)
    })

    test('auto: a facilitator that lists no modes (the reference) gets the reference body exactly', async () => {
      reply = serve([{ x402Version: 2, scheme: 'exact', network }])
      await createHttpFacilitatorClient({ url: baseUrl }).settle({
        ...request,
        settlement: 'confirmed',
      })
      expect(Object.keys(settleBodies()[0] ?? {}).sort()).toEqual([
        'paymentPayload',
        'paymentRequirements',
        'x402Version',
      ])
    })

    test('auto: a mode not listed for this kind, or listed only for another network, is not sent', async () => {
      reply = serve([
        { x402Version: 2, scheme: 'exact', network, extra: { settlementModes: ['submitted'] } },
        { x402Version: 2, scheme: 'exact', network: 'eip155:8453', extra: allModes },
      ])
      const client = createHttpFacilitatorClient({ url: baseUrl })
      await client.settle({ ...request, settlement: 'confirmed' })
      await client.settle({
        ...request,
        paymentRequirements: { ...request.paymentRequirements, network: 'eip155:1' },
        settlement: 'confirmed',
      })
      await client.settle({ ...request, settlement: 'submitted' })
      expect(settleBodies().map((body) => body.settlement ?? null)).toEqual([
        null,
        null,
        'submitted',
      ])
    })

    test('auto: a v1 payment is matched to the v1 kind by network name', async () => {
      reply = serve([{ x402Version: 1, scheme: 'exact', network: 'base-sepolia', extra: allModes }])
      await createHttpFacilitatorClient({ url: baseUrl }).settle({
        paymentPayload: { x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload: {} },
        paymentRequirements: { ...spec.paymentRequiredV1.accepts[0], network: 'base-sepolia' },
        settlement: 'confirmed',
      })
      expect(settleBodies()[0]).toMatchObject({ x402Version: 1, settlement: 'confirmed' })
    })

    test('auto: an answer of supported() is reused; a settle without a mode reads nothing', async () => {
      reply = serve([{ x402Version: 2, scheme: 'exact', network, extra: allModes }])
      const client = createHttpFacilitatorClient({ url: baseUrl })
      await client.settle(request)
      expect(supportedReads()).toBe(0)
      await client.supported()
      await client.settle({ ...request, settlement: 'confirmed' })
      expect(supportedReads()).toBe(1)
      expect(settleBodies().map((body) => body.settlement ?? null)).toEqual([null, 'confirmed'])
    })

    test('auto: /supported failing fails the settle before anything is sent; the next settle reads it again', async () => {
      let failing = true
      reply = (req, res) => {
        if (req.url === '/supported' && failing) return json(503, { error: 'down' })(req, res)
        return serve([{ x402Version: 2, scheme: 'exact', network, extra: allModes }])(req, res)
      }
      const client = createHttpFacilitatorClient({ url: baseUrl })
      const error = await rejection(client.settle({ ...request, settlement: 'confirmed' }))
      expect(error.operation).toBe('supported')
      expect(settleBodies()).toEqual([])
      failing = false
      await client.settle({ ...request, settlement: 'confirmed' })
      expect(settleBodies().map((body) => body.settlement)).toEqual(['confirmed'])
      expect(supportedReads()).toBe(2)
    })

    test('true always sends the mode, false never does; neither reads /supported', async () => {
      reply = serve([{ x402Version: 2, scheme: 'exact', network, extra: allModes }])
      await createHttpFacilitatorClient({ url: baseUrl, sendSettlementMode: true }).settle({
        ...request,
        settlement: 'queued',
      })
      await createHttpFacilitatorClient({ url: baseUrl, sendSettlementMode: false }).settle({
        ...request,
        settlement: 'confirmed',
      })
      await createHttpFacilitatorClient({ url: baseUrl, sendSettlementMode: true }).settle(request)
      const bodies = settleBodies()
      expect(bodies[0]?.settlement).toBe('queued')
      expect('settlement' in (bodies[1] ?? {})).toBe(false)
      expect('settlement' in (bodies[2] ?? {})).toBe(false)
      expect(supportedReads()).toBe(0)
    })
  })

  test('a v1 payment is sent with x402Version 1', async () => {
    reply = json(200, { isValid: true })
    const client = createHttpFacilitatorClient({ url: baseUrl })
    await client.verify({
      paymentPayload: { x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload: {} },
      paymentRequirements: { ...spec.paymentRequiredV1.accepts[0], network: 'base-sepolia' },
    })
    expect(JSON.parse(received[0]?.body ?? '').x402Version).toBe(1)
  })

  test('supported: GET /supported, no body; a v1 answer gets defaults', async () => {
    reply = json(200, spec.supportedResponse)
    const client = createHttpFacilitatorClient({ url: `${baseUrl}/` })
    expect(await client.supported()).toEqual(spec.supportedResponse)
    expect(received[0]?.method).toBe('GET')
    expect(received[0]?.url).toBe('/supported')
    expect(received[0]?.body).toBe('')
    expect(received[0]?.headers['content-type']).toBeUndefined()

    reply = json(200, { kinds: [{ x402Version: 1, scheme: 'exact', network: 'base-sepolia' }] })
    expect(await client.supported()).toEqual({
      kinds: [{ x402Version: 1, scheme: 'exact', network: 'base-sepolia' }],
      extensions: [],
      signers: {},
    })
  })

  test('a base URL with a path keeps it', async () => {
    reply = json(200, { isValid: true })
    await createHttpFacilitatorClient({ url: `${baseUrl}/platform/v2/x402//` }).verify(request)
    expect(received[0]?.url).toBe('/platform/v2/x402/verify')
  })

  test('a 400 carrying a VerifyResponse is returned as the response (CDP)', async () => {
    const invalid = {
      isValid: false,
      invalidReason: 'invalid_exact_evm_signature',
      payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    }
    reply = json(400, invalid)
    const client = createHttpFacilitatorClient({ url: baseUrl })
    expect(await client.verify(request)).toEqual(invalid)
  })

  test('a 400 carrying a SettleResponse is returned as the response', async () => {
    reply = json(400, spec.settleResponses[1])
    const client = createHttpFacilitatorClient({ url: baseUrl })
    expect(await client.settle(request)).toEqual(spec.settleResponses[1])
  })

  test('supported: a non-2xx status is a failure even with a parseable body', async () => {
    reply = json(503, { kinds: [] })
    const error = await rejection(createHttpFacilitatorClient({ url: baseUrl }).supported())
    expect(error.status).toBe(503)
    expect(error.shortMessage).toBe('Facilitator supported failed: HTTP 503.')
  })

  test('an oversized body is refused', async () => {
    reply = (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(`{"isValid":true,"pad":"${'x'.repeat(1_000_001)}"}`)
    }
    const error = await rejection(createHttpFacilitatorClient({ url: baseUrl }).verify(request))
    expect(error.shortMessage).toContain('response body over 1000000 characters')
    expect(error.body?.length).toBeLessThanOrEqual(200)
  })

  test('a 500 with HTML throws FacilitatorError (status, excerpt, cause)', async () => {
    reply = (_, res) => {
      res.writeHead(500, { 'content-type': 'text/html' })
      res.end('<html><body><h1>Internal Server Error</h1></body></html>')
    }
    const client = createHttpFacilitatorClient({ url: baseUrl })
    const error = await rejection(client.verify(request))
    expect(error.name).toBe('FacilitatorError')
    expect(error.code).toBe('TOLLGATE_FACILITATOR')
    expect(error.operation).toBe('verify')
    expect(error.status).toBe(500)
    expect(error.body).toBe('<html><body><h1>Internal Server Error</h1></body></html>')
    expect(error.cause).toBeInstanceOf(SyntaxError)
    expect(error.shortMessage).toBe('Facilitator verify failed: HTTP 500, body is not JSON.')
  })

  test('JSON of the wrong shape throws FacilitatorError with the zod error as cause', async () => {
    reply = json(200, { ok: true })
    const client = createHttpFacilitatorClient({ url: baseUrl })
    const error = await rejection(client.settle(request))
    expect(error.status).toBe(200)
    expect(error.cause).toBeInstanceOf(ZodError)
    expect(error.shortMessage).toBe(
      'Facilitator settle failed: HTTP 200, body is not a settle response.',
    )
    // A 502 JSON error body without isValid is a failure, not a response.
    reply = json(502, { error: 'bad gateway' })
    expect((await rejection(client.verify(request))).status).toBe(502)
  })

  test('timeout: no answer within timeoutMs throws FacilitatorTimeoutError', async () => {
    reply = () => {} // never answers
    const client = createHttpFacilitatorClient({ url: baseUrl, timeoutMs: 100 })
    const started = performance.now()
    const error = await rejection(client.settle(request))
    expect(error).toBeInstanceOf(FacilitatorTimeoutError)
    expect(error.code).toBe('TOLLGATE_FACILITATOR_TIMEOUT')
    expect((error as FacilitatorTimeoutError).timeoutMs).toBe(100)
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  test('timeout also covers a body that never ends', async () => {
    reply = (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"isValid":')
    }
    const client = createHttpFacilitatorClient({ url: baseUrl, timeoutMs: 100 })
    expect(await rejection(client.verify(request))).toBeInstanceOf(FacilitatorTimeoutError)
  })

  test('the node:http sender listens to its signal only until the answer is read', async () => {
    const send = nodeSender(() => Promise.reject(new Error('no fallback here')))!
    reply = json(200, { isValid: true })
    const controller = new AbortController()
    const post = { method: 'POST', headers: {}, body: '{}', signal: controller.signal } as const
    const answer = await send(`${baseUrl}/verify`, post)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1)
    expect(JSON.parse(await answer.text())).toEqual({ isValid: true })
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    // Aborted mid-body: the body read ends with the signal's reason, and the listener is gone.
    reply = (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"isValid":')
    }
    const cut = await send(`${baseUrl}/verify`, post)
    const reading = cut.text()
    controller.abort(new Error('deadline'))
    await expect(reading).rejects.toThrow()
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    // An already aborted signal sends nothing.
    const before = received.length
    await expect(send(`${baseUrl}/verify`, post)).rejects.toThrow('deadline')
    expect(received.length).toBe(before)
  })

  test('timeout also covers a createAuthHeaders that never settles', async () => {
    const client = createHttpFacilitatorClient({
      url: baseUrl,
      timeoutMs: 100,
      createAuthHeaders: () => new Promise(() => {}),
    })
    expect(await rejection(client.supported())).toBeInstanceOf(FacilitatorTimeoutError)
    expect(received).toHaveLength(0)
  })

  test('auth headers: static ones on every call, per-call ones from createAuthHeaders', async () => {
    reply = (req, res) =>
      req.url === '/supported'
        ? json(200, spec.supportedResponse)(req, res)
        : req.url === '/verify'
          ? json(200, spec.verifyResponses[0])(req, res)
          : json(200, spec.settleResponses[0])(req, res)
    let calls = 0
    const client = createHttpFacilitatorClient({
      url: baseUrl,
      headers: { 'x-static': 'yes' },
      createAuthHeaders: async () => {
        calls++
        return {
          verify: { authorization: 'Bearer verify-token' },
          settle: { authorization: 'Bearer settle-token', 'correlation-context': 'sdk=tollgate' },
          supported: { authorization: 'Bearer supported-token' },
        }
      },
    })
    await client.verify(request)
    await client.settle(request)
    await client.supported()
    expect(calls).toBe(3)
    expect(received.map((r) => [r.url, r.headers.authorization, r.headers['x-static']])).toEqual([
      ['/verify', 'Bearer verify-token', 'yes'],
      ['/settle', 'Bearer settle-token', 'yes'],
      ['/supported', 'Bearer supported-token', 'yes'],
    ])
    expect(received[1]?.headers['correlation-context']).toBe('sdk=tollgate')
  })

  test('a call without per-call headers sends none', async () => {
    reply = json(200, spec.verifyResponses[0])
    const client = createHttpFacilitatorClient({
      url: baseUrl,
      createAuthHeaders: async () => ({ settle: { authorization: 'Bearer s' } }),
    })
    await client.verify(request)
    expect(received[0]?.headers.authorization).toBeUndefined()
  })

  test('createAuthHeaders failing rejects with FacilitatorError, nothing sent', async () => {
    const client = createHttpFacilitatorClient({
      url: baseUrl,
      createAuthHeaders: async () => {
        throw new Error('key expired')
      },
    })
    const error = await rejection(client.verify(request))
    expect(error.status).toBeUndefined()
    expect(error.details).toBe('key expired')
    expect(received).toHaveLength(0)
  })

  test('connection refused rejects with FacilitatorError and the socket error as cause', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    closed.close()
    await once(closed, 'close')
    const client = createHttpFacilitatorClient({ url: `http://127.0.0.1:${port}` })
    const error = await rejection(client.supported())
    expect(error.status).toBeUndefined()
    expect(error).not.toBeInstanceOf(FacilitatorTimeoutError)
    expect((error.cause as { code?: unknown }).code).toBe('ECONNREFUSED')
    // Through a fetch, the cause is the fetch's error.
    const viaFetch = createHttpFacilitatorClient({ url: `http://127.0.0.1:${port}`, fetch })
    expect((await rejection(viaFetch.supported())).cause).toBeInstanceOf(TypeError)
  })

  test('on Node, calls share keep-alive connections; a redirect is still followed', async () => {
    const sockets = new Set<unknown>()
    reply = (req, res) => {
      sockets.add(req.socket)
      json(200, spec.verifyResponses[0])(req, res)
    }
    const client = createHttpFacilitatorClient({ url: baseUrl })
    for (let i = 0; i < 3; i++) await client.verify(request)
    expect(received).toHaveLength(3)
    expect(sockets.size).toBe(1)
    reply = (req, res) => {
      if (req.url === '/verify') {
        res.writeHead(307, { location: '/moved/verify' })
        res.end()
      } else json(200, spec.verifyResponses[0])(req, res)
    }
    expect(await client.verify(request)).toEqual(spec.verifyResponses[0])
    // The redirected call is sent again through fetch, which follows the redirect with its body.
    expect(received.slice(3).map((call) => [call.url, call.body])).toEqual([
      ['/verify', received[0]?.body],
      ['/verify', received[0]?.body],
      ['/moved/verify', received[0]?.body],
    ])
  })

  describe('a connection cut before any answer', () => {
    const cutOnce = (then: Reply): Reply => {
      let cut = false
      return (req, res) => {
        if (cut) return then(req, res)
        cut = true
        req.socket.destroy()
      }
    }

    test('verify and settle are sent once more and answered', async () => {
      const client = createHttpFacilitatorClient({ url: baseUrl })
      reply = cutOnce(json(200, spec.verifyResponses[0]))
      expect(await client.verify(request)).toEqual(spec.verifyResponses[0])
      reply = cutOnce(json(200, spec.settleResponses[0]))
      expect(await client.settle(request)).toEqual(spec.settleResponses[0])
      expect(received.map((call) => call.url)).toEqual(['/verify', '/verify', '/settle', '/settle'])
      // The second send carries the same body: the same payment, never a new one.
      expect(received[1]?.body).toBe(received[0]?.body)
    })

    test('cut twice: FacilitatorError after two sends, with the socket error as cause', async () => {
      reply = (req) => req.socket.destroy()
      const client = createHttpFacilitatorClient({ url: baseUrl })
      const error = await rejection(client.settle(request))
      expect(error.status).toBeUndefined()
      expect(error.shortMessage).toBe('Facilitator settle failed: request failed.')
      expect(received).toHaveLength(2)
    })

    test('an answer cut after its status is not sent again', async () => {
      reply = (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
        res.write('{"isValid":')
        setTimeout(() => req.socket.destroy(), 20)
      }
      const client = createHttpFacilitatorClient({ url: baseUrl })
      const error = await rejection(client.verify(request))
      expect(error.status).toBe(200)
      expect(error.shortMessage).toBe('Facilitator verify failed: response body could not be read.')
      expect(received).toHaveLength(1)
    })

    test('a refused connection is not a cut: one attempt', async () => {
      const seen: string[] = []
      const client = createHttpFacilitatorClient({
        url: 'http://127.0.0.1:9',
        fetch: (input, init) => {
          seen.push(String(input))
          return fetch(input, init)
        },
      })
      await rejection(client.verify(request))
      expect(seen).toHaveLength(1)
    })
  })

  test('a custom fetch is used', async () => {
    reply = json(200, spec.verifyResponses[0])
    const seen: string[] = []
    const client = createHttpFacilitatorClient({
      url: baseUrl,
      fetch: (input, init) => {
        seen.push(String(input))
        return fetch(input, init)
      },
    })
    await client.verify(request)
    expect(seen).toEqual([`${baseUrl}/verify`])
  })
})

describe('status', () => {
  const key = {
    network: 'eip155:84532',
    asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    nonce: `0x${'ab'.repeat(32)}`,
  }
  const status = {
    chainId: 84532,
    network: 'eip155:84532',
    asset: key.asset,
    payer: key.payer,
    nonce: key.nonce,
    payee: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
    value: '10000',
    state: 'confirmed',
    transaction: `0x${'cd'.repeat(32)}`,
    blockNumber: '12',
    confirmations: '1',
    reason: null,
    paymentId: null,
    updatedAt: 1_700_000_000_000,
  }

  test('by key: the path the facilitator serves, the status parsed; 404 is unknown', async () => {
    const client = createHttpFacilitatorClient({ url: baseUrl, headers: { authorization: 'k' } })
    reply = json(200, status)
    expect(await client.status(key)).toEqual(status)
    expect(received[0]).toMatchObject({
      method: 'GET',
      url: `/settlements/84532/${key.asset.toLowerCase()}/${key.payer.toLowerCase()}/${key.nonce}`,
      headers: { authorization: 'k' },
    })
    reply = json(404, { error: 'not_found' })
    expect(await client.status(key)).toBeUndefined()
  })

  test('by payment id: every settlement with it; an answer off the schema rejects', async () => {
    const client = createHttpFacilitatorClient({ url: baseUrl })
    reply = json(200, { settlements: [status] })
    expect(await client.status({ paymentId: 'pay_0123456789abcdef' })).toEqual([status])
    expect(received[0]?.url).toBe('/settlements?paymentId=pay_0123456789abcdef')
    reply = json(404, { error: 'not_found' })
    expect(await client.status({ paymentId: 'pay_0123456789abcdef' })).toEqual([])
    reply = json(200, { ...status, state: 'paid' })
    const error = await client.status(key).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FacilitatorError)
    expect((error as FacilitatorError).operation).toBe('status')
    reply = json(500, { error: 'boom' })
    expect(await client.status(key).catch((e: unknown) => e)).toBeInstanceOf(FacilitatorError)
  })
})
