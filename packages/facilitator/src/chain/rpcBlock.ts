import type { Hex } from 'viem'
import type { BlockHead } from './createBlockWatcher.js'
import type { ChainClient } from './createChainClient.js'

/** The fields of an `eth_getBlockByNumber` answer the watcher reads. */
type RpcBlock = {
  number: Hex
  hash: Hex
  parentHash: Hex
  timestamp: Hex
  baseFeePerGas?: Hex | null
}

/** Block `tag` (the latest, or a height) without its transactions, or `null` where there is none. */
export async function getBlock(
  client: ChainClient,
  tag: 'latest' | bigint,
): Promise<RpcBlock | null> {
  return (await client.request({
    method: 'eth_getBlockByNumber',
    params: [typeof tag === 'bigint' ? `0x${tag.toString(16)}` : tag, false],
  })) as RpcBlock | null
}

/** A block as the watcher keeps it: numbers as `bigint`, stamped with when it was seen. */
export function toHead(block: RpcBlock, seenAt: number): BlockHead {
  return {
    number: BigInt(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: BigInt(block.timestamp),
    baseFeePerGas:
      block.baseFeePerGas === undefined || block.baseFeePerGas === null
        ? undefined
        : BigInt(block.baseFeePerGas),
    seenAt,
  }
}
