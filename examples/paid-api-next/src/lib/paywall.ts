// #region setup
import { formatMoney } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall, type PaidRouteConfig } from '@tollgate/next'
import { createWalletClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain'
import { type Config, readConfig } from './config'
import { readToken } from './token'

/** The settings, the token and the paywall every paid route shares. */
async function start() {
  const config = readConfig(process.env)
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
  const paywall = createPaywall(facilitator, {
    assets: [token],
    hooks: {
      onSettled: ({ route, requirements, settlement }) => {
        const amount = formatMoney(BigInt(requirements.amount), { decimals: token.decimals })
        console.log(`settled ${route}: $${amount} in ${settlement.transaction}`)
      },
    },
  })
  return { paywall, token, config }
}
// #endregion setup

// #region paid
// `next build` imports every route module, where neither the settings nor the chain may be
// reachable: the paywall is set up at the first request instead, once for all routes.
let started: ReturnType<typeof start> | undefined

/**
 * An App Router route handler behind the paywall: `route` prices it once the token is known.
 * The handler gets Next's request and `{ params }` untouched.
 */
export function paid<context>(
  handler: (request: Request, context: context) => Response | Promise<Response>,
  route: (setup: { token: Asset; config: Config }) => PaidRouteConfig,
): (request: Request, context: context) => Promise<Response> {
  let wrapped: Promise<(request: Request, context: context) => Promise<Response>> | undefined
  return async (request, context) => {
    started ??= start()
    wrapped ??= started.then((setup) => setup.paywall.withPaywall(handler, route(setup)))
    return (await wrapped)(request, context)
  }
}
// #endregion paid
