import type { BlockWatcher } from '../chain/createBlockWatcher.js'
import type { ChainClient } from '../chain/createChainClient.js'

/** EIP-1559 fee caps of a transaction. */
export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }

/** How settlement transactions are priced (`createFacilitator({ fees })`). */
export type FeeStrategyParameters = {
  /** Tip, in wei; by default the node's `eth_maxPriorityFeePerGas`, read once per block. */
  priorityFeePerGas?: bigint | undefined
  /** `maxFeePerGas = baseFee * multiplier + tip`: room for the base fee to rise before inclusion. @default 2n */
  baseFeeMultiplier?: bigint | undefined
  /** Percent added to both caps when a stuck transaction is replaced (nodes ask for at least 10). @default 25n */
  replacementBumpPercent?: bigint | undefined
}

/** EIP-1559 fees for new transactions and for replacements. */
export type FeeStrategy = {
  /** Fees for a new transaction, from the head's base fee. */
  current(): Promise<Fees>
  /** Fees for a replacement of a transaction sent with `previous`: never below the bumped caps. */
  replacement(previous: Fees): Promise<Fees>
}

/**
 * The fee strategy: base fee from the block watcher's head (no RPC), tip from the configuration or
 * the node (one read per block), and bumped caps for replacements of stuck transactions.
 */
export function createFeeStrategy(
  client: ChainClient,
  watcher: BlockWatcher,
  {
    priorityFeePerGas,
    baseFeeMultiplier = 2n,
    replacementBumpPercent = 25n,
  }: FeeStrategyParameters = {},
): FeeStrategy {
  let tip: { block: bigint; value: bigint } | undefined

  async function getTip(block: bigint | undefined): Promise<bigint> {
    if (priorityFeePerGas !== undefined) return priorityFeePerGas
    if (tip && block !== undefined && tip.block === block) return tip.value
    const value = BigInt(
      (await client.request({ method: 'eth_maxPriorityFeePerGas' })) as `0x${string}`,
    )
    if (block !== undefined) tip = { block, value }
    return value
  }

  async function current(): Promise<Fees> {
    const head = watcher.head ?? (await watcher.poll())
    const maxPriorityFeePerGas = await getTip(head?.number)
    let baseFee = head?.baseFeePerGas
    if (baseFee === undefined) {
      // A chain without EIP-1559 base fees: the gas price is the whole fee.
      baseFee = await client.getGasPrice()
    }
    return {
      maxFeePerGas: baseFee * baseFeeMultiplier + maxPriorityFeePerGas,
      maxPriorityFeePerGas,
    }
  }

  return {
    current,
    async replacement(previous) {
      const now = await current()
      const bump = (value: bigint) => value + (value * replacementBumpPercent + 99n) / 100n
      const max = (...values: bigint[]) => {
        let top = 0n
        for (const value of values) if (value > top) top = value
        return top
      }
      const maxPriorityFeePerGas = max(
        bump(previous.maxPriorityFeePerGas),
        now.maxPriorityFeePerGas,
      )
      const maxFeePerGas = max(bump(previous.maxFeePerGas), now.maxFeePerGas, maxPriorityFeePerGas)
      return { maxFeePerGas, maxPriorityFeePerGas }
    },
  }
}
