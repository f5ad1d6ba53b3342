import { createServer } from 'node:net'
import { describe, expect, test } from 'vitest'
import { listen } from './listen.js'

describe('listen', () => {
  test('serves a Node listener on 127.0.0.1 and close() frees the port', async () => {
    const server = await listen((req, res) => {
      res.setHeader('content-type', 'text/plain')
      res.end(`${req.method} ${req.url}`)
    })
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    const response = await fetch(`${server.url}/hello?x=1`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('GET /hello?x=1')
    await server.close()
    await server.close() // idempotent
    await expect(fetch(server.url)).rejects.toThrow()
    // The port is free again.
    const probe = createServer()
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen(server.port, '127.0.0.1', resolve)
    })
    await new Promise((resolve) => probe.close(resolve))
  })

  test('close() does not wait for idle keep-alive connections', async () => {
    const server = await listen((_req, res) => res.end('ok'))
    const response = await fetch(server.url, { headers: { connection: 'keep-alive' } })
    expect(await response.text()).toBe('ok')
    const started = performance.now()
    await server.close()
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  test('serves a { fetch } Web handler: method, headers, body, status, set-cookie', async () => {
    const server = await listen({
      fetch: async (request) => {
        const body = await request.text()
        return new Response(
          JSON.stringify({ method: request.method, body, tag: request.headers.get('x-tag') }),
          {
            status: 201,
            headers: [
              ['content-type', 'application/json'],
              ['set-cookie', 'a=1'],
              ['set-cookie', 'b=2'],
            ],
          },
        )
      },
    })
    try {
      const response = await fetch(`${server.url}/pay`, {
        method: 'POST',
        headers: { 'x-tag': 't1' },
        body: 'payload',
      })
      expect(response.status).toBe(201)
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
      expect(await response.json()).toEqual({ method: 'POST', body: 'payload', tag: 't1' })
    } finally {
      await server.close()
    }
  })

  test('a throwing Web handler answers 500', async () => {
    const server = await listen({
      fetch: () => {
        throw new Error('boom')
      },
    })
    try {
      const response = await fetch(server.url)
      expect(response.status).toBe(500)
      expect(await response.text()).toBe('boom')
    } finally {
      await server.close()
    }
  })

  test('servers run side by side on different ports', async () => {
    const servers = await Promise.all(
      [1, 2, 3].map((n) => listen((_req, res) => res.end(String(n)))),
    )
    try {
      expect(new Set(servers.map((s) => s.port)).size).toBe(3)
      expect(await Promise.all(servers.map(async (s) => (await fetch(s.url)).text()))).toEqual([
        '1',
        '2',
        '3',
      ])
    } finally {
      await Promise.all(servers.map((s) => s.close()))
    }
  })
})
