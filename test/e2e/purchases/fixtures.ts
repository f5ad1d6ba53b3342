import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { FacilitatorClient, SettleResponse } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { eip3009Abi } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { type DevnetHandle, listen } from '@tollgate/test'
import express from 'express'
import { type Address, erc20Abi, type LocalAccount } from 'viem'
import { toAccount } from 'viem/accounts'

// A shop for the purchase tests: our paywall and local facilitator on a devnet, behind a loopback
// proxy. Faults are injected where they happen in production: in the facilitator (a settle that
// hangs, or answers `settlement_pending` after broadcasting) and between the paywall and the agent
// (the paid answer, settled, replaced by a 502, an empty 200, or a dropped connection).

/** What goes wrong with a paid request (`held`: settled, and the answer never sent). */
export type Fault =
  | 'held'
  | 'settlement timeout'
  | '5xx after settle'
  | 'connection dropped'
  | 'empty body'
  | 'settlement_pending'

export const faults: readonly Fault[] = [
  'settlement timeout',
  '5xx after settle',
  'connection dropped',
  'empty body',
  'settlement_pending',
]

/** An account that counts the payment authorizations it signs. */
export function countingAccount(inner: LocalAccount) {
  let signatures = 0
  const account = toAccount({
    address: inner.address,
    signMessage: (parameters) => inner.signMessage(parameters),
    signTransaction: (transaction) => inner.signTransaction(transaction),
    signTypedData: (typedData) => {
      if ((typedData as { primaryType?: string }).primaryType === 'TransferWithAuthorization')
        signatures++
      return inner.signTypedData(typedData as Parameters<typeof inner.signTypedData>[0])
    },
  })
  return { account, signatures: () => signatures }
}

export type ShopParameters = {
  /** The fault, and how many paid requests (or settle calls) it hits. */
  fault?: Fault | undefined
  times?: number | undefined
  /** How long a hanging settle (the first `times`) hangs, after the transfer is mined. @default 1_500 */
  hangMs?: number | undefined
  price?: string | undefined
  /** Settle through this facilitator instead of an in-process local one. */
  facilitator?: FacilitatorClient | undefined
}

/** Starts the shop; `close()` stops its servers. */
export async function openShop(
  devnet: DevnetHandle,
  { payee, operator }: { payee: Address; operator: LocalAccount },
  { fault, times = 3, hangMs = 1_500, price = '$0.01', facilitator: given }: ShopParameters = {},
) {
  const usdc: Asset = devnet.usdc
  const local =
    given ??
    createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(operator),
      assets: [usdc],
    })
  let settleCalls = 0
  // Settled for real once; what the facilitator remembers of each authorization it settled.
  const settledByNonce = new Map<string, SettleResponse>()
  const facilitator: FacilitatorClient = {
    verify: (parameters) => local.verify(parameters),
    supported: () => local.supported(),
    async settle(parameters) {
      const call = ++settleCalls
      const nonce = (parameters.paymentPayload.payload as { authorization: { nonce: string } })
        .authorization.nonce
      // A retried settle is reconciled against the first transaction, as a real facilitator does.
      const known = settledByNonce.get(nonce)
      const settlement = known ?? (await local.settle(parameters))
      if (settlement.success) settledByNonce.set(nonce, settlement)
      if (fault === 'settlement timeout' && call <= times)
        await new Promise((resolve) => setTimeout(resolve, hangMs))
      // Broadcast and mined, but the receipt wait "timed out": the paywall's retry gets the same.
      if (fault === 'settlement_pending' && call <= 2 && settlement.success)
        return {
          success: false,
          errorReason: 'settlement_pending',
          transaction: settlement.transaction,
          network: settlement.network,
          payer: settlement.payer,
        } as SettleResponse
      return settlement
    },
  }

  let served = 0
  // While broken, the handler fails: the paywall charges nothing and answers 500.
  let broken = false
  const app = express()
  app.use(
    createPaywall(facilitator, {
      assets: [usdc],
      routes: { 'GET /report': { price, payTo: payee, network: devnet.network } },
    }),
  )
  app.get('/report', (_req, res) => {
    if (broken) return void res.status(500).json({ error: 'broken' })
    served++
    res.json({ report: 'paid content' })
  })
  const upstream = await listen(app)
  const target = new URL(upstream.url)

  let paidRequests = 0
  let onPaidRequest: (() => void) | undefined
  let onHeld: (() => void) | undefined
  const held = new Promise<void>((resolve) => {
    onHeld = resolve
  })
  const proxy = await listen((req: IncomingMessage, res: ServerResponse) => {
    const paid = req.headers['payment-signature'] !== undefined
    const attempt = paid ? ++paidRequests : 0
    if (paid) onPaidRequest?.()
    const broken =
      attempt > 0 &&
      attempt <= times &&
      (fault === '5xx after settle' ||
        fault === 'connection dropped' ||
        fault === 'empty body' ||
        fault === 'held')
    const forward = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // The Host header is kept: the paywall names the resource by it.
        headers: req.headers,
      },
      (upstreamResponse) => {
        if (!broken) {
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers)
          upstreamResponse.pipe(res)
          return
        }
        // The paywall has settled and answered; the agent never sees that answer.
        upstreamResponse.resume()
        upstreamResponse.on('end', () => {
          if (fault === 'held') onHeld?.()
          else if (fault === 'connection dropped') req.socket.destroy()
          else if (fault === '5xx after settle') {
            res.writeHead(502, { 'content-type': 'text/plain' })
            res.end('bad gateway')
          } else {
            res.writeHead(200, { 'content-length': '0' })
            res.end()
          }
        })
      },
    )
    forward.on('error', () => req.socket.destroy())
    req.pipe(forward)
  })

  return {
    url: proxy.url,
    usdc,
    served: () => served,
    settleCalls: () => settleCalls,
    paidRequests: () => paidRequests,
    setBroken(value: boolean) {
      broken = value
    },
    /** Resolves once a `held` answer was settled and kept from the agent. */
    held: () => held,
    /** Called on each paid request the proxy receives. */
    onPaidRequest(callback: () => void) {
      onPaidRequest = callback
    },
    async close() {
      await Promise.all([proxy.close(), upstream.close()])
    },
  }
}

/** The payer's EIP-3009 authorizations used on-chain since `fromBlock` (each one a transfer). */
export async function authorizationsUsed(
  devnet: DevnetHandle,
  { payer, fromBlock }: { payer: Address; fromBlock: bigint },
) {
  return devnet.publicClient.getContractEvents({
    address: devnet.usdc.address,
    abi: eip3009Abi,
    eventName: 'AuthorizationUsed',
    args: { authorizer: payer },
    fromBlock,
  })
}

/** Transfers from `from` to `to` since `fromBlock`. */
export async function transfers(
  devnet: DevnetHandle,
  { from, to, fromBlock }: { from: Address; to: Address; fromBlock: bigint },
) {
  return devnet.publicClient.getContractEvents({
    address: devnet.usdc.address,
    abi: erc20Abi,
    eventName: 'Transfer',
    args: { from, to },
    fromBlock,
  })
}

export function balanceOf(devnet: DevnetHandle, owner: Address) {
  return devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
}
