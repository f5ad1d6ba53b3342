import { appendFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { createRedisStore } from '@tollgate/paywall/redis'
import express from 'express'
import { createClient } from 'redis'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

// One API process of the multi-process tests: an Express app with a $0.01 route behind
// `createPaywall`, settling in process (`createLocalFacilitator`) from its own wallet, with its
// paywall state in Redis (REDIS_URL set) or in its memory (the default). Every handler run is
// appended to a file before the answer is sent, so the count survives `kill -9`. Over IPC it says
// when it listens and, while the test holds settlements, waits for the word to settle.

/** What the test tells the process, as JSON in the `API_CONFIG` environment variable. */
export type ApiConfig = {
  name: string
  rpcUrl: string
  chainId: number
  asset: { address: Address; name: string; version: string }
  payTo: Address
  /** The settling wallet's key (a devnet test key). */
  operatorKey: Hex
  runsFile: string
  redisUrl?: string | undefined
}

/** Messages between the test and the process. */
export type ApiMessage =
  | { type: 'listening'; port: number }
  | { type: 'settling' }
  | { type: 'hold'; on: boolean }
  | { type: 'release' }

const config = JSON.parse(process.env.API_CONFIG ?? '{}') as ApiConfig
const send = (message: ApiMessage) => process.send?.(message)
// The test's end (or death) ends this process too.
process.on('disconnect', () => process.exit(0))

let holding = false
const released: (() => void)[] = []
process.on('message', (message: ApiMessage) => {
  if (message.type === 'hold') holding = message.on
  if (message.type === 'release') released.shift()?.()
})

const chain = defineChain({
  id: config.chainId,
  name: 'devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [config.rpcUrl] } },
})
const transport = http(config.rpcUrl)
const assets: Asset[] = [
  {
    chainId: config.chainId,
    network: `eip155:${config.chainId}`,
    address: config.asset.address,
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: config.asset.name, version: config.asset.version },
  },
]
const local = createLocalFacilitator({
  publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }),
  walletClient: createWalletClient({
    chain,
    transport,
    account: privateKeyToAccount(config.operatorKey),
  }),
  assets,
})
// While the test holds settlements, each settle waits for its word: the interleaving of two
// processes is then the test's choice, not a race.
const facilitator: FacilitatorClient = {
  verify: (request) => local.verify(request),
  supported: () => local.supported(),
  async settle(parameters) {
    if (holding) {
      const go = new Promise<void>((resolve) => released.push(resolve))
      send({ type: 'settling' })
      await go
    }
    return local.settle(parameters)
  },
}

const store = config.redisUrl
  ? createRedisStore({
      client: await createClient({ url: config.redisUrl })
        .on('error', () => {})
        .connect(),
    })
  : undefined
const app = express()
app.use(
  createPaywall(facilitator, {
    assets,
    routes: {
      'GET /report': { price: '$0.01', payTo: config.payTo, network: `eip155:${config.chainId}` },
    },
    logger: false,
    // Without a shared store each process keeps its own memory (the default).
    store,
  }),
)
app.get('/report', (_req, res) => {
  appendFileSync(config.runsFile, `${config.name}\n`)
  res.json({ report: 'paid content', servedBy: config.name, run: crypto.randomUUID() })
})

const server = createServer(app)
server.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port })
})
