import { request } from 'node:http'
import { expect, test } from 'vitest'
import { FacilitatorListenError } from '../errors.js'
import { serveFacilitator } from './serveFacilitator.js'

test('close() waits for a request in flight on a keep-alive connection, then returns at once', async () => {
  let release!: () => void
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  const served = await serveFacilitator(
    {
      async fetch(incoming) {
        if (new URL(incoming.url).pathname === '/slow') await held
        return Response.json({ ok: true })
      },
    },
    { port: 0 },
  )
  const agent = new (await import('node:http')).Agent({ keepAlive: true })
  const get = (path: string) =>
    new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(`${served.url}${path}`, { agent }, (res) => {
          let body = ''
          res.on('data', (chunk) => {
            body += chunk
          })
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
          )
        })
        req.on('error', reject)
        req.end()
      },
    )
  // A first request leaves the connection open and idle; the second is held in the app.
  expect((await get('/fast')).status).toBe(200)
  const slow = get('/slow')
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = performance.now()
  const closed = served.close()
  release()
  const answer = await slow
  await closed
  expect(answer).toMatchObject({ status: 200, connection: 'close', body: '{"ok":true}' })
  // Without the fix the keep-alive connection held close() for the 65 s keep-alive timeout.
  expect(performance.now() - started).toBeLessThan(2_000)
  agent.destroy()
})

test('a handler that throws: 500 for the client, the error to onError', async () => {
  const errors: unknown[] = []
  const failure = new Error('the ledger is gone')
  const served = await serveFacilitator(
    {
      async fetch() {
        throw failure
      },
    },
    { port: 0, onError: (error) => errors.push(error) },
  )
  try {
    const response = await fetch(`${served.url}/settle?x=1`, { method: 'POST', body: '{}' })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: 'internal_error', message: 'Internal error.' })
    expect(errors).toEqual([
      expect.objectContaining({
        name: 'FacilitatorRequestError',
        route: '/settle',
        status: 500,
        cause: failure,
      }),
    ])
  } finally {
    await served.close()
  }
})

test('a port already taken: FacilitatorListenError with the address and the cause', async () => {
  const first = await serveFacilitator({ fetch: async () => Response.json({}) }, { port: 0 })
  try {
    const error = await serveFacilitator(
      { fetch: async () => Response.json({}) },
      { port: first.port },
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FacilitatorListenError)
    expect(error).toMatchObject({
      host: '127.0.0.1',
      port: first.port,
      cause: expect.objectContaining({ code: 'EADDRINUSE' }),
    })
  } finally {
    await first.close()
  }
})
