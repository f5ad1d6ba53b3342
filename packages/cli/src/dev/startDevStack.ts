import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DeployRegistriesReturnType, deployRegistries } from '@tollgate/contracts'
import { type Devnet, type DevnetAccount, startDevnet } from '@tollgate/contracts/devnet'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaywall } from '@tollgate/express'
import { createFacilitator, createSqliteLedger, serveFacilitator } from '@tollgate/facilitator'
import {
  createRegistrationFile,
  type RegisterAgentReturnType,
  registerAgent,
} from '@tollgate/identity'
import { serveA2ASeller } from './serveA2ASeller.js'

/** The price of one call to the seller's API (test USDC). */
export const devPrice = '$0.01'

export type DevStack = {
  devnet: Devnet
  registries: DeployRegistriesReturnType
  /** The buyer agent's account. */
  buyer: DevnetAccount
  /** The seller agent's account (owner and payee of the paid API). */
  seller: DevnetAccount
  /** The facilitator's settlement signer (pays the gas). */
  settler: DevnetAccount
  facilitatorUrl: string
  /** The seller's origin and its paid endpoint (with `a2a`, its agent card's URL). */
  sellerUrl: string
  endpoint: string
  agent: RegisterAgentReturnType
  /** Stops everything it started, in reverse order; idempotent; never throws. */
  close(): Promise<void>
}

export type StartDevStackParameters = {
  progress(text: string): void
  /** Serve the seller as an A2A agent (a paid skill, its card registered) instead of a paid API. */
  a2a?: boolean | undefined
}

/** Listens on a free port of 127.0.0.1. */
function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

/**
 * Starts the whole system on a fresh devnet: anvil with test USDC, the ERC-8004 registries, a
 * facilitator on SQLite served over HTTP, and the seller agent (a paid API, or with `a2a` an A2A
 * agent with a paid skill) registered in the identity registry, whose paywall talks to the
 * facilitator over HTTP. On a failure part-way, what was started is stopped before the error is
 * thrown.
 */
export async function startDevStack({
  progress,
  a2a = false,
}: StartDevStackParameters): Promise<DevStack> {
  const cleanups: (() => Promise<unknown>)[] = []
  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
    })()
    return closing
  }
  try {
    const tempDir = await mkdtemp(join(tmpdir(), 'tollgate-dev-'))
    cleanups.push(() => rm(tempDir, { recursive: true, force: true }))

    const devnet = await startDevnet({ accounts: 3 })
    cleanups.push(() => devnet.stop())
    const [buyer, seller, settler] = devnet.accounts as [
      DevnetAccount,
      DevnetAccount,
      DevnetAccount,
    ]
    progress(`devnet ${devnet.network} at ${devnet.rpcUrl} (anvil pid ${devnet.pid})`)
    progress(`test USDC at ${devnet.usdc.address}`)

    const registries = await deployRegistries(
      devnet.walletClient(devnet.deployer.account),
      devnet.publicClient,
    )
    progress(
      `ERC-8004 registries: identity ${registries.identityRegistry}, reputation ${registries.reputationRegistry}`,
    )

    const databasePath = join(tempDir, 'facilitator.db')
    const ledger = await createSqliteLedger(databasePath)
    cleanups.push(() => ledger.close())
    const facilitator = createFacilitator({
      ledger,
      chains: [
        {
          chainId: devnet.chainId,
          rpcUrls: [devnet.rpcUrl],
          assets: [devnet.usdc],
          pollingIntervalMs: 100,
        },
      ],
      signers: [settler.account],
      mode: 'confirmed',
      settleTimeoutMs: 20_000,
    })
    cleanups.push(() => facilitator.close())
    await facilitator.start()
    const served = await serveFacilitator(facilitator, { port: 0 })
    cleanups.push(() => served.close())
    progress(
      `facilitator at ${served.url} (SQLite ledger ${databasePath}, signer ${settler.address})`,
    )

    // The seller listens first: its registration file names its URL, and the paywall names the
    // agent id the registration returns.
    let handler: Parameters<typeof createServer>[1] = (_req, res) => {
      res.writeHead(503).end()
    }
    const server = createServer((req, res) => handler?.(req, res))
    const port = await listen(server)
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        }),
    )
    const sellerUrl = `http://127.0.0.1:${port}`
    if (a2a) {
      const {
        agent,
        cardUrl,
        handler: a2aHandler,
      } = await serveA2ASeller({
        devnet,
        registries,
        seller,
        facilitatorUrl: served.url,
        sellerUrl,
        price: devPrice,
      })
      handler = a2aHandler
      progress(`seller registered as agent #${agent.agentId} (${agent.agentRegistry})`)
      progress(`seller's A2A card at ${cardUrl}: ${devPrice} a task, paid to ${seller.address}`)
      const facilitatorUrl = served.url
      const parts = { devnet, registries, buyer, seller, settler, facilitatorUrl, sellerUrl }
      return { ...parts, endpoint: cardUrl, agent, close }
    }
    const endpoint = `${sellerUrl}/forecast`

    const agent = await registerAgent(devnet.walletClient(seller.account), {
      registry: registries.identityRegistry,
      file: createRegistrationFile({
        name: 'forecast-seller',
        description: `Hourly forecasts, ${devPrice} a call`,
        services: [{ name: 'web', endpoint }],
        x402Support: true,
        supportedTrust: ['reputation'],
      }),
      publish: { kind: 'data' },
    })
    progress(`seller registered as agent #${agent.agentId} (${agent.agentRegistry})`)

    const paywall = createPaywall(createHttpFacilitatorClient({ url: served.url }), {
      assets: [devnet.usdc],
      agent: {
        agentRegistry: agent.agentRegistry,
        agentId: agent.agentId,
        registrationFile: agent.file,
      },
      routes: {
        'GET /forecast': {
          price: devPrice,
          network: devnet.network,
          asset: devnet.usdc.address,
          payTo: seller.address,
          description: 'Tomorrow, hour by hour',
        },
      },
    })
    handler = (req, res) =>
      paywall(req, res, (error) => {
        if (error) return void res.writeHead(500).end()
        if (req.method === 'GET' && req.url?.split('?')[0] === '/forecast') {
          res.writeHead(200, { 'content-type': 'application/json' })
          return void res.end(JSON.stringify({ tomorrow: 'sunny', high: 21 }))
        }
        res.writeHead(404).end()
      })
    progress(`seller's API at ${endpoint}: ${devPrice} a call, paid to ${seller.address}`)

    return {
      devnet,
      registries,
      buyer,
      seller,
      settler,
      facilitatorUrl: served.url,
      sellerUrl,
      endpoint,
      agent,
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
