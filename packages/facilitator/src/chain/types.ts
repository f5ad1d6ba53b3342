import type { Asset } from '@tollgate/evm'
import type { Address } from 'viem'
import type { Settler } from '../settlement/createSettler.js'
import type { BalanceCache } from './createBalanceCache.js'
import type { BlockWatcher } from './createBlockWatcher.js'
import type { ChainClient } from './createChainClient.js'

/** Everything the facilitator runs for one chain. */
export type ChainRuntime = {
  chainId: number
  client: ChainClient
  watcher: BlockWatcher
  balances: BalanceCache
  settler: Settler
  /** Tokens accepted on this chain (with their EIP-712 domains). */
  assets: readonly Asset[]
  /** Lowercase addresses of `assets`. */
  assetAddresses: ReadonlySet<string>
  /** The facilitator's accounts on this chain. */
  signers: readonly Address[]
  batchSettler: Address | undefined
}
