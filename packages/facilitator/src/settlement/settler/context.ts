import type { Hex, LocalAccount } from 'viem'
import { type BlockClock, createBlockClock } from '../../chain/createBlockClock.js'
import { createFeeStrategy, type FeeStrategy } from '../createFeeStrategy.js'
import { createNonceManager, type NonceManager } from '../createNonceManager.js'
import type { SettlerParameters, SettlerStats } from '../createSettler.js'
import { createSignal, type Signal } from './signal.js'
import type { Tracked } from './tracked.js'

/**
 * What every part of one chain's settler is given: its dependencies, its tuning with the
 * defaults applied, and the state its parts share. Resolved once, by `createSettler`.
 */
export type SettlerContext = Pick<
  SettlerParameters,
  | 'chainId'
  | 'client'
  | 'watcher'
  | 'ledger'
  | 'events'
  | 'accounts'
  | 'instanceId'
  | 'batchSettler'
  | 'multicall3'
  | 'gas'
> & {
  /** Authorizations per transaction at most: 1 without a `BatchSettler` or Multicall3. */
  maxSize: number
  maxWaitMs: number
  alignToBlocks: boolean
  blockMarginMs: number
  leaseMs: number
  idleMs: number
  rebroadcastAfterMs: number
  replaceAfterMs: number
  maxAttempts: number
  expiryMarginSeconds: number
  logLookbackBlocks: bigint
  logPageSizeBlocks: bigint
  sweepMs: number
  onError: (error: unknown) => void
  now: () => number
  blockClock: BlockClock
  feeStrategy: FeeStrategy
  signal: Signal
  /** By lowercase address. */
  accountsByAddress: Map<string, LocalAccount>
  /** By lowercase address: one per account. */
  nonceManagers: Map<string, NonceManager>
  /** Transactions signed whose receipt is not in yet, by hash. */
  tracked: Map<Hex, Tracked>
  stats: Omit<SettlerStats, 'tracked'>
  /** Whether the workers run (between `start()` and `stop()`). */
  running: boolean
  /** Authorizations queued so far (one `wake()` each): a waiting worker counts them to stop when full. */
  arrivals: number
  /** The receipt check of every tracked transaction in progress, if one is. */
  checking: Promise<void> | undefined
  /** Receipt reads of just-broadcast transactions, running beside the workers. */
  receiptChecks: Set<Promise<void>>
}

/** The settler's context: `parameters` with their defaults, nothing started yet. */
export function createSettlerContext(parameters: SettlerParameters): SettlerContext {
  const { chainId, client, watcher, ledger, events, accounts, instanceId } = parameters
  const { batchSettler, multicall3, gas, onError = () => {}, now = Date.now } = parameters
  const headPollingMs = parameters.headPollingMs ?? 250
  return {
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
    ...resolveTuning(parameters, headPollingMs),
    onError,
    now,
    blockClock: createBlockClock(headPollingMs),
    feeStrategy: createFeeStrategy(client, watcher, parameters.fees),
    signal: createSignal(),
    ...indexAccounts(parameters),
    tracked: new Map(),
    stats: {
      transactionsSent: 0,
      itemsSent: 0,
      itemsConfirmed: 0,
      itemsFailed: 0,
      itemsRequeued: 0,
      rebroadcasts: 0,
      replacements: 0,
      reorgs: 0,
    },
    running: false,
    arrivals: 0,
    checking: undefined,
    receiptChecks: new Set(),
  }
}

/** The settler's tuning, defaults applied (they are documented on `SettlerParameters`). */
function resolveTuning(parameters: SettlerParameters, headPollingMs: number) {
  const {
    batchSettler,
    multicall3,
    batch,
    leaseMs = 30_000,
    idleMs = 250,
    rebroadcastAfterMs = 3_000,
    replaceAfterMs = 60_000,
    maxAttempts = 5,
    expiryMarginSeconds = 2,
    logLookbackBlocks = 100_000n,
    logPageSizeBlocks = 1_000n,
    sweepMs = 5_000,
  } = parameters
  return {
    maxSize: batchSettler || multicall3 ? Math.max(1, batch?.maxSize ?? 50) : 1,
    maxWaitMs: batch?.maxWaitMs ?? 0,
    alignToBlocks: batch?.alignToBlocks ?? true,
    blockMarginMs: batch?.blockMarginMs ?? headPollingMs + 100,
    leaseMs,
    idleMs,
    rebroadcastAfterMs,
    replaceAfterMs,
    maxAttempts,
    expiryMarginSeconds,
    logLookbackBlocks,
    logPageSizeBlocks,
    sweepMs,
  }
}

/** The accounts by lowercase address, each with its nonce manager. */
function indexAccounts({ client, ledger, chainId, accounts }: SettlerParameters) {
  const accountsByAddress = new Map<string, LocalAccount>()
  const nonceManagers = new Map<string, NonceManager>()
  for (const account of accounts) {
    accountsByAddress.set(account.address.toLowerCase(), account)
    nonceManagers.set(
      account.address.toLowerCase(),
      createNonceManager(client, { ledger, chainId, address: account.address }),
    )
  }
  return { accountsByAddress, nonceManagers }
}

/** The name of `account`'s worker in row leases. */
export function ownerOf(context: SettlerContext, account: LocalAccount): string {
  return `${context.instanceId}:${account.address.toLowerCase()}`
}
