import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { listen } from '@tollgate/test'
import express, { type RequestHandler } from 'express'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type HeldResponse, holdResponse } from './holdResponse.js'

type Decision = (held: HeldResponse, res: ServerResponse) => void | Promise<void>

// Each request names the decision the "paywall" takes once the handler has ended.
const decisions = new Map<string, Decision>()
const observed = new Map<string, { held: HeldResponse; headersSentWhileHeld: boolean }>()
let server: Awaited<ReturnType<typeof listen>>

beforeAll(async () => {
  const app = express()
  app.use(async (req, res, next) => {
    const id = req.get('x-test-id') ?? ''
    res.setHeader('X-Before', 'kept')
    const pending = holdResponse(res)
    next()
    const held = await pending
    observed.set(id, { held, headersSentWhileHeld: res.headersSent })
    await (decisions.get(id) ?? ((h) => h.release({ 'X-Released': 'yes' })))(held, res)
  })
  const routes: Record<string, RequestHandler> = {
    '/json': (_req, res) => {
      res.status(201).json({ ok: true, text: 'héllo' })
    },
    '/send': (_req, res) => {
      res.set('X-Secret', 'handler').send('plain text')
    },
    '/stream': (_req, res) => {
      res.setHeader('Content-Type', 'text/plain')
      res.write('a')
      res.write(Buffer.from('b'))
      res.write(new Uint8Array([99]), () => {
        res.end('d')
      })
    },
    '/pipe': (_req, res) => {
      res.type('text/plain')
      Readable.from(['x', 'y', 'z']).pipe(res)
    },
    '/write-head': (_req, res) => {
      res.writeHead(203, 'Custom', { 'X-Head': '1' }).end(Buffer.from('raw'))
    },
    '/write-head-array': (_req, res) => {
      res.writeHead(202, ['X-A', '1', 'X-B', '2']).end()
    },
    '/error': () => {
      throw new Error('boom')
    },
    '/slow': (_req, res) => {
      setTimeout(() => res.send('late'), 300)
    },
    '/end-callback': (_req, res) => {
      res.end('cb', () => res.emit('test:end-callback'))
    },
  }
  for (const [path, handler] of Object.entries(routes)) app.all(path, handler)
  server = await listen(app)
})
afterAll(() => server.close())

const get = (path: string, id: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { 'x-test-id': id, ...init.headers } })

describe('holdResponse', () => {
  test('res.status().json(): held until release, then sent whole with the extra header', async () => {
    const response = await get('/json', 'json')
    expect(response.status).toBe(201)
    expect(response.headers.get('x-released')).toBe('yes')
    expect(response.headers.get('x-before')).toBe('kept')
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    const text = await response.text()
    expect(JSON.parse(text)).toEqual({ ok: true, text: 'héllo' })
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(text))
    const seen = observed.get('json')!
    expect(seen.headersSentWhileHeld).toBe(false)
    expect(seen.held).toMatchObject({ aborted: false, status: 201 })
  })

  test('write() chunks of every type, then end(): one body with a Content-Length', async () => {
    const response = await get('/stream', 'stream')
    expect(await response.text()).toBe('abcd')
    expect(response.headers.get('content-length')).toBe('4')
    expect(response.headers.get('transfer-encoding')).toBeNull()
    expect(observed.get('stream')!.headersSentWhileHeld).toBe(false)
  })

  test('a piped stream is buffered and released', async () => {
    const response = await get('/pipe', 'pipe')
    expect(await response.text()).toBe('xyz')
    expect(response.headers.get('x-released')).toBe('yes')
  })

  test('writeHead(status, reason, headers) and the flat-array form', async () => {
    const response = await get('/write-head', 'write-head')
    expect(response.status).toBe(203)
    expect(response.statusText).toBe('Custom')
    expect(response.headers.get('x-head')).toBe('1')
    expect(await response.text()).toBe('raw')
    const flat = await get('/write-head-array', 'write-head-array')
    expect(flat.status).toBe(202)
    expect([flat.headers.get('x-a'), flat.headers.get('x-b')]).toEqual(['1', '2'])
  })

  test('discard() drops status, headers and body; headers set before the handler stay', async () => {
    decisions.set('discard', (held, res) => {
      held.discard()
      res.statusCode = 402
      res.setHeader('Content-Type', 'application/json')
      res.end('{"error":"settlement_failed"}')
    })
    const response = await get('/send', 'discard')
    expect(response.status).toBe(402)
    expect(response.headers.get('x-secret')).toBeNull()
    expect(response.headers.get('x-before')).toBe('kept')
    const body = await response.text()
    expect(body).toBe('{"error":"settlement_failed"}')
    expect(body).not.toContain('plain text')
  })

  test('a throwing handler: Express answers 500, and the 500 is held like any response', async () => {
    const response = await get('/error', 'error')
    expect(response.status).toBe(500)
    expect(observed.get('error')!.held.status).toBe(500)
    expect(observed.get('error')!.headersSentWhileHeld).toBe(false)
  })

  test('snapshot() is the response as it went out', async () => {
    let snapshot: ReturnType<HeldResponse['snapshot']> | undefined
    decisions.set('snapshot', (held) => {
      held.release({ 'PAYMENT-RESPONSE': 'abc' })
      snapshot = held.snapshot()
    })
    await (await get('/json', 'snapshot')).text()
    expect(snapshot?.status).toBe(201)
    expect(snapshot?.headers['payment-response']).toBe('abc')
    expect(JSON.parse(Buffer.from(snapshot!.body).toString())).toEqual({ ok: true, text: 'héllo' })
  })

  test('a released res is as it was: its own methods back, fast properties kept', async () => {
    setFlagsFromString('--allow-natives-syntax')
    const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (
      o: object,
    ) => boolean
    let before: boolean | undefined
    let after: { fast: boolean; changed: string[] } | undefined
    decisions.set('fast', (held, res) => {
      before = hasFastProperties(res)
      held.release({ 'PAYMENT-RESPONSE': 'abc' })
      const patched = ['writeHead', 'write', 'end', 'flushHeaders'] as const
      const proto = Object.getPrototypeOf(res) as ServerResponse
      after = {
        fast: hasFastProperties(res),
        changed: patched.filter((name) => res[name] !== proto[name]),
      }
    })
    expect(await (await get('/json', 'fast')).json()).toEqual({ ok: true, text: 'héllo' })
    // Deleting the patches turned every paid response into a dictionary-mode object, slower in
    // every later property read Node makes on it.
    expect(before).toBe(true)
    expect(after).toEqual({ fast: true, changed: [] })
  })

  test('the end() callback runs once the released response is written', async () => {
    let called = false
    decisions.set('end-callback', (held, res) => {
      res.once('test:end-callback', () => {
        called = true
      })
      expect(called).toBe(false)
      held.release()
    })
    expect(await (await get('/end-callback', 'end-callback')).text()).toBe('cb')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(called).toBe(true)
  })

  test('a HEAD request: status and headers, no body', async () => {
    const response = await get('/send', 'head', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-released')).toBe('yes')
    expect(await response.text()).toBe('')
  })

  test('a client that goes away before the handler ends: aborted, later writes swallowed', async () => {
    const controller = new AbortController()
    const request = get('/slow', 'slow', { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await expect(request).rejects.toThrow()
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(observed.get('slow')!.held.aborted).toBe(true)
    // The server is still fine.
    expect((await get('/json', 'after-abort')).status).toBe(201)
  })
})
