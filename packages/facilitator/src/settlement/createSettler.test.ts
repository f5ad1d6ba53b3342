import { reasons } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  balanceOf,
  deployBatchSettler,
  devnetAssets,
  failedItems,
  pay,
  randomAddress,
  requirementsFor,
  sendCancelAuthorization,
  transferOut,
  until,
} from '../../test/fixtures.js'
import { randomEntry, randomHex } from '../../test/randomEntry.js'
import { createRpcProxy, type RpcProxy } from '../../test/rpcProxy.js'
import { createTcpProxy } from '../../test/tcpProxy.js'
import { type BlockWatcher, createBlockWatcher } from '../chain/createBlockWatcher.js'
import { createChainClient } from '../chain/createChainClient.js'
import { createFacilitator, type Facilitator } from '../createFacilitator.js'
import { createSqliteLedger } from '../ledger/createSqliteLedger.js'
import type { Ledger } from '../ledger/types.js'
import { createSettlementEvents } from './createSettlementEvents.js'
import { createSettler } from './createSettler.js'
import { encodeSettlement } from './encodeSettlement.js'

const devnet = useDevnet({ accounts: 8 })
let batchSettler: Address

beforeAll(async () => {
  batchSettler = await deployBatchSettler(devnet)
})

type Setup = { facilitator: Facilitator; ledger: Ledger }
const setups: Setup[] = []
const proxies: RpcProxy[] = []

afterAll(async () => {
  for (const { facilitator, ledger } of setups) {
    await facilitator.close()
    await ledger.close()
  }
  for (const proxy of proxies) await proxy.close()
})

async function setup(
  overrides: Partial<Parameters<typeof createFacilitator>[0]> = {},
  signers = [6],
  rpcUrl = devnet.rpcUrl,
): Promise<Setup> {
  const ledger = await createSqliteLedger(':memory:')
  const facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [rpcUrl],
        assets: devnetAssets(devnet),
        batchSettler,
        pollingIntervalMs: 100,
      },
    ],
    signers: signers.map((i) => devnet.accounts[i]!.account),
    mode: 'confirmed',
    ...overrides,
  })
  await facilitator.start()
  setups.push({ facilitator, ledger })
  return { facilitator, ledger }
}

