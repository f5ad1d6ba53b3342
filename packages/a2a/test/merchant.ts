import type { AgentCard } from '@a2a-js/sdk'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import type { Devnet } from '@tollgate/contracts/devnet'
import type { FacilitatorClient } from '@tollgate/core'
import { createLocalFacilitator } from '@tollgate/evm'
import { listen } from '@tollgate/test'
import express from 'express'
import {
  type A2APaywall,
  type CreateA2APaywallParameters,
  createA2APaywall,
} from '../src/exports/server.js'

/** A merchant agent on loopback: the SDK's JSON-RPC transport (A2A 1.0 and the 0.3 wire). */
export type Merchant = {
  url: string
  paywall: A2APaywall
  close(): Promise<void>
}

/** An agent card for `url`: JSON-RPC on A2A 1.0 and 0.3. */
export function agentCard(url: string): AgentCard {
  return {
    name: 'forecast-agent',
    description: 'Hourly forecasts',
    supportedInterfaces: [
      { url: `${url}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
      { url: `${url}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '0.3', tenant: '' },
    ],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      {
        id: 'forecast',
        name: 'Forecast',
        description: 'Tomorrow, hour by hour',
        tags: ['weather'],
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  } as AgentCard
}

/** Starts a merchant settling through `facilitator` (default: the devnet, from `settler`). */
export async function startMerchant(
  devnet: Devnet,
  parameters: Omit<CreateA2APaywallParameters, 'card'> & {
    facilitator?: FacilitatorClient | undefined
    settler?: Devnet['accounts'][number] | undefined
  },
): Promise<Merchant> {
  const { facilitator: given, settler = devnet.deployer, ...rest } = parameters
  const facilitator =
    given ??
    createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(settler.account),
      assets: [devnet.usdc],
    })
  const app = express()
  const server = await listen(app)
  const paywall = createA2APaywall(facilitator, {
    assets: [devnet.usdc],
    logger: false,
    ...rest,
    card: agentCard(server.url),
  })
  app.use(
    '/.well-known/agent-card.json',
    agentCardHandler({
      agentCardProvider: paywall.requestHandler,
      legacyCompat: { enabled: true },
    }),
  )
  app.use(
    '/a2a',
    jsonRpcHandler({
      requestHandler: paywall.requestHandler,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: true },
    }),
  )
  return { url: server.url, paywall, close: server.close }
}
