// The seller agent over A2A: an `@a2a-js/sdk` agent whose `forecast` skill costs $0.01, paid
// inside the task (the a2a-x402 extension). It registers in the ERC-8004 identity registry with
// its agent card as the `A2A` service, names that identity in every payment request, and serves
// the domain proof (`/.well-known/agent-registration.json`).
import type { AddressInfo } from 'node:net'
import type { AgentCard } from '@a2a-js/sdk'
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { createA2APaywall } from '@tollgate/a2a/server'
import { agentRegistrationPath } from '@tollgate/core'
import { createLocalFacilitator } from '@tollgate/evm'
import { createRegistrationFile, registerAgent } from '@tollgate/identity'
import express from 'express'
import { createWalletClient, getAddress, http, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain.js'
import { readToken } from './token.js'

const fail = (message: string): never => {
  console.error(`seller: ${message}`)
  process.exit(1)
}
const env = (name: string) => process.env[name]?.trim() || undefined
const rpcUrl = env('RPC_URL') ?? fail('RPC_URL is not set (see .env.example).')
const key = env('SELLER_PRIVATE_KEY') ?? fail('SELLER_PRIVATE_KEY is not set (see .env.example).')
if (!(isHex(key) && key.length === 66)) fail('SELLER_PRIVATE_KEY must be 0x and 64 hex digits.')
const registry =
  env('IDENTITY_REGISTRY') ?? fail('IDENTITY_REGISTRY is not set (see .env.example).')
const host = env('HOST') ?? '127.0.0.1'
const port = Number(env('PORT') ?? 3001)

const publicClient = await connect(rpcUrl)
const usdcAddress = env('USDC_ADDRESS')
const token = await readToken(publicClient, usdcAddress ? getAddress(usdcAddress) : undefined)
// One wallet owns the identity, receives the payments and settles them (paying the gas).
const walletClient = createWalletClient({
  account: privateKeyToAccount(key as `0x${string}`),
  chain: publicClient.chain,
  transport: http(rpcUrl),
})
const seller = walletClient.account.address

// The server listens first: the registration names its card's URL.
const app = express()
const server = app.listen(port, host)
await new Promise((resolve) => server.once('listening', resolve))
const origin = env('PUBLIC_URL') ?? `http://${host}:${(server.address() as AddressInfo).port}`
const cardUrl = `${origin}/.well-known/agent-card.json`

// #region register
const registered = await registerAgent(walletClient, {
  registry,
  file: createRegistrationFile({
    name: 'forecast-agent',
    description: 'Hourly forecasts over A2A, $0.01 a task',
    a2a: { endpoint: cardUrl, version: '1.0' }, // listed as { name: 'A2A', endpoint, version }
    x402Support: true,
    supportedTrust: ['reputation'],
  }),
  publish: { kind: 'data' },
})
// #endregion register
console.log(`seller registered as agent #${registered.agentId} (${registered.agentRegistry})`)

// #region paywall
const card = {
  name: 'forecast-agent',
  description: 'Hourly forecasts',
  version: '1.0.0',
  supportedInterfaces: [
    { url: `${origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
    { url: `${origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '0.3', tenant: '' },
  ],
  capabilities: { streaming: false, pushNotifications: false, extensions: [] },
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['application/json'],
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
} satisfies AgentCard
const paywall = createA2APaywall(
  createLocalFacilitator({ publicClient, walletClient, assets: [token] }),
  {
    card, // gets the x402 extension declared
    assets: [token],
    // Named in every payment request, so a buyer can check payTo against the registry.
    agent: { agentRegistry: registered.agentRegistry, agentId: registered.agentId },
    skills: {
      forecast: {
        price: '$0.01',
        network: token.network,
        asset: token.address,
        payTo: seller, // the agent's verified wallet
        description: 'Tomorrow, hour by hour',
        run: async () => ({
          text: 'Sunny tomorrow, high 21.',
          artifacts: [
            {
              artifactId: 'forecast',
              name: 'forecast',
              description: 'Tomorrow, hour by hour',
              parts: [
                {
                  content: { $case: 'data', value: { tomorrow: 'sunny', high: 21 } },
                  metadata: undefined,
                  filename: '',
                  mediaType: 'application/json',
                },
              ],
              metadata: undefined,
              extensions: [],
            },
          ],
        }),
      },
    },
  },
)
const { requestHandler } = paywall
app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: requestHandler }))
app.use(
  '/a2a',
  jsonRpcHandler({
    requestHandler,
    userBuilder: UserBuilder.noAuthentication,
    legacyCompat: { enabled: true }, // A2A 0.3 peers too
  }),
)
// The domain proof: this host claims the agent.
app.get(agentRegistrationPath, (_req, res) => {
  res.json(registered.file)
})
// #endregion paywall
console.log(`seller's A2A card at ${cardUrl}, forecast paid to ${seller}`)

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0))
    server.closeIdleConnections()
  })