describe('createSettler', () => {
  test('two signers share the work; each account nonce is used once, with no gap', async () => {
    const { facilitator, ledger } = await setup({ batch: { maxSize: 4 } }, [6, 7])
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 3n })
    const payloads = await Promise.all(
      Array.from({ length: 48 }, (_, i) => pay(devnet.accounts[i % 4]!.account, requirements)),
    )
    const answers = await Promise.all(
      payloads.map((paymentPayload) =>
        facilitator.settle({ paymentPayload, paymentRequirements: requirements }),
      ),
    )
    expect(answers.every((a) => a.success)).toBe(true)
    expect(await balanceOf(devnet, payTo)).toBe(144n)
    const txs = await ledger.listTransactions({
      chainId: devnet.chainId,
      states: ['mined', 'pending', 'dropped'],
    })
    expect(txs.every((tx) => tx.state === 'mined')).toBe(true)
    for (const signer of [6, 7].map((i) => devnet.accounts[i]!.address.toLowerCase())) {
      const nonces = txs.filter((tx) => tx.sender === signer).map((tx) => tx.nonce)
      expect(nonces.length).toBeGreaterThan(0)
      const first = nonces[0]!
      expect(nonces).toEqual(nonces.map((_, i) => first + i))
      const onChain = await devnet.publicClient.getTransactionCount({ address: signer as Address })
      expect(onChain).toBe(first + nonces.length)
    }
  })

  test('an authorization already spent elsewhere is reconciled, not sent again', async () => {
    const { facilitator, ledger } = await setup()
    const startBlock = await devnet.publicClient.getBlockNumber()
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 9n })
    const payload = await pay(devnet.accounts[0]!.account, requirements)
    const body = { paymentPayload: payload, paymentRequirements: requirements }
    expect((await facilitator.verify(body)).isValid).toBe(true)
    // Someone else settles it first (another facilitator, the payee itself).
    const a = payload.payload.authorization as Record<string, string>
    const call = encodeSettlement({
      items: [
        {
          asset: devnet.usdc.address,
          payer: a.from as Address,
          payee: a.to as Address,
          value: BigInt(a.value!),
          validAfter: BigInt(a.validAfter!),
          validBefore: BigInt(a.validBefore!),
          nonce: a.nonce as Hex,
          signature: payload.payload.signature as Hex,
        },
      ],
    })
    const hash = await devnet.walletClient(devnet.accounts[5]!.account).sendTransaction(call)
    await devnet.publicClient.waitForTransactionReceipt({ hash })
    // Our row claims it was sent once before (as after a crash): the settler must ask the chain.
    await ledger.transition({
      keys: [
        {
          chainId: devnet.chainId,
          asset: devnet.usdc.address,
          payer: a.from as Address,
          nonce: a.nonce as Hex,
        },
      ],
      from: ['verified'],
      to: 'queued',
      set: { incrementAttempts: true },
    })
    facilitator.chains.get(devnet.chainId)!.settler.wake()
    const key = {
      chainId: devnet.chainId,
      asset: devnet.usdc.address,
      payer: a.from as Address,
      nonce: a.nonce as Hex,
    }
    await until(async () => (await facilitator.status({ key }))[0]?.state === 'confirmed')
    expect((await facilitator.status({ key }))[0]?.transaction).toBe(hash)
    expect(await balanceOf(devnet, payTo)).toBe(9n)
    expect(await failedItems(devnet, batchSettler, startBlock)).toEqual([])
    expect(facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent).toBe(0)
    expect(await facilitator.settle(body)).toMatchObject({ success: true, transaction: hash })
  })

  test('a used nonce without its log is not paid: the row waits, then fails once the log shows a cancel', async () => {
    // A provider that refuses every log query, as a public RPC refuses a wide one.
    const proxy = await createRpcProxy(devnet.rpcUrl, { maxLogRangeBlocks: 0 })
    proxies.push(proxy)
    const errors: unknown[] = []
    const { facilitator, ledger } = await setup({ onError: (e) => errors.push(e) }, [6], proxy.url)
    const payer = devnet.accounts[1]!
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 13n })
    const payload = await pay(payer.account, requirements)
    const nonce = (payload.payload.authorization as { nonce: Hex }).nonce
    const key = { chainId: devnet.chainId, asset: devnet.usdc.address, payer: payer.address, nonce }
    expect(
      (await facilitator.verify({ paymentPayload: payload, paymentRequirements: requirements }))
        .isValid,
    ).toBe(true)
    // The payer cancels; our row says it was sent once before, so the settler asks the chain.
    const cancel = await sendCancelAuthorization(devnet, payer.account, nonce)
    await devnet.publicClient.waitForTransactionReceipt({ hash: cancel })
    await ledger.transition({
      keys: [key],
      from: ['verified'],
      to: 'queued',
      set: { incrementAttempts: true },
    })
    facilitator.chains.get(devnet.chainId)!.settler.wake()
    // Until the settler has looked: the row leaves the queue, or is parked in it.
    await until(async () => {
      const row = await ledger.get(key)
      return row?.state !== 'queued' || row.owner === 'reconcile'
    })
    const open = await ledger.get(key)
    // Spent or canceled, nobody can tell: open, parked, never sent, never confirmed.
    expect(open).toMatchObject({ state: 'queued', owner: 'reconcile' })
    expect(proxy.refusals).toBeGreaterThan(0)
    expect(facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent).toBe(0)
    expect(errors.some((e) => (e as Error).name === 'AuthorizationEventSearchError')).toBe(true)

    // The provider serves logs again (pages of 1,000 blocks): the next look-up finds the cancel.
    proxy.setMaxLogRangeBlocks(1_000)
    await until(async () => (await ledger.get(key))?.state === 'failed', { message: 'failed' })
    expect(await ledger.get(key)).toMatchObject({
      state: 'failed',
      reason: 'authorization_canceled',
    })
    expect(
      await facilitator.settle({ paymentPayload: payload, paymentRequirements: requirements }),
    ).toMatchObject({ success: false, errorReason: 'authorization_canceled' })
    expect(await balanceOf(devnet, payTo)).toBe(0n)
    expect(facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent).toBe(0)
  })

  test('our own receipt proves a transfer when the node serves no logs', async () => {
    const proxy = await createRpcProxy(devnet.rpcUrl, { maxLogRangeBlocks: 0 })
    proxies.push(proxy)
    const { facilitator, ledger } = await setup({}, [6], proxy.url)
    const payer = devnet.accounts[2]!
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 17n })
    const payload = await pay(payer.account, requirements)
    const body = { paymentPayload: payload, paymentRequirements: requirements }
    const settled = await facilitator.settle(body)
    expect(settled.success).toBe(true)
    const key = {
      chainId: devnet.chainId,
      asset: devnet.usdc.address,
      payer: payer.address,
      nonce: (payload.payload.authorization as { nonce: Hex }).nonce,
    }
    // As if our transaction had been given up on (replaced, dropped) and the row queued again.
    await ledger.write({
      transitions: [{ keys: [key], from: ['confirmed'], to: 'queued', set: { blockNumber: null } }],
      updateTransaction: { hash: settled.transaction as Hex, set: { state: 'dropped' } },
    })
    const sent = facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent
    facilitator.chains.get(devnet.chainId)!.settler.wake()
    await until(async () => (await ledger.get(key))?.state === 'confirmed')
    expect(await ledger.get(key)).toMatchObject({ txHash: settled.transaction })
    expect(facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent).toBe(sent)
    expect(await balanceOf(devnet, payTo)).toBe(17n)
  })

  test('a payer who empties the balance after verify: the settlement fails with its reason', async () => {
    const { facilitator } = await setup()
    const payer = devnet.accounts[4]!
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 500n })
    const payload = await pay(payer.account, requirements)
    const body = { paymentPayload: payload, paymentRequirements: requirements }
    expect((await facilitator.verify(body)).isValid).toBe(true)
    await transferOut(
      devnet,
      payer.account,
      randomAddress(),
      await balanceOf(devnet, payer.address),
    )
    const settled = await facilitator.settle(body)
    expect(settled).toMatchObject({
      success: false,
      errorReason: reasons.invalidExactEvmInsufficientBalance,
    })
    expect(await balanceOf(devnet, payTo)).toBe(0n)
    // The answer is final: a retry says the same.
    expect(await facilitator.settle(body)).toMatchObject({
      success: false,
      errorReason: reasons.invalidExactEvmInsufficientBalance,
    })
  })

  test('holds, queue moves, leases and confirmations skip the disk; transactions and failures wait for it', async () => {
    const writes: { what: string; durable: boolean }[] = []
    const base = await createSqliteLedger(':memory:')
    const note = (what: string, durable: boolean | undefined) =>
      writes.push({ what, durable: durable ?? true })
    const ledger: Ledger = {
      ...base,
      reserve: (entry, parameters) => {
        note(`reserve ${parameters.state}`, parameters.durable)
        return base.reserve(entry, parameters)
      },
      transition: (request, options) => {
        note(`${request.from.join()}->${request.to}`, options?.durable)
        return base.transition(request, options)
      },
      claim: (parameters) => {
        note('claim', parameters.durable)
        return base.claim(parameters)
      },
      write: (write) => {
        const moves = (write.transitions ?? []).filter((t) => t.keys.length > 0)
        const what = write.insertTransaction ? ['send'] : []
        note([...what, ...moves.map((t) => `->${t.to}`)].join(' '), write.durable)
        return base.write(write)
      },
    }
    const { facilitator } = await setup({ ledger })
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 5n })
    const paid = await pay(devnet.accounts[5]!.account, requirements)
    const body = { paymentPayload: paid, paymentRequirements: requirements }
    expect((await facilitator.verify(body)).isValid).toBe(true)
    expect(await facilitator.settle(body)).toMatchObject({ success: true })
    const durableOf = (what: string) => writes.filter((w) => w.what === what).map((w) => w.durable)
    expect(durableOf('reserve verified')).toEqual([false])
    expect(durableOf('verified->queued')).toEqual([false])
    expect(new Set(durableOf('claim'))).toEqual(new Set([false]))
    expect(durableOf('send ->submitted')).toEqual([true])
    await until(() => durableOf('->confirmed').length === 1)
    expect(durableOf('->confirmed')).toEqual([false])

    // A payment that fails (the payer empties the balance after verify): its failure is durable.
    const payer = devnet.accounts[3]!
    const keeper = devnet.accounts[5]!
    const failing = await pay(payer.account, requirements)
    const failingBody = { paymentPayload: failing, paymentRequirements: requirements }
    expect((await facilitator.verify(failingBody)).isValid).toBe(true)
    const balance = await balanceOf(devnet, payer.address)
    await transferOut(devnet, payer.account, keeper.address, balance)
    try {
      expect(await facilitator.settle(failingBody)).toMatchObject({ success: false })
    } finally {
      // The balance goes back: later tests pay from this account.
      await transferOut(devnet, keeper.account, payer.address, balance)
    }
    expect(writes.filter((w) => w.what.includes('->failed')).map((w) => w.durable)).toEqual([true])
  })

  test('a receipt the node does not have yet right after the send is read again within ms, not at the next poll', async () => {
    // The node answers the send before its block is sealed: the first two receipt reads are empty.
    const proxy = await createRpcProxy(devnet.rpcUrl, { maxLogRangeBlocks: 1_000, lateReceipts: 2 })
    proxies.push(proxy)
    const { facilitator } = await setup({
      chains: [
        {
          chainId: devnet.chainId,
          rpcUrls: [proxy.url],
          assets: devnetAssets(devnet),
          batchSettler,
          // No head poll during the test.
          pollingIntervalMs: 60_000,
        },
      ],
      // The timer that covers a chain with no blocks ticks once a second: it would read the
      // receipt on its second tick, a second or more after the send.
      settler: { rebroadcastAfterMs: 5_000 },
    })
    const requirements = requirementsFor(devnet, { payTo: randomAddress(), amount: 2n })
    const paymentPayload = await pay(devnet.accounts[2]!.account, requirements)
    const started = performance.now()
    const settled = await facilitator.settle({ paymentPayload, paymentRequirements: requirements })
    const elapsed = performance.now() - started
    expect(settled).toMatchObject({ success: true })
    expect(proxy.receiptReads.get(settled.transaction.toLowerCase())).toBe(3)
    expect(elapsed).toBeLessThan(800)
  }, 10_000)

  test('the exposure cap bounds what one payer may have unsettled', async () => {
    const { facilitator } = await setup({ exposureCap: 1_000n, mode: 'queued' })
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 400n })
    const payer = devnet.accounts[1]!.account
    const first = await pay(payer, requirements)
    const second = await pay(payer, requirements)
    const third = await pay(payer, requirements)
    expect(
      (await facilitator.verify({ paymentPayload: first, paymentRequirements: requirements }))
        .isValid,
    ).toBe(true)
    expect(
      (await facilitator.verify({ paymentPayload: second, paymentRequirements: requirements }))
        .isValid,
    ).toBe(true)
    expect(
      await facilitator.verify({ paymentPayload: third, paymentRequirements: requirements }),
    ).toMatchObject({ isValid: false, invalidReason: 'exposure_cap_exceeded' })
    // Once the first two settle, the payer has room again.
    await facilitator.settle({
      paymentPayload: first,
      paymentRequirements: requirements,
      settlement: 'confirmed',
    })
    await facilitator.settle({
      paymentPayload: second,
      paymentRequirements: requirements,
      settlement: 'confirmed',
    })
    expect(
      (await facilitator.verify({ paymentPayload: third, paymentRequirements: requirements }))
        .isValid,
    ).toBe(true)
  })

  test('on instant mining a long batch wait is not waited: the payment settles at once', async () => {
    const { facilitator, ledger } = await setup({
      mode: 'queued',
      batch: { maxSize: 50, maxWaitMs: 10_000 },
    })
    // Blocks come with our own transactions: make a few so the settler has seen the chain move.
    const warmTo = randomAddress()
    const warmRequirements = requirementsFor(devnet, { payTo: warmTo, amount: 1n })
    for (let i = 0; i < 6; i++)
      await transferOut(devnet, devnet.accounts[3]!.account, randomAddress(), 1n)
    const payload = await pay(devnet.accounts[3]!.account, warmRequirements)
    const started = Date.now()
    const answer = await facilitator.settle({
      paymentPayload: payload,
      paymentRequirements: warmRequirements,
    })
    expect(answer.success).toBe(true)
    await until(async () => (await ledger.counts()).confirmed === 1, { timeoutMs: 5_000 })
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(await balanceOf(devnet, warmTo)).toBe(1n)
  })

  test('on steady 1-s blocks, queued payments wait for the block together (not one tx each)', async () => {
    const { facilitator, ledger } = await setup({
      mode: 'queued',
      batch: { maxSize: 50, maxWaitMs: 1_000 },
    })
    await devnet.testClient.setAutomine(false)
    await devnet.testClient.setIntervalMining({ interval: 1 })
    try {
      // The settler learns the block interval from the heads it sees.
      const start = await devnet.publicClient.getBlockNumber()
      await until(async () => (await devnet.publicClient.getBlockNumber()) >= start + 6n, {
        timeoutMs: 10_000,
      })
      const payTo = randomAddress()
      const requirements = requirementsFor(devnet, { payTo, amount: 5n })
      const payloads = await Promise.all(
        Array.from({ length: 12 }, (_, i) => pay(devnet.accounts[i % 4]!.account, requirements)),
      )
      // One arrival every 100 ms: each one used to end the wait and go out nearly alone.
      for (const paymentPayload of payloads) {
        const answer = await facilitator.settle({
          paymentPayload,
          paymentRequirements: requirements,
        })
        expect(answer.success).toBe(true)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      await until(async () => (await ledger.counts()).confirmed >= 12, { timeoutMs: 10_000 })
      expect(await balanceOf(devnet, payTo)).toBe(60n)
      const txs = await ledger.listTransactions({ chainId: devnet.chainId, states: ['mined'] })
      const carried = await Promise.all(txs.map((tx) => ledger.listByTransaction(tx.hash)))
      const ours = carried.filter((rows) => rows.some((r) => r.payee === payTo))
      // 1.2 s of arrivals span two or three blocks.
      expect(ours.length).toBeLessThanOrEqual(3)
    } finally {
      await devnet.testClient.setIntervalMining({ interval: 0 })
      await devnet.testClient.setAutomine(true)
      await devnet.testClient.mine({ blocks: 1 })
    }
  })

  test('a stuck transaction is replaced with higher fees at the same nonce', async () => {
    const { facilitator, ledger } = await setup({
      settler: { replaceAfterMs: 300, rebroadcastAfterMs: 200 },
      settleTimeoutMs: 1_000,
    })
    await devnet.testClient.setAutomine(false)
    try {
      const payTo = randomAddress()
      const requirements = requirementsFor(devnet, { payTo, amount: 11n })
      const payload = await pay(devnet.accounts[2]!.account, requirements)
      const pending = await facilitator.settle({
        paymentPayload: payload,
        paymentRequirements: requirements,
      })
      // Not mined: the answer is pending with the broadcast hash, never a failure.
      expect(pending).toMatchObject({ success: false, errorReason: reasons.settlementPending })
      expect(pending.transaction).toMatch(/^0x[0-9a-f]{64}$/)
      await until(() => facilitator.chains.get(devnet.chainId)!.settler.stats.replacements > 0)
    } finally {
      await devnet.testClient.setAutomine(true)
      await devnet.testClient.mine({ blocks: 1 })
    }
    await until(async () => (await ledger.counts()).confirmed === 1)
    const txs = await ledger.listTransactions({
      chainId: devnet.chainId,
      states: ['mined', 'dropped', 'pending'],
    })
    const mined = txs.filter((tx) => tx.state === 'mined')
    expect(mined.length).toBe(1)
    expect(new Set(txs.map((tx) => tx.nonce)).size).toBe(1)
    expect(txs.length).toBeGreaterThan(1)
  })
})

