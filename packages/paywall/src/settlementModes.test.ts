// The settlement-mode check against a facilitator's /supported, read through the real HTTP client
// from a facilitator stand-in on loopback that answers /supported as the test says.

import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SettlementMode } from '@tollgate/core'
import { createHttpFacilitatorClient, FacilitatorError } from '@tollgate/core/facilitator-client'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { UnsupportedSettlementModeError } from './errors.js'
import type { Report } from './logger.js'
import { createSettlementModes } from './settlementModes.js'

const network = 'eip155:84532'
let server: Server
let url: string
let kinds: unknown[] = []
let failing = false
let reads = 0
const logged: { level: string; message: string; context: Record<string, unknown> }[] = []
const report: Report = (level, message, context) => logged.push({ level, message, context })

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/supported') return void res.writeHead(404).end()
    reads++
    res.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ kinds, extensions: [], signers: {} }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  server.close()
  await once(server, 'close')
})
beforeEach(() => {
  kinds = []
  failing = false
  reads = 0
  logged.length = 0
})

const route = (key: string, settlement: SettlementMode | undefined, networks = [network]) => ({
  key,
  settlement,
  options: networks.map((n) => ({ network: n })),
})
const checkFor = (...routes: ReturnType<typeof route>[]) =>
  createSettlementModes(createHttpFacilitatorClient({ url }), { routes, report })
const exact = (extra?: Record<string, unknown>) => ({
  x402Version: 2,
  scheme: 'exact',
  network,
  ...(extra ? { extra } : {}),
})

describe('createSettlementModes', () => {
  test('a facilitator listing the mode: that mode, /supported read once for every route', async () => {
    kinds = [exact({ settlementModes: ['confirmed', 'submitted', 'queued'] })]
    const confirmed = route('GET /a', 'confirmed')
    const queued = route('GET /b', 'queued')
    const modes = checkFor(confirmed, queued)
    await modes.ready()
    expect(await modes.modeFor(confirmed, network)).toBe('confirmed')
    expect(await modes.modeFor(queued, network)).toBe('queued')
    expect(reads).toBe(1)
    expect(logged).toEqual([])
  })

  test('the reference (no modes listed) settles confirmed: a confirmed route holds, a faster one gets confirmed, with a warning', async () => {
    kinds = [exact(), { x402Version: 1, scheme: 'exact', network: 'base-sepolia' }]
    const confirmed = route('GET /a', 'confirmed')
    const submitted = route('GET /b', 'submitted')
    const modes = checkFor(confirmed, submitted)
    expect(await modes.modeFor(confirmed, network)).toBe('confirmed')
    expect(await modes.modeFor(submitted, network)).toBe('confirmed')
    expect(await modes.modeFor(submitted, network)).toBe('confirmed')
    expect(logged).toEqual([
      {
        level: 'warn',
        message: 'settling in "confirmed", the nearest stronger mode the facilitator honours',
        context: { route: 'GET /b', network, settlement: 'submitted' },
      },
    ])
  })

  test('queued on a facilitator without a queue: submitted', async () => {
    kinds = [exact({ settlementModes: ['confirmed', 'submitted'] })]
    const queued = route('GET /q', 'queued')
    expect(await checkFor(queued).modeFor(queued, network)).toBe('submitted')
  })

  test('a mode the facilitator cannot give: UnsupportedSettlementModeError, logged once, kept', async () => {
    kinds = [exact({ settlementModes: ['submitted', 'queued'] })]
    const confirmed = route('GET /a', 'confirmed')
    const modes = checkFor(confirmed)
    const refused = await modes.modeFor(confirmed, network).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(UnsupportedSettlementModeError)
    expect(refused).toMatchObject({
      route: 'GET /a',
      network,
      settlement: 'confirmed',
      supportedModes: ['submitted', 'queued'],
      code: 'TOLLGATE_SETTLEMENT_MODE_UNSUPPORTED',
    })
    await expect(modes.modeFor(confirmed, network)).rejects.toBe(refused)
    await expect(modes.ready()).rejects.toBe(refused)
    expect(reads).toBe(1)
    expect(logged.map(({ level, message }) => [level, message])).toEqual([
      ['error', 'a route asks for a settlement mode the facilitator cannot honour'],
    ])
  })

  test('a network the facilitator does not list: refused, with no modes', async () => {
    kinds = [exact({ settlementModes: ['confirmed'] })]
    const elsewhere = route('GET /a', 'confirmed', [network, 'eip155:8453'])
    const modes = checkFor(elsewhere)
    expect(await modes.modeFor(elsewhere, network)).toBe('confirmed')
    const error = await modes.ready().catch((caught: unknown) => caught)
    expect(error).toMatchObject({ network: 'eip155:8453', supportedModes: undefined })
    expect((error as Error).message).toContain('does not support exact payments on eip155:8453')
  })

  test('a route without a mode is not checked', async () => {
    const free = route('GET /a', undefined)
    const modes = checkFor(free)
    await modes.ready()
    expect(await modes.modeFor(free, network)).toBeUndefined()
    expect(reads).toBe(0)
  })

  test('/supported failing rejects with its error and is not kept: the next call reads again', async () => {
    kinds = [exact({ settlementModes: ['confirmed'] })]
    failing = true
    const confirmed = route('GET /a', 'confirmed')
    const modes = checkFor(confirmed)
    await expect(modes.ready()).rejects.toBeInstanceOf(FacilitatorError)
    failing = false
    expect(await modes.modeFor(confirmed, network)).toBe('confirmed')
    expect(reads).toBe(2)
  })
})
