// A facilitator in its own process, for the crash test (`node --import tsx`, run from the repo
// root so the workspace paths resolve). Config as JSON in argv[2]; prints `READY <url>` once it
// serves. Exits when its parent is gone.

import type { Asset } from '@tollgate/evm'
import { createFacilitator, createSqliteLedger, serveFacilitator } from '@tollgate/facilitator'
import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

type Config = {
  parentPid: number
  dbPath: string
  chainId: number
  rpcUrl: string
  assets: Asset[]
  batchSettler: Address
  privateKey: Hex
  mode: 'confirmed' | 'submitted' | 'queued'
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config
const ledger = await createSqliteLedger(config.dbPath)
const facilitator = createFacilitator({
  ledger,
  chains: [
    {
      chainId: config.chainId,
      rpcUrls: [config.rpcUrl],
      assets: config.assets,
      batchSettler: config.batchSettler,
      pollingIntervalMs: 100,
    },
  ],
  signers: [privateKeyToAccount(config.privateKey)],
  mode: config.mode,
  batch: { maxSize: 10 },
  settleTimeoutMs: 20_000,
  // Background errors go to stderr, which the test shows when it fails.
  onError: (error) => process.stderr.write(`${(error as Error).message?.split('\n')[0]}\n`),
})
await facilitator.start()
const server = await serveFacilitator(facilitator, { port: 0 })
process.stdout.write(`READY ${server.url}\n`)

setInterval(() => {
  try {
    process.kill(config.parentPid, 0)
  } catch {
    process.exit(1)
  }
}, 1_000).unref()
// Keeps the process alive (the server does too; this makes it explicit).
setInterval(() => {}, 60_000)
