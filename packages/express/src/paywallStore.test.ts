// The `store` option: two Express APIs, each settling in its own process-local facilitator, are one
// paywall when they share a store, and two when each keeps its own (the default). In one test
// process, so the interleaving is the test's to decide; the same with processes and Redis is
// test/e2e/multi-process.

import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  paymentIdentifierKey,
  reasons,
} from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { createMemoryStore, type PaywallStore } from '@tollgate/paywall'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { type Address, erc20Abi } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, test } from 'vitest'
import { createPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 4 })
const servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

/** A gate a facilitator's settle call waits at, until the test opens it. */
function createGate() {
  let open!: () => void
  let reached!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  const arrived = new Promise<void>((resolve) => (reached = resolve))
  const wait = () => {
    reached()
    return opened
  }
  return { open, arrived, wait }
}

/** One API: its own local facilitator (its own settlement wallet), a paid `GET /r`. */
async function startApi(
  payTo: Address,
  store: PaywallStore | undefined,
  runs: string[],
  name: string,
  gate?: ReturnType<typeof createGate>,
) {
  const local = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[name === 'a' ? 2 : 3]!.account),
    assets: [devnet.usdc],
  })
  const facilitator: FacilitatorClient = {
    verify: (request) => local.verify(request),
    supported: () => local.supported(),
    async settle(request) {
      await gate?.wait()
      return local.settle(request)
    },
  }
  const app = express()
  app.use(
    createPaywall(facilitator, {
      assets: [devnet.usdc],
      logger: false,
      ...(store ? { store } : {}),
      routes: { 'GET /r': { price: '$0.01', payTo, network: devnet.network } },
    }),
  )
  app.get('/r', (_req, res) => {
    runs.push(name)
    res.json({ servedBy: name, run: runs.length })
  })
  const server = await listen(app)
  servers.push(server)
  return server
}

async function sign(url: string, id?: string): Promise<string> {
  const challenge = await fetch(`${url}/r`)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, {
    paymentRequired,
    ...(id ? { extensions: { [paymentIdentifierKey]: { info: { required: false, id } } } } : {}),
  })
  return encodePaymentSignatureHeader(payload)
}

const pay = (url: string, header: string) =>
  fetch(`${url}/r`, { headers: { 'PAYMENT-SIGNATURE': header } })

describe('two APIs sharing one store', () => {
  test('one payment sent 20 times across both at once: one handler run, one transfer', async () => {
    const payTo = privateKeyToAccount(generatePrivateKey()).address
    const store = createMemoryStore()
    const runs: string[] = []
    const [a, b] = [
      await startApi(payTo, store, runs, 'a'),
      await startApi(payTo, store, runs, 'b'),
    ]
    const header = await sign(a.url)
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pay(i % 2 ? b.url : a.url, header)),
    )
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1)
    expect(runs).toHaveLength(1)
    expect(await balanceOf(payTo)).toBe(10_000n)
  })

  test('a payment identifier served by one is answered by the other with the kept response', async () => {
    const payTo = privateKeyToAccount(generatePrivateKey()).address
    const store = createMemoryStore()
    const runs: string[] = []
    const [a, b] = [
      await startApi(payTo, store, runs, 'a'),
      await startApi(payTo, store, runs, 'b'),
    ]
    const header = await sign(a.url, `pay_${crypto.randomUUID().replace(/-/g, '')}`)
    const first = await pay(a.url, header)
    const second = await pay(b.url, header)
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual(await first.json())
    expect(second.headers.get('PAYMENT-RESPONSE')).toBe(first.headers.get('PAYMENT-RESPONSE'))
    expect(runs).toEqual(['a'])
    expect(await balanceOf(payTo)).toBe(10_000n)
  })
})

describe('two APIs with their own (memory) stores', () => {
  test('one payment at both while the first settles: two handler runs, one served, one transfer', async () => {
    const payTo = privateKeyToAccount(generatePrivateKey()).address
    const runs: string[] = []
    const gate = createGate()
    const a = await startApi(payTo, undefined, runs, 'a', gate)
    const b = await startApi(payTo, undefined, runs, 'b')
    const header = await sign(a.url)
    // A runs its handler and waits at its settlement; B knows nothing of it.
    const atA = pay(a.url, header)
    await gate.arrived
    const atB = await pay(b.url, header)
    gate.open()
    const fromA = await atA
    expect(atB.status).toBe(200)
    expect(decodePaymentResponseHeader(atB.headers.get('PAYMENT-RESPONSE')!).success).toBe(true)
    // A's settlement finds the authorization used: its response is withheld.
    expect(fromA.status).toBe(402)
    expect(decodePaymentResponseHeader(fromA.headers.get('PAYMENT-RESPONSE')!).success).toBe(false)
    expect(await fromA.text()).not.toContain('servedBy')
    expect(runs.sort()).toEqual(['a', 'b'])
    expect(await balanceOf(payTo)).toBe(10_000n)
    // What A kept is A's: B, asked again, refuses the spent payment.
    const again = await pay(b.url, header)
    expect(decodePaymentRequiredHeader(again.headers.get('PAYMENT-REQUIRED')!).error).toBe(
      reasons.duplicateSettlement,
    )
  })
})
