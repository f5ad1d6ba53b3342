import type { ServerResponse } from 'node:http'
import { listen } from '@tollgate/test'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { FetchDocumentError } from './errors.js'
import { fetchDocument, toDataUri } from './fetchDocument.js'

const json = JSON.stringify({ hello: 'wörld' })
const http = { allowHttp: true } as const

let server: Awaited<ReturnType<typeof listen>>
const seen: string[] = []
const pending = new Set<ServerResponse>()

beforeAll(async () => {
  server = await listen((req, res) => {
    seen.push(req.url ?? '')
    const url = new URL(req.url ?? '/', 'http://x')
    switch (url.pathname) {
      case '/doc.json':
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        return void res.end(json)
      case '/declared-large':
        res.writeHead(200, { 'content-length': '1000000' })
        return void res.end()
      case '/streamed-large': {
        // No content-length: the limit must stop the read itself.
        res.writeHead(200, { 'content-type': 'application/json' })
        const chunk = 'x'.repeat(16_384)
        let sent = 0
        const timer = setInterval(() => {
          if (res.destroyed || sent > 100) return clearInterval(timer)
          res.write(chunk)
          sent++
        }, 1)
        return
      }
      case '/stall':
        pending.add(res)
        return
      case '/stall-body':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('{"a":')
        pending.add(res)
        return
      case '/missing':
        res.writeHead(404)
        return void res.end('no')
      case '/redirect':
        res.writeHead(302, { location: '/doc.json' })
        return void res.end()
      case '/loop':
        res.writeHead(302, { location: '/loop' })
        return void res.end()
      case '/to-file':
        res.writeHead(302, { location: 'file:///etc/passwd' })
        return void res.end()
      default:
        if (url.pathname.startsWith('/ipfs/')) {
          res.writeHead(200, { 'content-type': 'application/json' })
          return void res.end(json)
        }
        res.writeHead(500)
        res.end()
    }
  })
})

afterAll(async () => {
  for (const res of pending) res.destroy()
  await server.close()
})

async function failure(promise: Promise<unknown>): Promise<FetchDocumentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(FetchDocumentError)
  return error as FetchDocumentError
}

describe('data: URIs', () => {
  test('base64 round trip', async () => {
    const uri = toDataUri(json)
    expect(uri.startsWith('data:application/json;base64,')).toBe(true)
    const { bytes, contentType } = await fetchDocument(uri)
    expect(new TextDecoder().decode(bytes)).toBe(json)
    expect(contentType).toBe('application/json')
  })

  test('percent-encoded', async () => {
    const { bytes } = await fetchDocument(`data:application/json,${encodeURIComponent(json)}`)
    expect(new TextDecoder().decode(bytes)).toBe(json)
  })

  test('size limit counts the decoded bytes', async () => {
    const uri = toDataUri('x'.repeat(1000))
    expect((await fetchDocument(uri, { maxBytes: 1000 })).bytes.byteLength).toBe(1000)
    expect((await failure(fetchDocument(uri, { maxBytes: 999 }))).reason).toBe('too_large')
    // Far too large: refused from its encoded length, before decoding.
    const huge = toDataUri('x'.repeat(400_000))
    expect((await failure(fetchDocument(huge))).reason).toBe('too_large')
  })

  test('malformed', async () => {
    expect((await failure(fetchDocument('data:application/json;base64'))).reason).toBe('data_uri')
    expect((await failure(fetchDocument('data:application/json;base64,@@@@'))).reason).toBe(
      'data_uri',
    )
  })
})

describe('http(s)', () => {
  test('plain http is refused unless allowed', async () => {
    const error = await failure(fetchDocument(`${server.url}/doc.json`))
    expect(error.reason).toBe('scheme')
    expect(error.code).toBe('TOLLGATE_IDENTITY_FETCH')
    const { bytes, contentType, url } = await fetchDocument(`${server.url}/doc.json`, http)
    expect(new TextDecoder().decode(bytes)).toBe(json)
    expect(contentType).toBe('application/json')
    expect(url).toBe(`${server.url}/doc.json`)
  })

  test('other schemes are refused', async () => {
    for (const uri of ['ftp://example.com/a', 'file:///etc/passwd', 'not a uri'])
      expect((await failure(fetchDocument(uri, http))).reason).toBe('scheme')
  })

  test('a declared length over the limit is refused without reading', async () => {
    const error = await failure(fetchDocument(`${server.url}/declared-large`, http))
    expect(error.reason).toBe('too_large')
  })

  test('a streamed body is cut at the limit', async () => {
    const error = await failure(
      fetchDocument(`${server.url}/streamed-large`, { ...http, maxBytes: 50_000 }),
    )
    expect(error.reason).toBe('too_large')
  })

  test('time limit on the headers and on the body', async () => {
    const started = Date.now()
    const headers = await failure(fetchDocument(`${server.url}/stall`, { ...http, timeoutMs: 200 }))
    expect(headers.reason).toBe('timeout')
    const body = await failure(
      fetchDocument(`${server.url}/stall-body`, { ...http, timeoutMs: 200 }),
    )
    expect(body.reason).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  test('error status', async () => {
    const error = await failure(fetchDocument(`${server.url}/missing`, http))
    expect(error.reason).toBe('status')
    expect(error.status).toBe(404)
  })

  test('redirects are followed, checked and bounded', async () => {
    const { url } = await fetchDocument(`${server.url}/redirect`, http)
    expect(url).toBe(`${server.url}/doc.json`)
    expect((await failure(fetchDocument(`${server.url}/loop`, http))).reason).toBe('redirect')
    expect((await failure(fetchDocument(`${server.url}/to-file`, http))).reason).toBe('redirect')
  })

  test('ipfs:// goes through the configured gateway', async () => {
    const cid = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const { bytes } = await fetchDocument(`ipfs://${cid}/agent.json`, {
      ...http,
      ipfsGateway: `${server.url}/`,
    })
    expect(new TextDecoder().decode(bytes)).toBe(json)
    expect(seen).toContain(`/ipfs/${cid}/agent.json`)
    // The gateway is held to the same scheme rule.
    expect(
      (await failure(fetchDocument(`ipfs://${cid}`, { ipfsGateway: server.url }))).reason,
    ).toBe('scheme')
  })
})
