// A paid API that runs no facilitator and holds no settlement wallet: Coinbase's hosted
// facilitator (CDP) verifies and settles, authenticated with the provider's CDP API key.
import type { AddressInfo } from 'node:net'
import { type Asset, getDefaultAsset } from '@tollgate/evm'
import { createPaywall } from '@tollgate/express'
import { cdpFacilitatorUrl, createCdpFacilitatorClient } from '@tollgate/facilitator/coinbase'
import express from 'express'
import { getAddress } from 'viem'
import { connect } from './chain.js'
import { readToken } from './token.js'

const fail = (message: string): never => {
  console.error(`hosted-facilitator: ${message}`)
  process.exit(1)
}
const env = (name: string) => process.env[name]?.trim() || undefined
const payTo = getAddress(env('PAY_TO') ?? fail('PAY_TO is not set (see .env.example).'))
const host = env('HOST') ?? '127.0.0.1'
const port = Number(env('PORT') ?? 3002)

// The token: the registry's USDC of NETWORK, or (RPC_URL and USDC_ADDRESS) one read on-chain.
const rpcUrl = env('RPC_URL')
const usdcAddress = env('USDC_ADDRESS')
const network = env('NETWORK') ?? 'eip155:84532' // Base Sepolia
const token: Asset =
  rpcUrl && usdcAddress
    ? await readToken(await connect(rpcUrl), getAddress(usdcAddress))
    : (getDefaultAsset(network) ??
      fail(`no USDC known on ${network}: set RPC_URL and USDC_ADDRESS.`))

// #region facilitator
// Each call carries a fresh JWT signed with the CDP API key (Ed25519 or EC), bound to its method
// and path. The key is read from the environment here and never logged.
const facilitator = createCdpFacilitatorClient({
  apiKeyId: env('CDP_API_KEY_ID') ?? fail('CDP_API_KEY_ID is not set (see .env.example).'),
  apiKeySecret:
    env('CDP_API_KEY_SECRET') ?? fail('CDP_API_KEY_SECRET is not set (see .env.example).'),
  url: env('FACILITATOR_URL') ?? cdpFacilitatorUrl,
})
// #endregion facilitator

// #region paywall
const app = express()
app.use(
  createPaywall(facilitator, {
    assets: [token],
    routes: {
      'GET /quote': {
        price: env('PRICE') ?? '$0.01',
        network: token.network,
        asset: token.address,
        payTo,
        description: 'A stock quote',
      },
    },
  }),
)
app.get('/quote', (_req, res) => {
  res.json({ symbol: 'ACME', price: '12.34' })
})
// #endregion paywall

const server = app.listen(port, host, () => {
  const address = server.address() as AddressInfo
  console.log(`hosted-facilitator listening on http://${host}:${address.port} (${token.network})`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0))
    server.closeIdleConnections()
  })
