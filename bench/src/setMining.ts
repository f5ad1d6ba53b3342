import type { Devnet } from '@tollgate/contracts/devnet'

/**
 * Switches the devnet between instant mining (`blockTime` undefined: each transaction mined on
 * arrival) and interval mining (a block every `blockTime` seconds), so that every scenario runs on
 * the same chain. Whatever is pending is mined first.
 */
export async function setMining(devnet: Devnet, blockTime: number | undefined): Promise<void> {
  const { testClient } = devnet
  if (blockTime === undefined) {
    await testClient.setIntervalMining({ interval: 0 })
    await testClient.setAutomine(true)
  } else {
    await testClient.setAutomine(false)
    await testClient.setIntervalMining({ interval: blockTime })
  }
  await testClient.mine({ blocks: 1 })
}
