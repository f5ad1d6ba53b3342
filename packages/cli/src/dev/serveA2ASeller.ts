import type { RequestListener } from 'node:http'
import type { AgentCard } from '@a2a-js/sdk'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { createA2APaywall } from '@tollgate/a2a/server'
import type { DeployRegistriesReturnType } from '@tollgate/contracts'
import type { Devnet, DevnetAccount } from '@tollgate/contracts/devnet'
import { agentRegistrationPath } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import {
  createRegistrationFile,
  type RegisterAgentReturnType,
  registerAgent,
} from '@tollgate/identity'
import express from 'express'

export type ServeA2ASellerParameters = {
  devnet: Devnet
  registries: DeployRegistriesReturnType
  seller: DevnetAccount
  facilitatorUrl: string
  /** The seller's origin (already listening): the card and the JSON-RPC endpoint live under it. */
  sellerUrl: string
  /** The price of one `forecast` task. */
  price: string
}

export type ServeA2ASellerReturnType = {
  agent: RegisterAgentReturnType
  /** The agent card's URL, the `A2A` service of its registration. */
  cardUrl: string
  /** Serves the card, the JSON-RPC endpoint (A2A 1.0 and the 0.3 wire) and the domain proof. */
  handler: RequestListener
}

/** The seller's card: one `forecast` skill over JSON-RPC, on A2A 1.0 and 0.3. */
function forecastCard(sellerUrl: string): AgentCard {
  const url = `${sellerUrl}/a2a`
  return {
    name: 'forecast-seller',
    description: 'Hourly forecasts',
    version: '1.0.0',
    supportedInterfaces: [
      { url, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
      { url, protocolBinding: 'JSONRPC', protocolVersion: '0.3', tenant: '' },
    ],
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      {
        id: 'forecast',
        name: 'Forecast',
        description: 'Tomorrow, hour by hour',
        tags: ['weather'],
        examples: ['Forecast for Oslo'],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    provider: undefined,
    securitySchemes: {},
    securityRequirements: [],
    signatures: [],
  }
}

/**
 * The seller agent over A2A: registers in the identity registry with its agent card as the `A2A`
 * service, and serves a `forecast` skill paid inside the task (the a2a-x402 extension), settled
 * by the facilitator over HTTP. Its payment requests name the agent, so the buyer can check the
 * payee against the registry.
 */
export async function serveA2ASeller({
  devnet,
  registries,
  seller,
  facilitatorUrl,
  sellerUrl,
  price,
}: ServeA2ASellerParameters): Promise<ServeA2ASellerReturnType> {
  const cardUrl = `${sellerUrl}/.well-known/agent-card.json`
  const agent = await registerAgent(devnet.walletClient(seller.account), {
    registry: registries.identityRegistry,
    file: createRegistrationFile({
      name: 'forecast-seller',
      description: `Hourly forecasts over A2A, ${price} a task`,
      a2a: { endpoint: cardUrl, version: '1.0' },
      x402Support: true,
      supportedTrust: ['reputation'],
    }),
    publish: { kind: 'data' },
  })
  const paywall = createA2APaywall(createHttpFacilitatorClient({ url: facilitatorUrl }), {
    card: forecastCard(sellerUrl),
    assets: [devnet.usdc],
    logger: false,
    agent: { agentRegistry: agent.agentRegistry, agentId: agent.agentId },
    skills: {
      forecast: {
        price,
        network: devnet.network,
        asset: devnet.usdc.address,
        payTo: seller.address,
        description: 'Tomorrow, hour by hour',
        run: async () => ({ text: 'Sunny tomorrow, high 21.' }),
      },
    },
  })
  const { requestHandler } = paywall
  const app = express()
  const legacyCompat = { enabled: true } // A2A 0.3 peers too
  app.use(
    '/.well-known/agent-card.json',
    agentCardHandler({ agentCardProvider: requestHandler, legacyCompat }),
  )
  app.use(
    '/a2a',
    jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, legacyCompat }),
  )
  // The domain proof: this host claims the agent.
  app.get(agentRegistrationPath, (_req, res) => void res.json(agent.file))
  return { agent, cardUrl, handler: app }
}