describe('createSettler ledger faults', () => {
  test('a failed ledger write after a nonce is taken leaves no nonce gap: the retry settles', async () => {
    const inner = await createSqliteLedger(':memory:')
    // The real ledger, with the first transaction insert failing as a database outage would.
    let failed = 0
    const ledger: Ledger = new Proxy(inner, {
      get(target, key) {
        if (key !== 'write') return Reflect.get(target, key)
        return (request: Parameters<Ledger['write']>[0]) => {
          if (request.insertTransaction && failed === 0) {
            failed++
            return Promise.reject(new Error('database unavailable'))
          }
          return target.write(request)
        }
      },
    })
    const errors: unknown[] = []
    const signer = devnet.accounts[6]!
    const { facilitator } = await setup({
      ledger,
      settleTimeoutMs: 5_000,
      onError: (error) => errors.push(error),
    })
    setups.push({ facilitator, ledger: inner })
    const nonceBefore = await devnet.publicClient.getTransactionCount({ address: signer.address })
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 5n })
    const payload = await pay(devnet.accounts[1]!.account, requirements)
    const answer = await facilitator.settle({
      paymentPayload: payload,
      paymentRequirements: requirements,
    })
    expect(failed).toBe(1)
    expect(errors).toContainEqual(new Error('database unavailable'))
    expect(answer).toMatchObject({ success: true })
    expect(await balanceOf(devnet, payTo)).toBe(5n)
    const [mined] = await inner.listTransactions({ chainId: devnet.chainId, states: ['mined'] })
    expect(mined?.nonce).toBe(nonceBefore)
  })
})

