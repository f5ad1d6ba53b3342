import { type Asset, assets as registry } from '@tollgate/evm'
import type { Address, LocalAccount } from 'viem'
import { FacilitatorConfigError } from '../errors.js'
import type { Ledger } from '../ledger/types.js'
import type { SettlementEvents } from '../settlement/createSettlementEvents.js'
import { createSettler, type SettlerParameters } from '../settlement/createSettler.js'
import { createBalanceCache } from './createBalanceCache.js'
import { createBlockWatcher } from './createBlockWatcher.js'
import { createChainClient } from './createChainClient.js'
import type { RpcObservation } from './observeRpc.js'
import type { ChainRuntime } from './types.js'

/** One chain the facilitator settles on. */
export type FacilitatorChainConfig = {
  chainId: number
  /** JSON-RPC endpoints, tried in order (failover). */
  rpcUrls: readonly string[]
  /** Tokens accepted on the chain. @default the USDC of `@tollgate/evm`'s registry for the chain */
  assets?: readonly Asset[] | undefined
  /** The chain's `BatchSettler` (see `@tollgate/contracts`); without one, one transaction per payment. */
  batchSettler?: Address | undefined
  /**
   * Multicall3 on this chain (`0xcA11bde05977b3631167028862bE2a173976CA11` where deployed): Permit2
   * `exact` settlements are batched through it. Without it each is its own transaction.
   */
  multicall3?: Address | undefined
  /** Accounts that pay for gas on this chain. @default the facilitator's `signers` */
  signers?: readonly LocalAccount[] | undefined
  /** How often the head is polled, in ms. @default 250 */
  pollingIntervalMs?: number | undefined
  /** Per RPC request, in ms. @default 10_000 */
  rpcTimeoutMs?: number | undefined
}

/** What a chain runtime is built from (internal). */
export type CreateChainRuntimeParameters = {
  config: FacilitatorChainConfig
  ledger: Ledger
  events: SettlementEvents
  signers: readonly LocalAccount[]
  instanceId: string
  settler: Omit<
    SettlerParameters,
    | 'chainId'
    | 'client'
    | 'watcher'
    | 'ledger'
    | 'events'
    | 'accounts'
    | 'instanceId'
    | 'batchSettler'
    | 'headPollingMs'
  >
  onError: (error: unknown) => void
  /** Told of every exchange with the chain's nodes (the facilitator's RPC metrics). */
  onRpc?: ((observation: RpcObservation) => void) | undefined
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}

/** Builds (without starting) the client, head watcher, balance cache and settler of a chain. */
export function createChainRuntime({
  config,
  ledger,
  events,
  signers,
  instanceId,
  settler,
  onError,
  onRpc,
  now = Date.now,
}: CreateChainRuntimeParameters): ChainRuntime {
  const accounts = config.signers ?? signers
  if (accounts.length === 0)
    throw new FacilitatorConfigError({
      field: 'signers',
      chainId: config.chainId,
      reason: 'no signer.',
      hint: 'Pass `signers` (viem local accounts) to pay for settlement gas.',
    })
  for (const account of accounts)
    if (!account.signTransaction)
      throw new FacilitatorConfigError({
        field: 'signers',
        chainId: config.chainId,
        reason: `signer ${account.address} cannot sign transactions locally.`,
        hint: 'Use a viem local account (privateKeyToAccount, mnemonicToAccount, ...).',
      })
  const assets = config.assets ?? registry.filter((asset) => asset.chainId === config.chainId)
  if (assets.length === 0)
    throw new FacilitatorConfigError({
      field: 'assets',
      chainId: config.chainId,
      reason: 'no asset.',
      hint: 'Pass `assets` for chains the registry does not know (e.g. a devnet).',
    })
  const client = createChainClient({
    chainId: config.chainId,
    rpcUrls: config.rpcUrls,
    timeoutMs: config.rpcTimeoutMs,
    onRpc,
  })
  const watcher = createBlockWatcher(client, {
    pollingIntervalMs: config.pollingIntervalMs,
    onError,
    now,
  })
  const balances = createBalanceCache(client, watcher, { assets: assets.map((a) => a.address) })
  watcher.subscribe(balances.handle)
  const runtime: ChainRuntime = {
    chainId: config.chainId,
    client,
    watcher,
    balances,
    settler: createSettler({
      ...settler,
      chainId: config.chainId,
      client,
      watcher,
      ledger,
      events,
      accounts,
      instanceId,
      batchSettler: config.batchSettler,
      multicall3: config.multicall3,
      headPollingMs: config.pollingIntervalMs ?? 250,
      onError,
      now,
    }),
    assets,
    assetAddresses: new Set(assets.map((a) => a.address.toLowerCase())),
    signers: accounts.map((a) => a.address),
    batchSettler: config.batchSettler,
  }
  return runtime
}
