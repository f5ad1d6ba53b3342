// Two facilitator instances on one PostgreSQL database, each with its own signer, get every
// payment twice (each /settle sent to both): each authorization is settled once, in one
// transaction, by one of them; none is ever submitted twice.
import { useDevnet } from '@tollgate/test'
import pg from 'pg'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createFacilitator, type Facilitator } from '../src/createFacilitator.js'
import { createPostgresLedger } from '../src/ledger/createPostgresLedger.js'
import type { Ledger } from '../src/ledger/types.js'
import {
  balanceOf,
  deployBatchSettler,
  devnetAssets,
  failedItems,
  isAuthorizationUsed,
  pay,
  randomAddress,
  requirementsFor,
} from './fixtures.js'
import { startPostgres, type TestPostgres } from './postgres.js'

const devnet = useDevnet({ accounts: 6 })
let postgres: TestPostgres
const pools: pg.Pool[] = []
const instances: { facilitator: Facilitator; ledger: Ledger }[] = []
let batchSettler: Address
let startBlock: bigint

beforeAll(async () => {
  postgres = await startPostgres()
  batchSettler = await deployBatchSettler(devnet)
  startBlock = await devnet.publicClient.getBlockNumber()
  for (const index of [4, 5]) {
    const pool = new pg.Pool({ connectionString: postgres.connectionString, max: 10 })
    // Idle clients report the server's shutdown at the end; a pool needs a listener for that.
    pool.on('error', () => {})
    pools.push(pool)
    const ledger = await createPostgresLedger(pool)
    const facilitator = createFacilitator({
      ledger,
      chains: [
        {
          chainId: devnet.chainId,
          rpcUrls: [devnet.rpcUrl],
          assets: devnetAssets(devnet),
          batchSettler,
          pollingIntervalMs: 100,
        },
      ],
      signers: [devnet.accounts[index]!.account],
      instanceId: `instance-${index}`,
      mode: 'confirmed',
      batch: { maxSize: 8 },
    })
    await facilitator.start()
    instances.push({ facilitator, ledger })
  }
}, 120_000)

afterAll(async () => {
  for (const { facilitator } of instances) await facilitator.close()
  for (const pool of pools) await pool.end()
  await postgres?.stop()
})

test('two instances on one PostgreSQL never settle one authorization twice', async () => {
  const payTo = randomAddress()
  const requirements = requirementsFor(devnet, { payTo, amount: 25n })
  const payers = [0, 1, 2, 3].map((i) => devnet.accounts[i]!)
  const payloads = await Promise.all(
    Array.from({ length: 40 }, (_, i) => pay(payers[i % 4]!.account, requirements)),
  )
  const [a, b] = instances.map((i) => i.facilitator) as [Facilitator, Facilitator]
  const answers = await Promise.all(
    payloads.flatMap((paymentPayload, i) => {
      const body = { paymentPayload, paymentRequirements: requirements }
      // Half are verified on one instance first, as a resource server would.
      const first = i % 2 ? a : b
      return [
        (i % 4 < 2 ? first.verify(body) : Promise.resolve()).then(() => a.settle(body)),
        b.settle(body),
      ]
    }),
  )
  expect(answers.every((answer) => answer.success)).toBe(true)
  for (let i = 0; i < payloads.length; i++)
    expect(answers[2 * i]!.transaction).toBe(answers[2 * i + 1]!.transaction)
  expect(await balanceOf(devnet, payTo)).toBe(1_000n)
  for (const [index, payload] of payloads.entries())
    expect(
      await isAuthorizationUsed(
        devnet,
        payers[index % 4]!.address,
        (payload.payload.authorization as { nonce: Hex }).nonce,
      ),
    ).toBe(true)

  // Once each: no second submission (which would show as a failed batch item), one attempt per row.
  expect(await failedItems(devnet, batchSettler, startBlock)).toEqual([])
  const rows = await instances[0]!.ledger.list({ chainId: devnet.chainId, states: ['confirmed'] })
  expect(rows.length).toBe(40)
  expect(rows.every((row) => row.attempts === 1)).toBe(true)
  // Both instances did part of the work.
  const senders = new Set(rows.map((row) => row.sender))
  expect(senders.size).toBe(2)
})
