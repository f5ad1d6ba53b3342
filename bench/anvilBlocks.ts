/**
 * What one block costs the devnet's anvil as its chain grows: anvil's CPU per single-transfer
 * block on a fresh chain, then after each step of empty blocks (`anvil_mine`). The settlement
 * bench shares one anvil between both stacks for a whole run, and the reference makes a block
 * per payment where ours makes one per batch, so this says how much later slices pay for the
 * blocks of earlier ones (README, "The devnet's blocks get dearer").
 *
 *   node --import tsx bench/anvilBlocks.ts [--steps=4] [--step-blocks=1000] [--samples=200]
 */
import { parseArgs } from 'node:util'
import { startDevnet } from '@tollgate/contracts/devnet'
import { readProcessCpuMs } from './src/processCpu.js'

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '4' },
    'step-blocks': { type: 'string', default: '1000' },
    samples: { type: 'string', default: '200' },
  },
})
const steps = Number(values.steps)
const stepBlocks = Number(values['step-blocks'])
const samples = Number(values.samples)

await using devnet = await startDevnet({ accounts: 2 })
const [sender, receiver] = devnet.accounts
const wallet = devnet.walletClient(sender!.account)
let nonce = await devnet.publicClient.getTransactionCount({ address: sender!.address })

/** Anvil's CPU ms per block of one ETH transfer, each sent once the last one's receipt is in. */
async function costPerBlock(): Promise<{ cpu: number; wall: number }> {
  const cpuBefore = readProcessCpuMs(devnet.pid)
  const started = performance.now()
  for (let i = 0; i < samples; i++) {
    const hash = await wallet.sendTransaction({ to: receiver!.address, value: 1n, nonce: nonce++ })
    while (
      !(await devnet.publicClient.request({ method: 'eth_getTransactionReceipt', params: [hash] }))
    )
      await new Promise((resolve) => setTimeout(resolve, 1))
  }
  const cpuAfter = readProcessCpuMs(devnet.pid)
  if (cpuBefore === undefined || cpuAfter === undefined)
    throw new Error('anvil CPU time is read from /proc: Linux only')
  return { cpu: (cpuAfter - cpuBefore) / samples, wall: (performance.now() - started) / samples }
}

console.log(`anvil pid ${devnet.pid}: CPU per block of one transfer, ${samples} blocks a sample`)
for (let step = 0; step <= steps; step++) {
  if (step > 0) await devnet.testClient.mine({ blocks: stepBlocks })
  const height = await devnet.publicClient.getBlockNumber()
  const { cpu, wall } = await costPerBlock()
  console.log(
    `height ${String(height).padStart(6)}: anvil ${cpu.toFixed(2)} ms CPU a block, ${wall.toFixed(2)} ms a transfer (send to receipt)`,
  )
}
