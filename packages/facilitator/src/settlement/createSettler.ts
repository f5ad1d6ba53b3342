import { reasons } from '@tollgate/core'
import {
  type Address,
  formatTransactionReceipt,
  type Hex,
  keccak256,
  type LocalAccount,
  parseTransaction,
  type RpcTransactionReceipt,
  type TransactionReceipt,
} from 'viem'
import { createBlockClock } from '../chain/createBlockClock.js'
import type { BlockEvent, BlockWatcher } from '../chain/createBlockWatcher.js'
import type { ChainClient } from '../chain/createChainClient.js'
import type {
  Ledger,
  SettlementPatch,
  SettlementRecord,
  SettlementState,
  TransactionRecord,
  TransitionRequest,
} from '../ledger/types.js'
import { broadcastTransaction } from './broadcastTransaction.js'
import { createFeeStrategy, type FeeStrategyParameters, type Fees } from './createFeeStrategy.js'
import { createNonceManager, type NonceManager } from './createNonceManager.js'
import type { SettlementEvents } from './createSettlementEvents.js'
import { decideUnsettled, isSendable, type UnsettledFailure } from './decideUnsettled.js'
import { encodePermit2Settlement } from './encodePermit2Settlement.js'
import { encodeSettlement, isEcdsaItem, type SettlementGas } from './encodeSettlement.js'
import { kindOf, permit2Outcome, reconcilePermit2, toPermit2Item } from './permit2Records.js'
import { readReceiptOutcomes, reasonOfRevert } from './readReceiptOutcomes.js'
import { type AuthorizationOnChain, reconcileAuthorization } from './reconcileAuthorization.js'

/** What a chain's settler is built from, and its tuning. */
export type SettlerParameters = {
  chainId: number
  client: ChainClient
  watcher: BlockWatcher
  ledger: Ledger
  events: SettlementEvents
  /** The facilitator's accounts on this chain: one settlement worker each. */
  accounts: readonly LocalAccount[]
  /** Names this process in row leases; stable across restarts of the same instance. */
  instanceId: string
  /** The chain's `BatchSettler`; without one every authorization is its own transaction. */
  batchSettler?: Address | undefined
  /**
   * The chain's Multicall3, to batch Permit2 `exact` settlements (one `aggregate3` of proxy calls);
   * without it each is its own transaction. `upto` ones are never batched.
   */
  multicall3?: Address | undefined
  batch?:
    | {
        /** Authorizations per transaction at most. @default 50 */
        maxSize?: number | undefined
        /**
         * How long a worker may hold a partial batch to let it fill, in ms (0: send what is there).
         * New arrivals do not end the wait; a full batch does, and so does the next block (below).
         * @default 0
         */
        maxWaitMs?: number | undefined
        /**
         * Block-aligned waiting: on a chain whose blocks come at a steady interval, the wait ends
         * `blockMarginMs` before the next block is due, so the batch still makes that block; where
         * no steady interval is seen (instant mining, blocks faster than the head is polled) the
         * worker does not wait at all. With `false`, the wait is `maxWaitMs` whatever the chain does.
         * @default true
         */
        alignToBlocks?: boolean | undefined
        /** How long before a block is due the batch is sent, in ms. @default headPollingMs + 100 */
        blockMarginMs?: number | undefined
      }
    | undefined
  gas?: SettlementGas | undefined
  /** How often the watcher polls the head, in ms: how late a new block may be seen. @default 250 */
  headPollingMs?: number | undefined
  fees?: FeeStrategyParameters | undefined
  /** How long a worker holds the rows it claimed, in ms. @default 30_000 */
  leaseMs?: number | undefined
  /** How often an idle worker looks for work another instance queued, in ms. @default 250 */
  idleMs?: number | undefined
  /** A transaction no node reports after this long is broadcast again, in ms. @default 3_000 */
  rebroadcastAfterMs?: number | undefined
  /** A transaction pending this long gets a fee-bumped replacement, in ms. @default 60_000 */
  replaceAfterMs?: number | undefined
  /** Transactions an authorization may ride in before it fails. @default 5 */
  maxAttempts?: number | undefined
  /** An authorization closer than this to `validBefore` is not sent (it would expire in flight), in s. @default 2 */
  expiryMarginSeconds?: number | undefined
  /** How far back the chain's logs are searched when reconciling, in blocks. @default 100_000n */
  logLookbackBlocks?: bigint | undefined
  /**
   * Blocks per `eth_getLogs` request when reconciling: hosted RPCs refuse wide ranges (a refused
   * page is halved). @default 1_000n
   */
  logPageSizeBlocks?: bigint | undefined
  /** How often orphaned work (another instance's, or a lapsed hold) is collected, in ms. @default 5_000 */
  sweepMs?: number | undefined
  onError?: ((error: unknown) => void) | undefined
  now?: (() => number) | undefined
}

