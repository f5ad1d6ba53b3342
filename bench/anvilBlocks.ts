/**
 * What one block costs the devnet's anvil as its chain grows: anvil's CPU per single-transfer
 * block on a fresh chain, then after each step of growth. Anvil 1.7.1 rebuilds its whole state
 * trie every block, so a block costs more the more state there is: `--grow=blocks` adds empty
 * blocks (`anvil_mine`; on Prague each adds a slot to the block-hash history contract),
 * `--grow=slots` adds storage slots (`anvil_setStorageAt`, as each EIP-3009 payment adds one to
 * its token). The settlement bench shares one anvil between the stacks for a whole run, so this
 * says how much later slices pay for earlier ones (README, "The devnet's blocks get dearer").
 *
 *   node --import tsx bench/anvilBlocks.ts [--hardfork=cancun] [--grow=blocks|slots]
 *     [--steps=4] [--step-size=1000] [--samples=200]
 */
import { parseArgs } from 'node:util'
import { startDevnet } from '@tollgate/contracts/devnet'
import { numberToHex, pad } from 'viem'
import { readProcessCpuMs } from './src/processCpu.js'

const { values } = parseArgs({
  options: {
    hardfork: { type: 'string', default: 'cancun' },
    grow: { type: 'string', default: 'blocks' },
    steps: { type: 'string', default: '4' },
    'step-size': { type: 'string', default: '1000' },
    samples: { type: 'string', default: '200' },
  },
})
const steps = Number(values.steps)
const stepSize = Number(values['step-size'])
const samples = Number(values.samples)
if (values.grow !== 'blocks' && values.grow !== 'slots')
  throw new Error(`--grow is blocks or slots, not ${values.grow}`)

await using devnet = await startDevnet({ accounts: 2, hardfork: values.hardfork })
const [sender, receiver] = devnet.accounts
const wallet = devnet.walletClient(sender!.account)
let nonce = await devnet.publicClient.getTransactionCount({ address: sender!.address })
let slots = 0

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

/** One step of growth: `stepSize` empty blocks, or `stepSize` new storage slots of one account. */
async function grow(): Promise<void> {
  if (values.grow === 'blocks') return devnet.testClient.mine({ blocks: stepSize })
  for (let i = 0; i < stepSize; i++, slots++)
    await devnet.testClient.setStorageAt({
      address: receiver!.address,
      index: pad(numberToHex(slots + 1)),
      value: pad('0x01'),
    })
}

console.log(
  `anvil pid ${devnet.pid}, hardfork ${values.hardfork}, growing by ${values.grow}: CPU per block of one transfer, ${samples} blocks a sample`,
)
for (let step = 0; step <= steps; step++) {
  if (step > 0) await grow()
  const height = await devnet.publicClient.getBlockNumber({ cacheTime: 0 })
  const { cpu, wall } = await costPerBlock()
  console.log(
    `height ${String(height).padStart(6)}, ${String(slots).padStart(6)} slots added: anvil ${cpu.toFixed(2)} ms CPU a block, ${wall.toFixed(2)} ms a transfer (send to receipt)`,
  )
}
