import { HTTPFacilitatorClient } from '@x402/core/server'
import { ExactEvmScheme } from '@x402/evm/exact/server'
import { paymentMiddleware, x402ResourceServer } from '@x402/express'
import express from 'express'
import { listen } from './listen.js'
import type { RoleConfig, RunningRole } from './roles.js'
import type { Timings } from './timings.js'

/** A paid `GET /paid` served by `@x402/express`, settling through the reference facilitator over HTTP. */
export async function startReferenceApi(
  config: Extract<RoleConfig, { kind: 'reference-api' }>,
  timings?: Timings | undefined,
): Promise<RunningRole> {
  const { token } = config
  const server = new x402ResourceServer(
    new HTTPFacilitatorClient({ url: config.facilitatorUrl }),
  ).register(token.network, new ExactEvmScheme())
  const app = express()
  app.use(
    paymentMiddleware(
      {
        'GET /paid': {
          accepts: {
            scheme: 'exact',
            network: token.network,
            payTo: config.payTo,
            // A devnet token: the price names the asset and its EIP-712 domain.
            price: {
              amount: config.price,
              asset: token.address,
              extra: { name: token.name, version: token.version },
            },
          },
          description: 'A paid answer',
        },
      },
      server,
    ),
  )
  app.get('/paid', (_req, res) => {
    res.json({ ok: true })
  })
  return listen(app, timings)
}