/** Counters of one chain's settler since it was created (read by `/metrics`). */
export type SettlerStats = {
  transactionsSent: number
  itemsSent: number
  itemsConfirmed: number
  itemsFailed: number
  itemsRequeued: number
  rebroadcasts: number
  replacements: number
  reorgs: number
  /** Transactions signed whose receipt is not in yet. */
  readonly tracked: number
}

/** The settlement engine of one chain (`facilitator.chains.get(id).settler`). */
export type Settler = {
  start(): Promise<void>
  /** New work is queued: a worker picks it up now rather than at its next idle poll. */
  wake(): void
  /** Whether this process signed `hash` and no node has confirmed receiving it yet. */
  awaitingBroadcast(hash: string): boolean
  stop(): Promise<void>
  readonly stats: SettlerStats
}

type Tracked = {
  hash: Hex
  sender: Address
  nonce: number
  raw: Hex
  /** A node confirmed having the transaction (or we got past the broadcast). */
  broadcast: boolean
  /** Last broadcast attempt, ms. */
  sentAt: number
  /** First broadcast, ms (replacement clock). */
  firstSentAt: number
}

type Signal = { wait(ms: number): Promise<void>; notify(): void }

function createSignal(): Signal {
  let waiters: (() => void)[] = []
  return {
    wait(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms)
        function done() {
          clearTimeout(timer)
          waiters = waiters.filter((w) => w !== done)
          resolve()
        }
        waiters.push(done)
      })
    },
    notify() {
      for (const waiter of waiters.splice(0)) waiter()
    },
  }
}

function feesOf(raw: Hex): Fees | undefined {
  try {
    const tx = parseTransaction(raw)
    if (tx.maxFeePerGas === undefined || tx.maxPriorityFeePerGas === undefined) return undefined
    return { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas }
  } catch {
    return undefined
  }
}

/**
 * The settlement engine of one chain. Each facilitator account has a worker that claims queued
 * rows (a lease in the ledger), signs one transaction for them (a batch through `BatchSettler`
 * when there are several), records `submitted` with the transaction's hash and raw bytes in one
 * commit, then broadcasts. Receipts are read right after the broadcast and on every new block;
 * a reorg that drops a mined transaction puts its rows back to `submitted` and the same raw
 * transaction is broadcast again. Before an authorization that has been in a transaction is sent
 * again (a retry, a restart, a dead transaction), the chain is asked whether it was spent.
 */
