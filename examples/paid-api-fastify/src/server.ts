// A paid Fastify API: `GET /weather` costs a fixed $0.01, `GET /reports/:pages` $0.01 a page,
// each priced by its own route `config`. Payments are verified and settled by the facilitator at
// FACILITATOR_URL, or, without one, in this process from the SETTLER_PRIVATE_KEY wallet.

// #region setup
import { formatMoney } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createLocalFacilitator, createPaywall } from '@tollgate/fastify'
import Fastify from 'fastify'
import { createWalletClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain.js'
import { readConfig } from './config.js'
import { readToken } from './token.js'

const config = (() => {
  try {
    return readConfig(process.env)
  } catch (error) {
    console.error(`paid-api-fastify: ${(error as Error).message}`)
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
const app = Fastify()
// Registered before the routes; `fastify-plugin` makes its hooks cover this context.
const paywall = createPaywall(facilitator, {
  assets: [token],
  hooks: {
    onSettled: ({ route, requirements, settlement }) => {
      const amount = formatMoney(BigInt(requirements.amount), { decimals: token.decimals })
      console.log(`settled ${route}: $${amount} in ${settlement.transaction}`)
    },
  },
})
await app.register(paywall)
const paidBy = { network: token.network, asset: token.address, payTo: config.payTo }
const pricePerPage = 10n ** BigInt(token.decimals - 2) // $0.01 in the token's atomic units
// #endregion paywall

// #region routes
app.get(
  '/weather',
  { config: { paywall: { ...paidBy, price: '$0.01', description: 'The weather now' } } },
  async () => ({ city: 'Lisbon', sky: 'clear', celsius: 21 }),
)
app.get<{ Params: { pages: number } }>(
  '/reports/:pages',
  {
    // Validation runs before the paywall: a bad page count is a free 400.
    schema: {
      params: {
        type: 'object',
        properties: { pages: { type: 'integer', minimum: 1, maximum: 10 } },
        required: ['pages'],
      },
    },
    config: {
      paywall: {
        ...paidBy,
        price: (request) => pricePerPage * BigInt(request.params.pages ?? '1'),
        description: 'A report, priced by its length',
      },
    },
  },
  async (request) => {
    const { pages } = request.params
    return { pages: Array.from({ length: pages }, (_, page) => `page ${page + 1} of ${pages}`) }
  },
)
// #endregion routes

// #region serve
const address = await app.listen({ host: config.host, port: config.port })
// Routes priced by `config.paywall` are known once the app is ready: check them now.
await paywall.ready()
const mode = config.facilitatorUrl ? `facilitator ${config.facilitatorUrl}` : 'local settlement'
console.log(`paid-api-fastify listening on ${address} (${token.network}, ${mode})`)
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void app.close().then(() => process.exit(0))
  })
// #endregion serve
