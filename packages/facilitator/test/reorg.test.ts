// An `anvil_reorg` that drops a mined settlement: the facilitator notices, puts the rows back to
// `submitted` and broadcasts the same signed transaction again; the payee ends up paid once.
import { useDevnet } from '@tollgate/test'
import type { Hex } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createFacilitator, type Facilitator } from '../src/createFacilitator.js'
import { createSqliteLedger } from '../src/ledger/createSqliteLedger.js'
import type { Ledger } from '../src/ledger/types.js'
import {
  balanceOf,
  deployBatchSettler,
  devnetAssets,
  isAuthorizationUsed,
  pay,
  randomAddress,
  requirementsFor,
  until,
} from './fixtures.js'

const devnet = useDevnet({ accounts: 3 })
let facilitator: Facilitator
let ledger: Ledger

beforeAll(async () => {
  ledger = await createSqliteLedger(':memory:')
  facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [devnet.rpcUrl],
        assets: devnetAssets(devnet),
        batchSettler: await deployBatchSettler(devnet),
        pollingIntervalMs: 50,
      },
    ],
    signers: [devnet.accounts[2]!.account],
    mode: 'confirmed',
  })
  await facilitator.start()
})

afterAll(async () => {
  await facilitator?.close()
  await ledger?.close()
})

async function reorg(depth: number) {
  await devnet.testClient.request({ method: 'anvil_reorg' as never, params: [depth, []] as never })
}

test('a settlement dropped by a reorg is broadcast again and confirmed once', async () => {
  const payer = devnet.accounts[0]!
  const payTo = randomAddress()
  const requirements = requirementsFor(devnet, { payTo, amount: 1_234n })
  const payload = await pay(payer.account, requirements)
  const body = { paymentPayload: payload, paymentRequirements: requirements }
  const settled = await facilitator.settle(body)
  expect(settled.success).toBe(true)
  expect(await balanceOf(devnet, payTo)).toBe(1_234n)

  await reorg(1)
  expect(await balanceOf(devnet, payTo)).toBe(0n)
  const nonce = (payload.payload.authorization as { nonce: Hex }).nonce
  await until(async () => (await balanceOf(devnet, payTo)) === 1_234n, { message: 'repair' })
  await until(
    async () => {
      const [status] = await facilitator.status({
        key: { chainId: devnet.chainId, asset: devnet.usdc.address, payer: payer.address, nonce },
      })
      return status?.state === 'confirmed' && status.blockNumber !== undefined
    },
    { message: 'confirmed again' },
  )
  expect(await isAuthorizationUsed(devnet, payer.address, nonce)).toBe(true)
  const again = await facilitator.settle(body)
  expect(again.success).toBe(true)
  const receipt = await devnet.publicClient.getTransactionReceipt({
    hash: again.transaction as Hex,
  })
  expect(receipt.status).toBe('success')
  expect(facilitator.chains.get(devnet.chainId)!.settler.stats.reorgs).toBeGreaterThan(0)
})

test('a deeper reorg drops three settlements; all come back, in nonce order', async () => {
  const payTo = randomAddress()
  const requirements = requirementsFor(devnet, { payTo, amount: 10n })
  for (let i = 0; i < 3; i++) {
    const paymentPayload = await pay(devnet.accounts[i % 2]!.account, requirements)
    expect(
      (await facilitator.settle({ paymentPayload, paymentRequirements: requirements })).success,
    ).toBe(true)
  }
  expect(await balanceOf(devnet, payTo)).toBe(30n)
  await reorg(3)
  expect(await balanceOf(devnet, payTo)).toBe(0n)
  await until(async () => (await balanceOf(devnet, payTo)) === 30n, { message: 'repair' })
  // Stays at 30: nothing is sent twice once repaired.
  await new Promise((resolve) => setTimeout(resolve, 500))
  expect(await balanceOf(devnet, payTo)).toBe(30n)
  expect(await ledger.counts()).toMatchObject({ confirmed: 4, submitted: 0, queued: 0, failed: 0 })
})
