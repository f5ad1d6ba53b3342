import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaywall } from '@tollgate/express'
import express from 'express'
import { listen } from './listen.js'
import type { RoleConfig, RunningRole } from './roles.js'
import type { Timings } from './timings.js'

/** A paid `GET /paid` served by `@tollgate/express`, settling through our facilitator over HTTP. */
export async function startTollgateApi(
  config: Extract<RoleConfig, { kind: 'tollgate-api' }>,
  timings?: Timings | undefined,
): Promise<RunningRole> {
  const { token } = config
  const app = express()
  app.use(
    createPaywall(createHttpFacilitatorClient({ url: config.facilitatorUrl }), {
      routes: {
        'GET /paid': {
          price: BigInt(config.price),
          asset: token.address,
          payTo: config.payTo,
          network: token.network,
          description: 'A paid answer',
        },
      },
      assets: [token],
    }),
  )
  app.get('/paid', (_req, res) => {
    res.json({ ok: true })
  })
  return listen(app, timings)
}
