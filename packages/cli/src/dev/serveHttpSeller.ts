import type { RequestListener } from 'node:http'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaywall } from '@tollgate/express'
import {
  createRegistrationFile,
  type RegisterAgentReturnType,
  registerAgent,
} from '@tollgate/identity'
import type { ServeA2ASellerParameters } from './serveA2ASeller.js'

export type ServeHttpSellerReturnType = {
  agent: RegisterAgentReturnType
  /** The paid endpoint, the `web` service of its registration. */
  endpoint: string
  /** Serves `GET /forecast` behind the paywall (which also serves the domain proof). */
  handler: RequestListener
}

/**
 * The seller as a paid HTTP API: registered in the identity registry with its `web` endpoint, then
 * `GET /forecast` behind an Express-style paywall naming that agent, settling through the
 * facilitator over HTTP.
 */
export async function serveHttpSeller({
  devnet,
  registries,
  seller,
  facilitatorUrl,
  sellerUrl,
  price,
}: ServeA2ASellerParameters): Promise<ServeHttpSellerReturnType> {
  const endpoint = `${sellerUrl}/forecast`
  const agent = await registerAgent(devnet.walletClient(seller.account), {
    registry: registries.identityRegistry,
    file: createRegistrationFile({
      name: 'forecast-seller',
      description: `Hourly forecasts, ${price} a call`,
      services: [{ name: 'web', endpoint }],
      x402Support: true,
      supportedTrust: ['reputation'],
    }),
    publish: { kind: 'data' },
  })
  const paywall = createPaywall(createHttpFacilitatorClient({ url: facilitatorUrl }), {
    assets: [devnet.usdc],
    agent: {
      agentRegistry: agent.agentRegistry,
      agentId: agent.agentId,
      registrationFile: agent.file,
    },
    routes: {
      'GET /forecast': {
        price,
        network: devnet.network,
        asset: devnet.usdc.address,
        payTo: seller.address,
        description: 'Tomorrow, hour by hour',
      },
    },
  })
  const handler: RequestListener = (req, res) =>
    paywall(req, res, (error) => {
      if (error) return void res.writeHead(500).end()
      if (req.method === 'GET' && req.url?.split('?')[0] === '/forecast') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ tomorrow: 'sunny', high: 21 }))
      }
      res.writeHead(404).end()
    })
  return { agent, endpoint, handler }
}
