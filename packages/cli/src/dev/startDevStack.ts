import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DeployRegistriesReturnType, deployRegistries } from '@tollgate/contracts'
import { type Devnet, type DevnetAccount, startDevnet } from '@tollgate/contracts/devnet'
import { createFacilitator, createSqliteLedger, serveFacilitator } from '@tollgate/facilitator'
import type { RegisterAgentReturnType } from '@tollgate/identity'
import { serveA2ASeller } from './serveA2ASeller.js'
import { serveHttpSeller } from './serveHttpSeller.js'

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
  const cleanups = createCleanups()
  try {
    const tempDir = await mkdtemp(join(tmpdir(), 'tollgate-dev-'))
    cleanups.add(() => rm(tempDir, { recursive: true, force: true }))
    const devnet = await startDevnet({ accounts: 3 })
    cleanups.add(() => devnet.stop())
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
    const facilitatorUrl = await startDevFacilitator({ devnet, settler, databasePath, cleanups })
    progress(
      `facilitator at ${facilitatorUrl} (SQLite ledger ${databasePath}, signer ${settler.address})`,
    )
    // The seller listens first: its registration file names its URL, and the paywall names the
    // agent id the registration returns.
    const listening = await listenForSeller(cleanups)
    const { sellerUrl } = listening
    const serve = a2a ? serveA2ASeller : serveHttpSeller
    const served = await serve({
      devnet,
      registries,
      seller,
      facilitatorUrl,
      sellerUrl,
      price: devPrice,
    })
    const endpoint = 'cardUrl' in served ? served.cardUrl : served.endpoint
    listening.serve(served.handler)
    const { agent } = served
    progress(`seller registered as agent #${agent.agentId} (${agent.agentRegistry})`)
    progress(
      a2a
        ? `seller's A2A card at ${endpoint}: ${devPrice} a task, paid to ${seller.address}`
        : `seller's API at ${endpoint}: ${devPrice} a call, paid to ${seller.address}`,
    )
    const parts = { devnet, registries, buyer, seller, settler, facilitatorUrl, sellerUrl }
    return { ...parts, endpoint, agent, close: cleanups.close }
  } catch (error) {
    await cleanups.close()
    throw error
  }
}

/** What a stack started, stopped in reverse order by `close` (once; never throws). */
type Cleanups = { add(cleanup: () => Promise<unknown>): void; close(): Promise<void> }

function createCleanups(): Cleanups {
  const cleanups: (() => Promise<unknown>)[] = []
  let closing: Promise<void> | undefined
  return {
    add: (cleanup) => void cleanups.push(cleanup),
    close() {
      closing ??= (async () => {
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
      })()
      return closing
    },
  }
}

/** The facilitator on a SQLite ledger at `databasePath`, started and served over HTTP: its URL. */
async function startDevFacilitator({
  devnet,
  settler,
  databasePath,
  cleanups,
}: {
  devnet: Devnet
  settler: DevnetAccount
  databasePath: string
  cleanups: Cleanups
}): Promise<string> {
  const ledger = await createSqliteLedger(databasePath)
  cleanups.add(() => ledger.close())
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
  cleanups.add(() => facilitator.close())
  await facilitator.start()
  const served = await serveFacilitator(facilitator, { port: 0 })
  cleanups.add(() => served.close())
  return served.url
}

/**
 * A server on a free port of 127.0.0.1 for the seller, answering 503 until `serve` gives it its
 * handler (the seller's registration needs its URL first).
 */
async function listenForSeller(
  cleanups: Cleanups,
): Promise<{ sellerUrl: string; serve(handler: RequestListener): void }> {
  let handler: RequestListener = (_req, res) => {
    res.writeHead(503).end()
  }
  const server = createServer((req, res) => handler(req, res))
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
  cleanups.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  )
  return {
    sellerUrl: `http://127.0.0.1:${port}`,
    serve(next) {
      handler = next
    },
  }
}
