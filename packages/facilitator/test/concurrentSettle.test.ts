// 20 concurrent `/settle` calls (over HTTP) for one authorization, in each settlement mode: one
// transfer, one transaction, the same answer for all twenty; the payer pays once on-chain.
import { useDevnet } from '@tollgate/test'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createFacilitator, type Facilitator } from '../src/createFacilitator.js'
import { type ServeFacilitatorReturnType, serveFacilitator } from '../src/http/serveFacilitator.js'
import { createSqliteLedger } from '../src/ledger/createSqliteLedger.js'
import type { Ledger } from '../src/ledger/types.js'
import { balanceOf, devnetChain, pay, randomAddress, requirementsFor, until } from './fixtures.js'

const devnet = useDevnet({ accounts: 3 })
let facilitator: Facilitator
let ledger: Ledger
let server: ServeFacilitatorReturnType

beforeAll(async () => {
  ledger = await createSqliteLedger(':memory:')
  facilitator = createFacilitator({
    ledger,
    chains: [await devnetChain(devnet)],
    signers: [devnet.accounts[2]!.account],
  })
  server = await serveFacilitator(facilitator, { port: 0 })
})

afterAll(async () => {
  await server?.close()
  await facilitator?.close()
  await ledger?.close()
})

describe.each(['confirmed', 'submitted', 'queued'] as const)('mode %s', (mode) => {
  test('20 concurrent /settle calls for one authorization give one transfer', async () => {
    const payer = devnet.accounts[mode === 'submitted' ? 1 : 0]!
    const payerBefore = await balanceOf(devnet, payer.address)
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 50n })
    const payload = await pay(payer.account, requirements)
    const body = JSON.stringify({
      x402Version: 2,
      paymentPayload: payload,
      paymentRequirements: requirements,
      settlement: mode,
    })
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${server.url}/settle`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }).then((r) => r.json() as Promise<{ success: boolean; transaction: string }>),
      ),
    )
    expect(answers.every((a) => a.success)).toBe(true)
    if (mode !== 'queued') {
      expect(new Set(answers.map((a) => a.transaction)).size).toBe(1)
      expect(answers[0]!.transaction).toMatch(/^0x[0-9a-f]{64}$/)
    }
    const nonce = (payload.payload.authorization as { nonce: Hex }).nonce
    const statusUrl = `${server.url}/settlements/${devnet.chainId}/${devnet.usdc.address}/${payer.address}/${nonce}`
    let status: { state: string; transaction: string; value: string } | undefined
    await until(async () => {
      status = await (await fetch(statusUrl)).json()
      return status?.state === 'confirmed'
    })
    expect(status).toMatchObject({ value: '50' })
    if (mode !== 'queued') expect(status!.transaction).toBe(answers[0]!.transaction)
    // One transfer on-chain, in one transaction.
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: status!.transaction as Hex,
    })
    expect(
      receipt.logs.filter((log) => log.topics[2]?.toLowerCase() === nonce.toLowerCase()).length,
    ).toBe(1)
    expect(await balanceOf(devnet, payTo)).toBe(50n)
    expect(await balanceOf(devnet, payer.address)).toBe(payerBefore - 50n)
    // And a late retry still answers with that transaction.
    const retry = await (
      await fetch(`${server.url}/settle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
    ).json()
    expect(retry).toMatchObject({ success: true, transaction: status!.transaction })
  })
})
