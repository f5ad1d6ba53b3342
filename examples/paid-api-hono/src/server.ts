// A paid Hono API: `GET /weather` costs a fixed $0.01, `GET /reports/:pages` $0.01 a page. The
// app is Web-standard (its `app.fetch` runs on Workers, Deno and Bun as it is); here it runs on
// Node through `@hono/node-server`. Payments are verified and settled by the facilitator at
// FACILITATOR_URL, or, without one, in this process from the SETTLER_PRIVATE_KEY wallet.

// #region setup
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { formatMoney } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createLocalFacilitator, createPaywall } from '@tollgate/hono'
import { Hono } from 'hono'
import { createWalletClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain.js'
import { readConfig } from './config.js'
import { readToken } from './token.js'

const config = (() => {
  try {
    return readConfig(process.env)
  } catch (error) {
    console.error(`paid-api-hono: ${(error as Error).message}`)
    process.exit(1)
  }
})()
const publicClient = await connect(config.rpcUrl)
const token = await readToken(publicClient, config.usdcAddress)
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
// #endregion setup

// #region paywall
const app = new Hono()
// A malformed page count is refused before the paywall, so nobody pays for a 400.
app.get('/reports/:pages', async (c, next) => {
  if (/^([1-9]|10)$/.test(c.req.param('pages'))) return next()
  return c.json({ error: 'pages must be 1 to 10' }, 400)
})

const pricePerPage = 10n ** BigInt(token.decimals - 2) // $0.01 in the token's atomic units
const paywall = createPaywall(facilitator, {
  assets: [token],
  routes: {
    'GET /weather': {
      price: '$0.01',
      network: token.network,
      asset: token.address,
      payTo: config.payTo,
      description: 'The weather now',
    },
    'GET /reports/:pages': {
      // `request.params` are the route table's; `request.raw` is Hono's Context.
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
await paywall.ready()
app.use(paywall)
// #endregion paywall

// #region routes
app.get('/weather', (c) => c.json({ city: 'Lisbon', sky: 'clear', celsius: 21 }))
app.get('/reports/:pages', (c) => {
  const pages = Number(c.req.param('pages'))
  return c.json({
    pages: Array.from({ length: pages }, (_, page) => `page ${page + 1} of ${pages}`),
  })
})
// #endregion routes

// #region serve
// On Workers, Deno or Bun: `export default app` instead (the paywall uses no Node built-in).
const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
  const mode = config.facilitatorUrl ? `facilitator ${config.facilitatorUrl}` : 'local settlement'
  const { port } = info as AddressInfo
  console.log(
    `paid-api-hono listening on http://${config.host}:${port} (${token.network}, ${mode})`,
  )
})
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0))
  })
// #endregion serve
