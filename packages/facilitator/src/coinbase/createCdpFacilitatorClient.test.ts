// Coinbase's hosted facilitator cannot be reached here: a loopback server stands in for it and
// checks what CDP checks (paths, bearer JWTs bound to method and path, Correlation-Context), and
// answers as CDP does (400 with a response body for an invalid payment).
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HTTPFacilitatorClient } from '@x402/core/http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createCdpAuthHeaders, createCorrelationContext } from './createCdpAuthHeaders.js'
import { createCdpFacilitatorClient } from './createCdpFacilitatorClient.js'
import { CdpKeyError, createCdpJwt } from './createCdpJwt.js'

type Seen = { method: string; path: string; headers: IncomingMessage['headers']; body: string }

const ed25519 = generateKeyPairSync('ed25519')
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const edJwk = ed25519.privateKey.export({ format: 'jwk' }) as { d: string; x: string }
const edSecret = Buffer.concat([
  Buffer.from(edJwk.d, 'base64url'),
  Buffer.from(edJwk.x, 'base64url'),
]).toString('base64')
const ecSecret = ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString()

let server: Server
let base: string
const seen: Seen[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      res.setHeader('content-type', 'application/json')
      if (req.url?.endsWith('/supported'))
        return res.end(
          JSON.stringify({
            kinds: [{ x402Version: 2, scheme: 'exact', network: 'eip155:8453' }],
            extensions: [],
            signers: {},
          }),
        )
      if (req.url?.endsWith('/verify')) {
        res.statusCode = 400
        return res.end(
          JSON.stringify({
            isValid: false,
            invalidReason: 'invalid_exact_evm_signature',
            payer: '0x1',
          }),
        )
      }
      res.end(
        JSON.stringify({
          success: true,
          transaction: `0x${'ab'.repeat(32)}`,
          network: 'eip155:8453',
          payer: '0x1',
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/platform/v2/x402`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

function checkJwt(
  token: string,
  publicKey: KeyObject,
  expected: { kid: string; uri: string; alg: string },
) {
  const [header, claims, signature] = token.split('.') as [string, string, string]
  const decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString())
  const decodedClaims = JSON.parse(Buffer.from(claims, 'base64url').toString())
  expect(decodedHeader).toMatchObject({ alg: expected.alg, kid: expected.kid, typ: 'JWT' })
  expect(decodedHeader.nonce).toMatch(/^[0-9a-f]{32}$/)
  expect(decodedClaims).toMatchObject({ sub: expected.kid, iss: 'cdp', uris: [expected.uri] })
  expect(decodedClaims.exp - decodedClaims.nbf).toBe(120)
  const input = Buffer.from(`${header}.${claims}`)
  const ok =
    expected.alg === 'EdDSA'
      ? verify(null, input, publicKey, Buffer.from(signature, 'base64url'))
      : verify(
          'sha256',
          input,
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(signature, 'base64url'),
        )
  expect(ok).toBe(true)
}

const paymentPayload = {
  x402Version: 2 as const,
  accepted: {
    scheme: 'exact',
    network: 'eip155:8453',
    amount: '1',
    asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    payTo: '0x0000000000000000000000000000000000000001',
    maxTimeoutSeconds: 60,
  },
  payload: { signature: '0x00', authorization: {} },
}

describe('the CDP facilitator client', () => {
  test.each([
    ['Ed25519', edSecret, ed25519.publicKey, 'EdDSA'],
    ['EC P-256', ecSecret, ec.publicKey, 'ES256'],
  ] as const)(
    'sends per-call JWTs (%s keys) and reads CDP answers',
    async (_, secret, publicKey, alg) => {
      seen.length = 0
      const client = createCdpFacilitatorClient({
        apiKeyId: 'key-123',
        apiKeySecret: secret,
        url: base,
      })
      const body = { paymentPayload, paymentRequirements: paymentPayload.accepted } as never
      expect((await client.supported()).kinds).toHaveLength(1)
      // CDP's 400 with a body is an answer, not a transport error.
      expect(await client.verify(body)).toMatchObject({
        isValid: false,
        invalidReason: 'invalid_exact_evm_signature',
      })
      expect(await client.settle(body)).toMatchObject({ success: true, network: 'eip155:8453' })
      expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
        'GET /platform/v2/x402/supported',
        'POST /platform/v2/x402/verify',
        'POST /platform/v2/x402/settle',
      ])
      const host = new URL(base).host
      for (const request of seen) {
        const token = request.headers.authorization?.replace(/^Bearer /, '') ?? ''
        checkJwt(token, publicKey, {
          kid: 'key-123',
          uri: `${request.method} ${host}${request.path}`,
          alg,
        })
        expect(request.headers['correlation-context']).toBe(
          'sdk_language=typescript,source=tollgate,source_version=0.1.0',
        )
      }
      expect(JSON.parse(seen[1]!.body)).toMatchObject({
        x402Version: 2,
        paymentPayload,
        paymentRequirements: paymentPayload.accepted,
      })
    },
  )

  test('the headers plug into the reference HTTPFacilitatorClient', async () => {
    seen.length = 0
    const client = new HTTPFacilitatorClient({
      url: base,
      createAuthHeaders: createCdpAuthHeaders({
        apiKeyId: 'key-9',
        apiKeySecret: edSecret,
        url: base,
      }) as never,
    })
    await client.settle(paymentPayload as never, paymentPayload.accepted as never)
    checkJwt(seen[0]!.headers.authorization!.slice(7), ed25519.publicKey, {
      kid: 'key-9',
      uri: `POST ${new URL(base).host}/platform/v2/x402/settle`,
      alg: 'EdDSA',
    })
  })

  test('an @coinbase/x402 facilitator config is used as given; bad keys are typed errors', async () => {
    seen.length = 0
    const client = createCdpFacilitatorClient({
      facilitatorConfig: {
        url: base,
        createAuthHeaders: async () => ({ supported: { Authorization: 'Bearer given' } }),
      },
    })
    await client.supported()
    expect(seen[0]!.headers.authorization).toBe('Bearer given')
    expect(() =>
      createCdpJwt({
        apiKeyId: 'k',
        apiKeySecret: 'not a key',
        requestMethod: 'GET',
        requestHost: 'h',
        requestPath: '/',
      }),
    ).toThrow(CdpKeyError)
    expect(createCorrelationContext({ a: 'b c', d: 'e' })).toBe('a=b%20c,d=e')
  })
})

test('createCdpJwt: claims from the millisecond clock, a bad key named without its bytes', () => {
  const token = createCdpJwt({
    apiKeyId: 'k',
    apiKeySecret: edSecret,
    requestMethod: 'POST',
    requestHost: 'api.cdp.coinbase.com',
    requestPath: '/platform/v2/x402/settle',
    expiresInSeconds: 60,
    now: () => 1_700_000_000_900,
  })
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
  expect(claims).toMatchObject({ nbf: 1_700_000_000, exp: 1_700_000_060 })
  const short = Buffer.from('secret-bytes-of-a-key').toString('base64')
  const error = (() => {
    try {
      createCdpJwt({
        apiKeyId: 'k',
        apiKeySecret: short,
        requestMethod: 'GET',
        requestHost: 'h',
        requestPath: '/',
      })
    } catch (e) {
      return e as CdpKeyError
    }
  })()
  expect(error).toBeInstanceOf(CdpKeyError)
  expect(error?.details).toBe('An Ed25519 key is 64 bytes; this one is 21.')
  expect(error?.message).not.toContain(short)
})