describe('createSettler start', () => {
  test('subscribes to blocks only after recovery: a failed recovery leaves no listener behind', async () => {
    const proxy = await createTcpProxy(devnet.rpcUrl)
    const ledger = await createSqliteLedger(':memory:')
    const client = createChainClient({
      chainId: devnet.chainId,
      rpcUrls: [proxy.url],
      timeoutMs: 500,
      retryCount: 0,
    })
    const watcher = createBlockWatcher(client)
    // The real watcher, with its listeners counted.
    let listeners = 0
    const counted: BlockWatcher = new Proxy(watcher, {
      get(target, key) {
        if (key !== 'subscribe') return Reflect.get(target, key)
        return (listener: Parameters<BlockWatcher['subscribe']>[0]) => {
          listeners++
          const off = target.subscribe(listener)
          return () => {
            listeners--
            return off()
          }
        }
      },
    })
    const settler = createSettler({
      chainId: devnet.chainId,
      client,
      watcher: counted,
      ledger,
      events: createSettlementEvents(ledger),
      accounts: [devnet.accounts[5]!.account],
      instanceId: 'start-test',
    })
    try {
      await proxy.stop()
      await expect(settler.start()).rejects.toThrow()
      expect(listeners).toBe(0)
      await proxy.start()
      await settler.start()
      await settler.start()
      expect(listeners).toBe(1)
      await settler.stop()
      expect(listeners).toBe(0)
    } finally {
      await settler.stop()
      await ledger.close()
      await proxy.close()
    }
  })

  test('the sweep releases lapsed holds behind more than a page of live ones', async () => {
    const ledger = await createSqliteLedger(':memory:')
    // 600 live holds expire (valid-before) earlier than the 3 lapsed ones: a sweep reading the
    // first 500 verified rows by deadline would find none of them.
    const live = Array.from({ length: 600 }, () => ({
      ...randomEntry(),
      validBefore: 1_900_000_000n,
    }))
    const lapsed = Array.from({ length: 3 }, randomEntry)
    await Promise.all([
      ...live.map((e) => ledger.reserve(e, { state: 'verified', holdMs: 600_000 })),
      ...lapsed.map((e) => ledger.reserve(e, { state: 'verified', holdMs: 1 })),
    ])
    const client = createChainClient({ chainId: devnet.chainId, rpcUrls: [devnet.rpcUrl] })
    const settler = createSettler({
      // randomEntry's chain.
      chainId: devnet.chainId,
      client,
      watcher: createBlockWatcher(client),
      ledger,
      events: createSettlementEvents(ledger),
      accounts: [devnet.accounts[5]!.account],
      instanceId: 'sweep-test',
      sweepMs: 20,
    })
    try {
      await settler.start()
      await until(async () => (await ledger.counts()).released === 3, {
        timeoutMs: 5_000,
        intervalMs: 20,
        message: 'the lapsed holds released',
      })
      expect(await ledger.counts()).toMatchObject({ verified: 600, released: 3 })
    } finally {
      await settler.stop()
      await ledger.close()
    }
  })

  test('a start resolves orphaned rows behind more than 10,000 on a live transaction', async () => {
    const ledger = await createSqliteLedger(':memory:')
    // 10,050 rows on a pending transaction expire (valid-before) earlier than 3 rows left on a
    // dropped one: a start that read the first 10,000 submitted rows never saw the 3.
    const live = Array.from({ length: 10_050 }, () => ({
      ...randomEntry(),
      validBefore: 1_900_000_000n,
    }))
    // The orphans' authorizations are unspent on the devnet's token: they go back to the queue.
    const orphans = Array.from({ length: 3 }, () => ({
      ...randomEntry(),
      asset: devnet.usdc.address,
    }))
    await Promise.all([...live, ...orphans].map((e) => ledger.reserve(e, { state: 'queued' })))
    await ledger.claim({ chainId: 31337, owner: 'gone', limit: 20_000, leaseMs: 60_000 })
    const sender = randomHex(20) as Address
    const submit = (rows: typeof live, nonce: number) => {
      const hash = randomHex(32)
      return ledger
        .write({
          atomic: true,
          transitions: [
            {
              keys: rows,
              from: ['queued'],
              to: 'submitted',
              owner: 'gone',
              set: { txHash: hash, sender, txNonce: nonce, incrementAttempts: true },
            },
          ],
          insertTransaction: { hash, chainId: 31337, sender, nonce, raw: randomHex(120) },
        })
        .then(() => hash)
    }
    await submit(live, 0)
    const dropped = await submit(orphans, 1)
    await ledger.write({
      transitions: [],
      updateTransaction: { hash: dropped, set: { state: 'dropped' } },
    })
    const client = createChainClient({ chainId: devnet.chainId, rpcUrls: [devnet.rpcUrl] })
    const settler = createSettler({
      chainId: devnet.chainId,
      client,
      watcher: createBlockWatcher(client),
      ledger,
      events: createSettlementEvents(ledger),
      // No worker: what the start decided stays in place to be read.
      accounts: [],
      instanceId: 'orphans-test',
      // The live transaction is never broadcast again during the test.
      rebroadcastAfterMs: 600_000,
      replaceAfterMs: 600_000,
    })
    try {
      await settler.start()
      const states = await Promise.all(orphans.map(async (e) => (await ledger.get(e))?.state))
      expect(states).toEqual(['queued', 'queued', 'queued'])
      expect((await ledger.counts()).submitted).toBe(10_050)
    } finally {
      await settler.stop()
      await ledger.close()
    }
  }, 30_000)

  test('two starts at once start one set of workers and timers, and stop stops them all', async () => {
    const ledger = await createSqliteLedger(':memory:')
    // The real ledger, with the sweep's reads and the workers' claims counted.
    let calls = 0
    const counted: Ledger = new Proxy(ledger, {
      get(target, key) {
        const value = Reflect.get(target, key)
        if (key !== 'listTransactions' && key !== 'claim') return value
        return (...args: unknown[]) => {
          calls++
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    const client = createChainClient({ chainId: devnet.chainId, rpcUrls: [devnet.rpcUrl] })
    const watcher = createBlockWatcher(client)
    const settler = createSettler({
      chainId: devnet.chainId,
      client,
      watcher,
      ledger: counted,
      events: createSettlementEvents(ledger),
      accounts: [devnet.accounts[5]!.account],
      instanceId: 'double-start-test',
      sweepMs: 10,
      idleMs: 10,
    })
    try {
      await Promise.all([settler.start(), settler.start()])
      await until(() => calls > 4)
      await settler.stop()
      const atStop = calls
      await new Promise((resolve) => setTimeout(resolve, 150))
      // A second set of workers or a sweep timer left over would still be reading the ledger.
      expect(calls).toBe(atStop)
    } finally {
      await settler.stop()
      await ledger.close()
    }
  })
})
