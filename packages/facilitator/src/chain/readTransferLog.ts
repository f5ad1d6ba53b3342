import type { Address, Hex } from 'viem'

/** The first topic of an ERC-20 `Transfer(address indexed from, address indexed to, uint256 value)`. */
export const transferTopic = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

/**
 * An ERC-20 `Transfer` read straight from its topics and data, without ABI decoding (which cost
 * tens of microseconds a log, on every block and every receipt): `undefined` for any other log, or
 * for one not shaped as ERC-20's (an ERC-721 `Transfer` indexes its third field). Addresses come
 * lowercase.
 */
export function readTransferLog(log: {
  topics: readonly (Hex | null)[]
  data: Hex
}): { from: Address; to: Address; value: bigint } | undefined {
  const [topic, from, to] = log.topics
  if (topic !== transferTopic || log.topics.length !== 3 || !from || !to) return undefined
  if (from.length !== 66 || to.length !== 66 || log.data.length !== 66) return undefined
  return { from: `0x${from.slice(26)}`, to: `0x${to.slice(26)}`, value: BigInt(log.data) }
}
