// The seller agent: an Express API whose `GET /forecast` costs $0.01, registered in the ERC-8004
// identity registry. Its 402s name that identity, and it serves the domain proof
// (`/.well-known/agent-registration.json`), so a buyer can check who it pays before signing.
import type { AddressInfo } from 'node:net'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { createRegistrationFile, registerAgent } from '@tollgate/identity'
import express from 'express'
import { createWalletClient, getAddress, http, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain.js'
import { readToken } from './token.js'

const fail = (message: string): never => {
  console.error(`seller: ${message}`)
  process.exit(1)
}
const env = (name: string) => process.env[name]?.trim() || undefined
const rpcUrl = env('RPC_URL') ?? fail('RPC_URL is not set (see .env.example).')
const key = env('SELLER_PRIVATE_KEY') ?? fail('SELLER_PRIVATE_KEY is not set (see .env.example).')
if (!(isHex(key) && key.length === 66)) fail('SELLER_PRIVATE_KEY must be 0x and 64 hex digits.')
const registry =
  env('IDENTITY_REGISTRY') ?? fail('IDENTITY_REGISTRY is not set (see .env.example).')
const host = env('HOST') ?? '127.0.0.1'
const port = Number(env('PORT') ?? 3001)

const publicClient = await connect(rpcUrl)
const usdcAddress = env('USDC_ADDRESS')
const token = await readToken(publicClient, usdcAddress ? getAddress(usdcAddress) : undefined)
// One wallet owns the identity, receives the payments and settles them (paying the gas).
const walletClient = createWalletClient({
  account: privateKeyToAccount(key as `0x${string}`),
  chain: publicClient.chain,
  transport: http(rpcUrl),
})
const seller = walletClient.account.address

// The server listens first: the registration names its URL.
const app = express()
const api = express.Router()
app.use(api)
const server = app.listen(port, host)
await new Promise((resolve) => server.once('listening', resolve))
const origin = env('PUBLIC_URL') ?? `http://${host}:${(server.address() as AddressInfo).port}`

// #region register
// Registering again with the same file is a no-op: the earlier agent is returned.
const registered = await registerAgent(walletClient, {
  registry,
  file: createRegistrationFile({
    name: 'forecast-seller',
    description: 'Hourly forecasts, $0.01 a call',
    services: [{ name: 'web', endpoint: `${origin}/forecast` }],
    x402Support: true,
    supportedTrust: ['reputation'],
  }),
  publish: { kind: 'data' }, // the file goes on-chain as a data: URI
})
// #endregion register
console.log(`seller registered as agent #${registered.agentId} (${registered.agentRegistry})`)

// #region paywall
api.use(
  createPaywall(createLocalFacilitator({ publicClient, walletClient, assets: [token] }), {
    assets: [token],
    // Named in every 402; also serves GET /.well-known/agent-registration.json.
    agent: {
      agentRegistry: registered.agentRegistry,
      agentId: registered.agentId,
      registrationFile: registered.file,
    },
    routes: {
      'GET /forecast': {
        price: '$0.01',
        network: token.network,
        asset: token.address,
        payTo: seller, // the agent's verified wallet: a buyer checks it against the registry
        description: 'Tomorrow, hour by hour',
      },
    },
  }),
)
api.get('/forecast', (_req, res) => {
  res.json({ tomorrow: 'sunny', high: 21 })
})
// #endregion paywall
console.log(`seller listening on ${origin}/forecast, paid to ${seller}`)

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0))
    server.closeIdleConnections()
  })
