const maxSplits = 10

/** How a block range is read in chunks. */
export type ScanRange = {
  fromBlock: bigint
  toBlock: bigint
  /** Blocks per `eth_getLogs` call; a failing call is split in halves down to one block. */
  chunkSize: bigint
}

/**
 * Calls `read` over `[fromBlock, toBlock]` in chunks, in block order, and concatenates the results.
 * A failing chunk is retried as two halves (providers cap ranges and result sizes differently),
 * at most 10 times deep, so an unreachable node fails after a dozen calls rather than one per block.
 */
export async function scanBlocks<item>(
  { fromBlock, toBlock, chunkSize }: ScanRange,
  read: (fromBlock: bigint, toBlock: bigint) => Promise<readonly item[]>,
): Promise<item[]> {
  const size = chunkSize > 0n ? chunkSize : 1n
  const results: item[] = []
  const readRange = async (from: bigint, to: bigint, depth: number): Promise<void> => {
    try {
      results.push(...(await read(from, to)))
    } catch (error) {
      if (from === to || depth >= maxSplits) throw error
      const middle = from + (to - from) / 2n
      await readRange(from, middle, depth + 1)
      await readRange(middle + 1n, to, depth + 1)
    }
  }
  for (let from = fromBlock; from <= toBlock; from += size) {
    const to = from + size - 1n < toBlock ? from + size - 1n : toBlock
    await readRange(from, to, 0)
  }
  return results
}