export function createSettler(parameters: SettlerParameters): Settler {
  const {
    chainId,
    client,
    watcher,
    ledger,
    events,
    accounts,
    instanceId,
    batchSettler,
    multicall3,
    gas,
    leaseMs = 30_000,
    idleMs = 250,
    rebroadcastAfterMs = 3_000,
    replaceAfterMs = 60_000,
    maxAttempts = 5,
    expiryMarginSeconds = 2,
    logLookbackBlocks = 100_000n,
    logPageSizeBlocks = 1_000n,
    sweepMs = 5_000,
    onError = () => {},
    now = Date.now,
  } = parameters
  const maxSize = batchSettler || multicall3 ? Math.max(1, parameters.batch?.maxSize ?? 50) : 1

  /**
   * The rows that can share one transaction from `account`: one kind (EIP-3009 with 65-byte
   * signatures, with contract signatures, Permit2 `exact`), the largest group first; an `upto`
   * row alone, and only from the account its payer named.
   */
  function chooseGroup(ready: SettlementRecord[], account: LocalAccount): SettlementRecord[] {
    const mine = account.address.toLowerCase()
    const upto = ready.find(
      (r) => kindOf(r) === 'permit2-upto' && r.permit2?.facilitator?.toLowerCase() === mine,
    )
    const groups = [
      ready.filter((r) => kindOf(r) === 'eip3009' && isEcdsaItem(r)),
      ready.filter((r) => kindOf(r) === 'eip3009' && !isEcdsaItem(r)),
      ready.filter((r) => kindOf(r) === 'permit2-exact').slice(0, multicall3 ? undefined : 1),
    ]
    if (!batchSettler) for (const group of groups.slice(0, 2)) group.splice(1)
    const largest = groups.reduce((a, b) => (b.length > a.length ? b : a))
    return largest.length > 0 ? largest : upto ? [upto] : []
  }
  const maxWaitMs = parameters.batch?.maxWaitMs ?? 0
  const alignToBlocks = parameters.batch?.alignToBlocks ?? true
  const headPollingMs = parameters.headPollingMs ?? 250
  const blockMarginMs = parameters.batch?.blockMarginMs ?? headPollingMs + 100
  const blockClock = createBlockClock(headPollingMs)
  // Authorizations queued so far (one `wake()` each): a waiting worker counts them to stop when full.
  let arrivals = 0
  const feeStrategy = createFeeStrategy(client, watcher, parameters.fees)
  const signal = createSignal()
  const tracked = new Map<Hex, Tracked>()
  const nonceManagers = new Map<string, NonceManager>()
  const accountsByAddress = new Map<string, LocalAccount>()
  for (const account of accounts) {
    accountsByAddress.set(account.address.toLowerCase(), account)
    nonceManagers.set(
      account.address.toLowerCase(),
      createNonceManager(client, { ledger, chainId, address: account.address }),
    )
  }
  const stats: Omit<SettlerStats, 'tracked'> = {
    transactionsSent: 0,
    itemsSent: 0,
    itemsConfirmed: 0,
    itemsFailed: 0,
    itemsRequeued: 0,
    rebroadcasts: 0,
    replacements: 0,
    reorgs: 0,
  }
  let running = false
  const loops: Promise<void>[] = []
  let unsubscribe: (() => void) | undefined
  let checking: Promise<void> | undefined
  let sweepTimer: ReturnType<typeof setInterval> | undefined
  let checkTimer: ReturnType<typeof setInterval> | undefined
  let sweeping: Promise<void> | undefined

  const ownerOf = (account: LocalAccount) => `${instanceId}:${account.address.toLowerCase()}`

  function publish(records: readonly SettlementRecord[]) {
    if (records.length > 0) events.publish(records)
  }

  async function write(
    transitions: TransitionRequest[],
    extra: Omit<Parameters<Ledger['write']>[0], 'transitions'> = {},
  ) {
    const result = await ledger.write({
      transitions: transitions.filter((t) => t.keys.length),
      ...extra,
    })
    publish(result.records)
    return result
  }

  /** What the chain proves about a row's authorization; our own transactions' receipts count. */
  async function reconcile(record: SettlementRecord): Promise<AuthorizationOnChain> {
    const head = watcher.head?.number ?? 0n
    // Our transactions that may have carried it: the row's, and any at the same sender nonce
    // (replacements of each other, one of which may have been mined).
    const ours =
      record.sender && record.txNonce !== undefined
        ? await ledger.listTransactions({
            chainId,
            states: ['pending', 'mined', 'dropped'],
            sender: record.sender,
            nonce: record.txNonce,
          })
        : []
    const transactions = [...(record.txHash ? [record.txHash] : []), ...ours.map((tx) => tx.hash)]
    const fromBlock = head > logLookbackBlocks ? head - logLookbackBlocks : 0n
    const chain = record.permit2
      ? await reconcilePermit2(client, { record, transactions, fromBlock })
      : await reconcileAuthorization(client, {
          asset: record.asset,
          payer: record.payer,
          nonce: record.nonce,
          transactions,
          fromBlock,
          pageSizeBlocks: logPageSizeBlocks,
        })
    if (chain.status === 'unknown' && chain.cause !== undefined) onError(chain.cause)
    return chain
  }

  /**
   * Transitions for rows that left a transaction without settling in it, or are about to be sent
   * again: asks the chain first, so a row spent elsewhere (an earlier transaction of ours, another
   * facilitator) is confirmed, not sent again; a canceled one fails; an unproven one waits.
   */
  async function resolveUnsettled(
    records: readonly SettlementRecord[],
    from: SettlementState[],
    txHash: Hex | undefined,
    failure: UnsettledFailure | undefined,
  ): Promise<TransitionRequest[]> {
    return Promise.all(
      records.map(async (record): Promise<TransitionRequest> => {
        const chain = await reconcile(record)
        const decision = decideUnsettled({
          record,
          chain,
          failure,
          now: now(),
          expiryMarginSeconds,
          maxAttempts,
        })
        return { keys: [record], from, ...(txHash ? { txHash } : {}), ...decision }
      }),
    )
  }

  function count(records: readonly SettlementRecord[]) {
    for (const record of records) {
      if (record.state === 'confirmed') stats.itemsConfirmed++
      else if (record.state === 'failed') stats.itemsFailed++
      else if (record.state === 'queued') stats.itemsRequeued++
    }
  }

  /**
   * Why a reverted transaction reverted: the same call simulated on the current state (a revert
   * leaves no reason in its receipt). Only used for single settlements: a batch never reverts
   * because of an item.
   */
  async function diagnose(tx: Tracked): Promise<Hex | undefined> {
    try {
      const parsed = parseTransaction(tx.raw)
      await client.request({
        method: 'eth_call',
        params: [
          { from: tx.sender, to: parsed.to ?? undefined, data: parsed.data ?? '0x' },
          'latest',
        ],
      })
      return undefined
    } catch (error) {
      let current: unknown = error
      for (let depth = 0; depth < 10 && current; depth++) {
        const data = (current as { data?: unknown }).data
        if (typeof data === 'string' && data.startsWith('0x')) return data as Hex
        if (
          typeof data === 'object' &&
          data &&
          typeof (data as { data?: unknown }).data === 'string'
        )
          return (data as { data: Hex }).data
        current = (current as { cause?: unknown }).cause
      }
      return undefined
    }
  }

  async function processReceipt(tx: Tracked, receipt: TransactionReceipt): Promise<void> {
    watcher.track(receipt.blockNumber, receipt.blockHash)
    const carried = (await ledger.listByTransaction(tx.hash)).filter((r) => r.state === 'submitted')
    let outcomes = readReceiptOutcomes(receipt, carried)
    if (receipt.status === 'reverted' && carried.length === 1) {
      const data = await diagnose(tx)
      const [only] = carried
      outcomes = only?.permit2
        ? [permit2Outcome(only, new Map(), data)]
        : outcomes.map((o) => (o.outcome === 'failed' ? { ...o, ...reasonOfRevert(data) } : o))
    }
    const settled = outcomes.filter((o) => o.outcome === 'settled').map((o) => o.record)
    const transitions: TransitionRequest[] = [
      {
        keys: settled,
        from: ['submitted'],
        to: 'confirmed',
        txHash: tx.hash,
        set: {
          blockNumber: receipt.blockNumber,
          blockHash: receipt.blockHash,
          owner: null,
          leaseUntil: null,
          reason: null,
        },
      },
    ]
    for (const outcome of outcomes) {
      if (outcome.outcome !== 'failed') continue
      transitions.push(
        ...(await resolveUnsettled([outcome.record], ['submitted'], tx.hash, {
          reason: outcome.reason,
          definitive: outcome.definitive,
        })),
      )
    }
    const result = await write(transitions, {
      updateTransaction: {
        hash: tx.hash,
        set: { state: 'mined', blockNumber: receipt.blockNumber, blockHash: receipt.blockHash },
      },
    })
    count(result.records)
    tracked.delete(tx.hash)
  }

  /** A transaction that can never be mined (its nonce went to another one): free its rows. */
  async function abandon(tx: Tracked): Promise<void> {
    const carried = (await ledger.listByTransaction(tx.hash)).filter((r) => r.state === 'submitted')
    const transitions = await resolveUnsettled(carried, ['submitted'], tx.hash, undefined)
    const result = await write(transitions, {
      updateTransaction: { hash: tx.hash, set: { state: 'dropped' } },
    })
    count(result.records)
    tracked.delete(tx.hash)
    nonceManagers.get(tx.sender.toLowerCase())?.resync()
    signal.notify()
  }

  /** Signs the same call at the same nonce with higher fees; the rows move to the new hash. */
  async function replace(tx: Tracked): Promise<void> {
    const account = accountsByAddress.get(tx.sender.toLowerCase())
    const previous = feesOf(tx.raw)
    if (!account?.signTransaction || !previous) return
    const parsed = parseTransaction(tx.raw)
    const fees = await feeStrategy.replacement(previous)
    const raw = await account.signTransaction({
      type: 'eip1559',
      chainId,
      nonce: tx.nonce,
      to: parsed.to ?? null,
      data: parsed.data ?? '0x',
      gas: parsed.gas ?? 0n,
      value: 0n,
      ...fees,
    })
    const hash = keccak256(raw)
    const carried = (await ledger.listByTransaction(tx.hash)).filter((r) => r.state === 'submitted')
    const result = await write(
      [
        {
          keys: carried,
          from: ['submitted'],
          to: 'submitted',
          txHash: tx.hash,
          set: { txHash: hash, incrementAttempts: true },
        },
      ],
      {
        insertTransaction: { hash, chainId, sender: tx.sender, nonce: tx.nonce, raw },
        updateTransaction: { hash: tx.hash, set: { state: 'dropped' } },
      },
    )
    if (!result.ok) return
    stats.replacements++
    tracked.delete(tx.hash)
    const next: Tracked = { ...tx, hash, raw, broadcast: false, sentAt: 0, firstSentAt: now() }
    tracked.set(hash, next)
    await rebroadcast(next)
  }

  /** A node has the transaction: `submitted` waiters may answer now. */
  async function markBroadcast(tx: Tracked): Promise<void> {
    if (tx.broadcast) return
    tx.broadcast = true
    publish(await ledger.listByTransaction(tx.hash))
  }

  async function rebroadcast(tx: Tracked): Promise<void> {
    tx.sentAt = now()
    const result = await broadcastTransaction(client, tx.raw)
    stats.rebroadcasts++
    if (result.status === 'sent') return markBroadcast(tx)
    if (result.status === 'ambiguous') return
    // Refused or its nonce is taken: it may have been mined meanwhile.
    const receipt = await getReceipt(tx.hash)
    if (receipt) return processReceipt(tx, receipt)
    if (result.status === 'nonce_used') return abandon(tx)
    // The node refuses it (fees too low now, ...): same nonce, new fees, so no gap opens.
    return replace(tx)
  }

  async function getReceipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    const receipt = (await client.request({
      method: 'eth_getTransactionReceipt',
      params: [hash],
    })) as RpcTransactionReceipt | null
    return receipt ? formatTransactionReceipt(receipt) : undefined
  }

  /** Reads the receipts of the transactions in flight; rebroadcasts or replaces the ones stuck. */
  async function checkTracked(hashes?: readonly Hex[]): Promise<void> {
    const list = (hashes ?? [...tracked.keys()])
      .map((hash) => tracked.get(hash))
      .filter((tx): tx is Tracked => tx !== undefined)
      .sort((a, b) => a.nonce - b.nonce)
    if (list.length === 0) return
    const receipts = await Promise.all(
      list.map((tx) =>
        getReceipt(tx.hash).catch((error: unknown) => {
          onError(error)
          return null
        }),
      ),
    )
    for (const [index, tx] of list.entries()) {
      const receipt = receipts[index]
      if (receipt === null) continue
      try {
        if (receipt) await processReceipt(tx, receipt)
        else if (!hashes) await checkStuck(tx)
      } catch (error) {
        onError(error)
      }
    }
  }

  async function checkStuck(tx: Tracked): Promise<void> {
    const time = now()
    if (tx.broadcast && time - tx.firstSentAt >= replaceAfterMs) return replace(tx)
    if (time - tx.sentAt < rebroadcastAfterMs) return
    const known = await client.request({ method: 'eth_getTransactionByHash', params: [tx.hash] })
    if (known) {
      tx.sentAt = time
      return markBroadcast(tx)
    }
    return rebroadcast(tx)
  }

  function check(hashes?: readonly Hex[]): Promise<void> {
    if (hashes) return checkTracked(hashes).catch(onError)
    checking ??= checkTracked()
      .catch(onError)
      .finally(() => {
        checking = undefined
      })
    return checking
  }

  async function onReorg(forkPoint: bigint): Promise<void> {
    stats.reorgs++
    const mined = await ledger.listTransactions({ chainId, states: ['mined'], minBlock: forkPoint })
    for (const tx of mined) {
      const receipt = await getReceipt(tx.hash)
      const carried = (await ledger.listByTransaction(tx.hash)).filter(
        (r) => r.state === 'confirmed',
      )
      if (receipt) {
        // Still in the chain, maybe in another block.
        await write(
          [
            {
              keys: carried,
              from: ['confirmed'],
              to: 'confirmed',
              txHash: tx.hash,
              set: { blockNumber: receipt.blockNumber, blockHash: receipt.blockHash },
            },
          ],
          {
            updateTransaction: {
              hash: tx.hash,
              set: { blockNumber: receipt.blockNumber, blockHash: receipt.blockHash },
            },
          },
        )
        continue
      }
      // Dropped by the reorg: back to submitted, and the same signed transaction goes out again.
      await write(
        [
          {
            keys: carried,
            from: ['confirmed'],
            to: 'submitted',
            txHash: tx.hash,
            set: { blockNumber: null, blockHash: null },
          },
        ],
        {
          updateTransaction: {
            hash: tx.hash,
            set: { state: 'pending', blockNumber: null, blockHash: null },
          },
        },
      )
      tracked.set(tx.hash, toTracked(tx, false))
      nonceManagers.get(tx.sender.toLowerCase())?.resync()
    }
    // Oldest nonce first, so the account's transactions land again in order.
    for (const tx of [...tracked.values()].sort((a, b) => a.nonce - b.nonce)) {
      if (!tx.broadcast) await rebroadcast(tx).catch(onError)
    }
  }

  function toTracked(tx: TransactionRecord, broadcast: boolean): Tracked {
    return {
      hash: tx.hash,
      sender: tx.sender,
      nonce: tx.nonce,
      raw: tx.raw,
      broadcast,
      sentAt: 0,
      firstSentAt: now(),
    }
  }

  async function onBlock(event: BlockEvent): Promise<void> {
    blockClock.observe(event.head.number, event.head.seenAt ?? now())
    if (event.type === 'reorg') return onReorg(event.forkPoint)
    await check()
  }

  /** Picks up what nobody is working on: pending transactions of a dead instance, lapsed holds. */
  async function sweep(): Promise<void> {
    const pending = await ledger.listTransactions({ chainId, states: ['pending'] })
    const stale = now() - rebroadcastAfterMs
    for (const tx of pending)
      if (!tracked.has(tx.hash) && tx.updatedAt < stale) tracked.set(tx.hash, toTracked(tx, false))
    const lapsed = (await ledger.list({ chainId, states: ['verified'], limit: 500 })).filter(
      (r) => (r.holdUntil ?? 0) < now(),
    )
    if (lapsed.length > 0)
      await write([{ keys: lapsed, from: ['verified'], to: 'released', set: { holdUntil: null } }])
  }

  async function recover(): Promise<void> {
    await watcher.poll()
    const pending = await ledger.listTransactions({ chainId, states: ['pending'] })
    for (const tx of pending) tracked.set(tx.hash, toTracked(tx, false))
    // Rows left `submitted` on a transaction that is gone (dropped before a crash could requeue them).
    const submitted = await ledger.list({ chainId, states: ['submitted'], limit: 10_000 })
    const orphans: SettlementRecord[] = []
    for (const record of submitted) {
      if (record.txHash && tracked.has(record.txHash)) continue
      const tx = record.txHash ? await ledger.getTransaction(record.txHash) : undefined
      if (tx?.state === 'mined') continue
      orphans.push(record)
    }
    if (orphans.length > 0)
      count(
        (await write(await resolveUnsettled(orphans, ['submitted'], undefined, undefined))).records,
      )
    await check()
    for (const tx of [...tracked.values()].sort((a, b) => a.nonce - b.nonce)) {
      if (tracked.has(tx.hash) && !tx.broadcast) await checkStuck(tx).catch(onError)
    }
    // Settlements mined just before the restart could have been reorged out while we were down.
    const head = watcher.head?.number
    if (head !== undefined) await onReorg(head > 64n ? head - 64n : 0n).catch(onError)
    stats.reorgs = 0
  }

  /** Rebroadcasts this account's transactions that no node has confirmed; true while some remain. */
  async function stalled(sender: Address): Promise<boolean> {
    const mine = [...tracked.values()]
      .filter((tx) => !tx.broadcast && tx.sender.toLowerCase() === sender.toLowerCase())
      .sort((a, b) => a.nonce - b.nonce)
    for (const tx of mine) {
      if (!tracked.has(tx.hash)) continue
      if (now() - tx.sentAt < Math.min(rebroadcastAfterMs, 500)) return true
      await rebroadcast(tx)
      if (tracked.has(tx.hash) && !tx.broadcast) return true
    }
    return false
  }

  /** When a partial batch must go: `maxWaitMs` from now, or in time for the next block. */
  function batchDeadline(): number | undefined {
    const start = now()
    const cap = start + maxWaitMs
    if (!alignToBlocks) return cap
    const due = blockClock.nextBlockAt(start, blockMarginMs)
    return due === undefined ? undefined : Math.min(cap, due - blockMarginMs)
  }

  async function claim(owner: string): Promise<SettlementRecord[]> {
    let rows = await ledger.claim({ chainId, owner, limit: maxSize, leaseMs })
    if (rows.length > 0 && rows.length < maxSize && maxWaitMs > 0) {
      const deadline = batchDeadline()
      if (deadline === undefined || deadline - now() < 5) return rows
      // Arrivals wake the wait only to count themselves; it ends when the batch could be full.
      const seen = arrivals
      while (running && rows.length + arrivals - seen < maxSize) {
        const left = deadline - now()
        if (left <= 0) break
        await signal.wait(left)
      }
      rows = await ledger.claim({ chainId, owner, limit: maxSize, leaseMs })
    }
    return rows
  }

  /** Filters claimed rows down to what can go in one transaction now; gives the rest back. */
  async function prepare(
    owner: string,
    account: LocalAccount,
    rows: SettlementRecord[],
  ): Promise<SettlementRecord[]> {
    const nowSeconds = BigInt(Math.floor(now() / 1000))
    const expired = rows.filter((r) => r.validBefore <= nowSeconds + BigInt(expiryMarginSeconds))
    const early = rows.filter((r) => r.validAfter >= nowSeconds && !expired.includes(r))
    let ready = rows.filter((r) => !expired.includes(r) && !early.includes(r))
    // Sent before: the chain decides whether it still needs sending.
    const retried = ready.filter((r) => r.attempts > 0)
    const reconciled = retried.length
      ? await resolveUnsettled(retried, ['queued'], undefined, undefined)
      : []
    const spent = reconciled.filter((t) => !isSendable(t))
    const spentKeys = new Set(spent.flatMap((t) => t.keys.map((k) => k.nonce)))
    ready = ready.filter((r) => !spentKeys.has(r.nonce))
    const chosen = chooseGroup(ready, account)
    const later = ready.filter((r) => !chosen.includes(r))
    const clear: SettlementPatch = { owner: null, leaseUntil: null }
    const transitions: TransitionRequest[] = [
      ...spent.map((t) => ({ ...t, owner })),
      {
        keys: expired,
        from: ['queued'],
        to: 'failed',
        owner,
        set: { ...clear, reason: reasons.invalidExactEvmPayloadAuthorizationValidBefore },
      },
      ...early.map(
        (r): TransitionRequest => ({
          keys: [r],
          from: ['queued'],
          to: 'queued',
          owner,
          // Parked until it becomes valid: a lease nobody holds.
          set: { owner: 'deferred', leaseUntil: Number(r.validAfter) * 1000 + 1000 },
        }),
      ),
      { keys: later, from: ['queued'], to: 'queued', owner, set: clear },
    ]
    if (transitions.some((t) => t.keys.length > 0)) count((await write(transitions)).records)
    return chosen
  }

  async function submit(account: LocalAccount, owner: string, rows: SettlementRecord[]) {
    const nonces = nonceManagers.get(account.address.toLowerCase())!
    const call = rows[0]?.permit2
      ? encodePermit2Settlement({ items: rows.map(toPermit2Item), multicall3, gas: gas?.permit2 })
      : encodeSettlement({ items: rows, batchSettler, gas })
    const fees = await feeStrategy.current()
    const nonce = await nonces.take()
    let raw: Hex
    try {
      raw = await account.signTransaction!({
        type: 'eip1559',
        chainId,
        nonce,
        to: call.to,
        data: call.data,
        gas: call.gas,
        value: 0n,
        ...fees,
      })
    } catch (error) {
      nonces.release(nonce)
      throw error
    }
    const hash = keccak256(raw)
    const written = await ledger.write({
      atomic: true,
      transitions: [
        {
          keys: rows,
          from: ['queued'],
          to: 'submitted',
          owner,
          set: {
            txHash: hash,
            sender: account.address,
            txNonce: nonce,
            incrementAttempts: true,
          },
        },
      ],
      insertTransaction: { hash, chainId, sender: account.address, nonce, raw },
    })
    if (!written.ok) {
      // A lease was lost to another worker: nothing was recorded, the nonce is free again.
      nonces.release(nonce)
      return
    }
    const tx: Tracked = {
      hash,
      sender: account.address,
      nonce,
      raw,
      broadcast: false,
      sentAt: now(),
      firstSentAt: now(),
    }
    tracked.set(hash, tx)
    stats.transactionsSent++
    stats.itemsSent += rows.length
    const result = await broadcastTransaction(client, raw)
    if (result.status === 'sent') tx.broadcast = true
    // Published after the broadcast: `submitted` answers wait for a hash some node has.
    publish(written.records)
    if (result.status === 'sent') {
      // With instant mining the receipt is already there; otherwise the next block brings it.
      await check([hash])
      return
    }
    if (result.status === 'ambiguous') return
    if (result.status === 'nonce_used') {
      // Another transaction holds this nonce (an out-of-date counter): start again from the chain.
      await abandon(tx)
      return
    }
    // Refused outright (insufficient funds for gas, ...): nothing is in flight; free the rows and
    // the nonce, and report.
    const carried = await ledger.listByTransaction(hash)
    await write(
      [
        {
          keys: carried.filter((r) => r.state === 'submitted'),
          from: ['submitted'],
          to: 'queued',
          txHash: hash,
          set: { owner: null, leaseUntil: null },
        },
      ],
      { updateTransaction: { hash, set: { state: 'dropped' } } },
    )
    tracked.delete(hash)
    nonces.release(nonce)
    throw result.cause
  }

  async function work(account: LocalAccount): Promise<void> {
    const owner = ownerOf(account)
    let backoff = 0
    while (running) {
      try {
        if (await stalled(account.address)) {
          await signal.wait(200)
          continue
        }
        const claimed = await claim(owner)
        if (claimed.length === 0) {
          await signal.wait(idleMs)
          continue
        }
        const rows = await prepare(owner, account, claimed)
        if (rows.length > 0) await submit(account, owner, rows)
        backoff = 0
      } catch (error) {
        onError(error)
        backoff = Math.min(backoff * 2 || 100, 2_000)
        await signal.wait(backoff)
      }
    }
  }

  return {
    get stats() {
      return { ...stats, tracked: tracked.size }
    },
    async start() {
      if (running) return
      // Recovery first: when it throws, nothing is left subscribed and a later start tries again.
      // It ends by checking the last 64 blocks for reorgs, so no block seen meanwhile is missed.
      await recover()
      unsubscribe?.()
      unsubscribe = watcher.subscribe(onBlock)
      running = true
      for (const account of accounts) loops.push(work(account))
      sweepTimer = setInterval(() => {
        sweeping ??= sweep()
          .catch(onError)
          .finally(() => {
            sweeping = undefined
          })
      }, sweepMs)
      sweepTimer.unref?.()
      // Blocks drive receipt checks; this covers a chain that stops producing them (stuck
      // transactions are replaced even when no block comes).
      checkTimer = setInterval(
        () => {
          if (tracked.size > 0) void check()
        },
        Math.max(100, Math.min(rebroadcastAfterMs, 1_000)),
      )
      checkTimer.unref?.()
    },
    wake() {
      arrivals++
      signal.notify()
    },
    awaitingBroadcast(hash) {
      const tx = tracked.get(hash.toLowerCase() as Hex)
      return tx !== undefined && !tx.broadcast
    },
    async stop() {
      running = false
      unsubscribe?.()
      unsubscribe = undefined
      if (sweepTimer) clearInterval(sweepTimer)
      if (checkTimer) clearInterval(checkTimer)
      signal.notify()
      await Promise.all(loops.splice(0))
      await checking
      await sweeping
    },
  }
}
