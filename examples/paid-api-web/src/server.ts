// A paid API written as one Web-standard handler, `(request: Request) => Promise<Response>`:
// `GET /weather` costs a fixed $0.01, `GET /reports/:pages` $0.01 a page. The same `fetch`
// runs on Cloudflare Workers, Deno and Bun; here Node serves it through `@hono/node-server`,
// which only turns Node's requests into `Request`s. Payments are verified and settled by the
// facilitator at FACILITATOR_URL, or, without one, in this process from SETTLER_PRIVATE_KEY.

// #region setup
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { formatMoney } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createLocalFacilitator } from '@tollgate/evm'
import { createHttpPaywall, withPaywall } from '@tollgate/paywall/http'
import { createWalletClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain.js'
import { readConfig } from './config.js'
import { readToken } from './token.js'

const config = (() => {
  try {
    return readConfig(process.env)
  } catch (error) {
    console.error(`paid-api-web: ${(error as Error).message}`)
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
const pricePerPage = 10n ** BigInt(token.decimals - 2) // $0.01 in the token's atomic units
const paywall = createHttpPaywall<Request>(facilitator, {
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
// #endregion paywall

// #region routes
/** The API itself: it knows nothing of payments. */
function api(request: Request): Response {
  const { pathname } = new URL(request.url)
  if (request.method === 'GET' && pathname === '/weather')
    return Response.json({ city: 'Lisbon', sky: 'clear', celsius: 21 })
  const report = /^\/reports\/(\d+)$/.exec(pathname)
  if (request.method === 'GET' && report) {
    const pages = Number(report[1])
    return Response.json({
      pages: Array.from({ length: pages }, (_, page) => `page ${page + 1} of ${pages}`),
    })
  }
  return Response.json({ error: 'not found' }, { status: 404 })
}

const paid = withPaywall(api, { paywall })
/** What the runtime calls: a malformed page count is refused first, so nobody pays for a 400. */
async function handle(request: Request): Promise<Response> {
  const report = /^\/reports\/([^/]*)$/.exec(new URL(request.url).pathname)
  if (report && !/^([1-9]|10)$/.test(report[1]!))
    return Response.json({ error: 'pages must be 1 to 10' }, { status: 400 })
  return paid(request)
}
// #endregion routes

// #region serve
// On Workers or Bun: `export default { fetch: handle }`; on Deno: `Deno.serve(handle)`.
const server = serve({ fetch: handle, hostname: config.host, port: config.port }, (info) => {
  const mode = config.facilitatorUrl ? `facilitator ${config.facilitatorUrl}` : 'local settlement'
  const { port } = info as AddressInfo
  console.log(`paid-api-web listening on http://${config.host}:${port} (${token.network}, ${mode})`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0))
  })
// #endregion serve
