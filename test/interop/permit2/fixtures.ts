// Shared by the Permit2 interop tests: the devnet's plain token as an asset, balances, a Tollgate
// paid API (express paywall, in-process facilitator) with an `exact` Permit2 route and an `upto` one.

import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall, setSettlementOverrides } from '@tollgate/express'
import { listen, type useDevnet } from '@tollgate/test'
import express from 'express'
import { type Address, erc20Abi } from 'viem'

export type DevnetHandle = ReturnType<typeof useDevnet>

/** The devnet's ERC-20 without EIP-3009, as a registry entry paid through Permit2. */
export function plainAsset(devnet: DevnetHandle): Asset {
  const token = devnet.plainToken
  return {
    chainId: token.chainId,
    network: token.network,
    address: token.address,
    symbol: token.symbol,
    decimals: token.decimals,
    eip712: token.eip712,
    assetTransferMethod: 'permit2',
  }
}

export function balanceOf(devnet: DevnetHandle, owner: Address, token?: Address) {
  return devnet.publicClient.readContract({
    address: token ?? devnet.plainToken.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
}

/** Atomic units of the plain token used by the next `/generate` call, set by the test. */
export type Usage = { next: bigint | undefined }

/**
 * A Tollgate API on the devnet: `GET /report` costs 0.0025 PLAIN (`exact`, paid through Permit2),
 * `POST /generate` at most 0.005 PLAIN (`upto`), charging what `usage.next` says.
 */
export async function tollgateApi(
  devnet: DevnetHandle,
  { payTo, operator }: { payTo: Address; operator: number },
) {
  const assets = [plainAsset(devnet)]
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[operator]!.account),
    assets,
  })
  const usage: Usage = { next: undefined }
  const runs = { report: 0, generate: 0 }
  const app = express()
  app.use(
    createPaywall(facilitator, {
      assets,
      routes: {
        'GET /report': { price: '$0.0025', payTo, network: devnet.network },
        'POST /generate': { scheme: 'upto', price: '$0.005', payTo, network: devnet.network },
      },
    }),
  )
  app.get('/report', (_req, res) => {
    runs.report++
    res.json({ report: 'paid', run: runs.report })
  })
  app.post('/generate', (_req, res) => {
    runs.generate++
    if (usage.next !== undefined) setSettlementOverrides(res, { amount: usage.next })
    res.json({ generated: true, run: runs.generate })
  })
  const server = await listen(app)
  return { server, usage, runs, facilitator }
}
