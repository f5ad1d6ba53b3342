// Every Tollgate adapter serving the same three paid routes on a real server on loopback, so one
// suite can pay each of them the same way:
//   GET /weather   $0.01, serve-first, answers 200 JSON
//   GET /fail      $0.01, serve-first, answers 500 (must charge nothing)
//   GET /first     $0.01, settle-first, answers 200 JSON
// Each server counts its handler runs per route.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaywall as createExpressPaywall } from '@tollgate/express'
import { createPaywall as createFastifyPaywall } from '@tollgate/fastify'
import { createPaywall as createHonoPaywall } from '@tollgate/hono'
import { createPaywall as createNextPaywall } from '@tollgate/next'
import type { PaywallAgent, PaywallStore } from '@tollgate/paywall'
import {
  createHttpPaywall,
  type PaywallHooks,
  type RouteConfig,
  withPaywall,
} from '@tollgate/paywall/http'
import { listen } from '@tollgate/test'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { serveRouteHandlers } from './nextServer.js'

/** What every adapter is given: how to settle, who is paid, and the agent named in 402s. */
export type PaidApiOptions = {
  facilitator: FacilitatorClient
  payTo: string
  network: string
  agent: PaywallAgent
  /** Where the paywall keeps its state; the engine's in-memory store when absent. */
  store?: PaywallStore
  /** Lifecycle hooks, whatever the adapter's request type. */
  hooks?: PaywallHooks<unknown>
}

/** A running paid API. */
export type PaidApi = {
  url: string
  /** Handler runs per route (`/weather`, `/fail`, `/first`). */
  runs: Record<'weather' | 'fail' | 'first', number>
  close(): Promise<void>
}

export type AdapterName =
  | 'express'
  | 'hono (node-server)'
  | 'hono (Web fetch)'
  | 'next'
  | 'fastify'
  | 'web'

/** The three routes' prices, shared by every adapter (Next and Fastify attach them per route). */
export function routeConfigs({ payTo, network }: PaidApiOptions) {
  const base = { price: '$0.01', payTo, network } as const
  return {
    weather: { ...base, description: 'The weather' },
    fail: { ...base, description: 'Always fails' },
    first: { ...base, description: 'Settled first', order: 'settle-first' },
  } satisfies Record<string, RouteConfig<never>>
}

function counters(): PaidApi['runs'] {
  return { weather: 0, fail: 0, first: 0 }
}

const common = (options: PaidApiOptions) => ({
  logger: false as const,
  agent: options.agent,
  ...(options.store ? { store: options.store } : {}),
  ...(options.hooks ? { hooks: options.hooks } : {}),
})

function tableOf(options: PaidApiOptions) {
  const routes = routeConfigs(options)
  return { 'GET /weather': routes.weather, 'GET /fail': routes.fail, 'GET /first': routes.first }
}

async function expressApi(options: PaidApiOptions): Promise<PaidApi> {
  const runs = counters()
  const app = express()
  app.use(
    createExpressPaywall(options.facilitator, { ...common(options), routes: tableOf(options) }),
  )
  app.get('/weather', (_req, res) => void res.json({ weather: 'sunny', run: ++runs.weather }))
  app.get('/fail', (_req, res) => void res.status(500).json({ failed: ++runs.fail }))
  app.get('/first', (_req, res) => void res.json({ first: true, run: ++runs.first }))
  const server = await listen(app)
  return { url: server.url, runs, close: server.close }
}

function honoApp(options: PaidApiOptions, runs: PaidApi['runs']): Hono {
  const app = new Hono()
  app.use(createHonoPaywall(options.facilitator, { ...common(options), routes: tableOf(options) }))
  app.get('/weather', (c) => c.json({ weather: 'sunny', run: ++runs.weather }))
  app.get('/fail', (c) => c.json({ failed: ++runs.fail }, 500))
  app.get('/first', (c) => c.json({ first: true, run: ++runs.first }))
  return app
}

/** Hono on Node through `@hono/node-server`, as most Node deployments run it. */
async function honoNodeApi(options: PaidApiOptions): Promise<PaidApi> {
  const runs = counters()
  const app = honoApp(options, runs)
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    )
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    runs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      }),
  }
}

/** The same Hono app through its Web `fetch` only (as on Workers, Deno or Bun). */
async function honoWebApi(options: PaidApiOptions): Promise<PaidApi> {
  const runs = counters()
  const server = await listen({ fetch: honoApp(options, runs).fetch })
  return { url: server.url, runs, close: server.close }
}

/** Route handlers wrapped as a Next app does, served the way Next calls them. */
async function nextApi(options: PaidApiOptions): Promise<PaidApi> {
  const runs = counters()
  const paywall = createNextPaywall(options.facilitator, common(options))
  const routes = routeConfigs(options)
  const server = await serveRouteHandlers({
    '/weather': {
      GET: paywall.withPaywall(() => Response.json({ weather: 'sunny', run: ++runs.weather }), {
        name: 'GET /weather',
        ...routes.weather,
      }),
    },
    '/fail': {
      GET: paywall.withPaywall(() => Response.json({ failed: ++runs.fail }, { status: 500 }), {
        name: 'GET /fail',
        ...routes.fail,
      }),
    },
    '/first': {
      GET: paywall.withPaywall(() => Response.json({ first: true, run: ++runs.first }), {
        name: 'GET /first',
        ...routes.first,
      }),
    },
  })
  return { url: server.url, runs, close: server.close }
}

/** Fastify: two routes priced by the plugin's table, one by its own `config.paywall`. */
async function fastifyApi(options: PaidApiOptions): Promise<PaidApi> {
  const runs = counters()
  const routes = routeConfigs(options)
  const app = Fastify()
  await app.register(
    createFastifyPaywall(options.facilitator, {
      ...common(options),
      routes: { 'GET /weather': routes.weather, 'GET /fail': routes.fail },
    }),
  )
  app.get('/weather', async () => ({ weather: 'sunny', run: ++runs.weather }))
  // A Web Response of 500: Fastify's `onSend` sees status 200 for it (the reference's bug).
  app.get('/fail', async () => Response.json({ failed: ++runs.fail }, { status: 500 }))
  app.get('/first', { config: { paywall: routes.first } }, async () => ({
    first: true,
    run: ++runs.first,
  }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, runs, close: () => app.close() }
}

/** A bare `(request) => Response` handler behind `withPaywall`. */
async function webApi(options: PaidApiOptions): Promise<PaidApi> {
  const runs = counters()
  const paywall = createHttpPaywall<Request>(options.facilitator, {
    ...common(options),
    routes: tableOf(options),
  })
  const handler = (request: Request) => {
    const path = new URL(request.url).pathname
    if (path === '/weather') return Response.json({ weather: 'sunny', run: ++runs.weather })
    if (path === '/fail') return Response.json({ failed: ++runs.fail }, { status: 500 })
    if (path === '/first') return Response.json({ first: true, run: ++runs.first })
    return new Response('not found', { status: 404 })
  }
  const server = await listen({ fetch: withPaywall(handler, { paywall }) })
  return { url: server.url, runs, close: server.close }
}

/** Every adapter, by name. */
export const adapters: Record<AdapterName, (options: PaidApiOptions) => Promise<PaidApi>> = {
  express: expressApi,
  'hono (node-server)': honoNodeApi,
  'hono (Web fetch)': honoWebApi,
  next: nextApi,
  fastify: fastifyApi,
  web: webApi,
}
