// A paid API: `GET /weather` costs a fixed $0.01, `GET /reports/:pages` $0.01 a page. Payments are
// verified and settled by the facilitator at FACILITATOR_URL, or, without one, in this process
// from the SETTLER_PRIVATE_KEY wallet.

// #region setup
import type { AddressInfo } from 'node:net'
import { formatMoney } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import express from 'express'
import { createWalletClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain.js'
import { readConfig } from './config.js'
import { readToken } from './token.js'

// The settings (RPC_URL, PAY_TO, ...; see .env.example); a missing one stops the server here.
const config = (() => {
  try {
    return readConfig(process.env)
  } catch (error) {
    console.error(`paid-api: ${(error as Error).message}`)
    process.exit(1)
  }
})()
const publicClient = await connect(config.rpcUrl)
const token = await readToken(publicClient, config.usdcAddress)

// #region facilitator
const facilitator = config.facilitatorUrl
  ? createHttpFacilitatorClient({
      url: config.facilitatorUrl,
      headers: config.facilitatorApiKey
        ? { Authorization: `Bearer ${config.facilitatorApiKey}` }
        : undefined,
    })
  : createLocalFacilitator({
      publicClient,
      walletClient: createWalletClient({
        account: privateKeyToAccount(config.settlerKey!),
        chain: publicClient.chain,
        transport: http(config.rpcUrl),
      }),
      assets: [token],
    })
// #endregion facilitator
// #endregion setup

// #region paywall
const app = express()
// A malformed page count is refused before the paywall, so nobody pays for a 400.
app.get('/reports/:pages', (req, res, next) => {
  if (/^([1-9]|10)$/.test(req.params.pages)) return next()
  res.status(400).json({ error: 'pages must be 1 to 10' })
})

const pricePerPage = 10n ** BigInt(token.decimals - 2) // $0.01 in the token's atomic units
const paywall = createPaywall(facilitator, {
  assets: [token],
  routes: {
    'GET /weather': {
      price: '$0.01', // a string is whole units of the token: '$0.01', '0.01', '1' (one token)
      network: token.network,
      asset: token.address,
      payTo: config.payTo,
      description: 'The weather now',
    },
    'GET /reports/:pages': {
      // A price computed for each request, in atomic units (a bigint): $0.01 a page.
      price: (request) => pricePerPage * BigInt(request.params.pages ?? '1'),
      network: token.network,
      asset: token.address,
      payTo: config.payTo,
      description: 'A report, priced by its length',
    },
  },
  hooks: {
    onSettled: ({ route, requirements, settlement }) => {
      const amount = formatMoney(BigInt(requirements.amount), { decimals: token.decimals })
      console.log(`settled ${route}: $${amount} in ${settlement.transaction}`)
    },
  },
})
// Checks every route's settlement mode against the facilitator before serving; a route that
// cannot be settled as it asks stops the server here instead of failing its first caller.
await paywall.ready()
app.use(paywall)
// #endregion paywall

// #region routes
app.get('/weather', (_req, res) => {
  res.json({ city: 'Lisbon', sky: 'clear', celsius: 21 })
})
app.get('/reports/:pages', (req, res) => {
  const pages = Number(req.params.pages)
  res.json({ pages: Array.from({ length: pages }, (_, page) => `page ${page + 1} of ${pages}`) })
})
// #endregion routes

// #region serve
const server = app.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo
  const mode = config.facilitatorUrl ? `facilitator ${config.facilitatorUrl}` : 'local settlement'
  console.log(`paid-api listening on http://${config.host}:${port} (${token.network}, ${mode})`)
})
// Stop taking requests, let those in flight (and their settlements) finish, then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0))
    server.closeIdleConnections()
  })
// #endregion serve
