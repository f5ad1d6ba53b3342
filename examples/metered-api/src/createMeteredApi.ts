import type { Asset } from '@tollgate/evm'
import {
  type createLocalFacilitator,
  createPaywall,
  setSettlementOverrides,
} from '@tollgate/express'
import express, { type Express } from 'express'
import { generate } from './model.js'

export type CreateMeteredApiParameters = {
  facilitator: ReturnType<typeof createLocalFacilitator>
  /** The token the API is paid in (a Permit2 one: any ERC-20). */
  asset: Asset
  payTo: string
  /** Atomic units of `asset` per generated token. */
  pricePerToken: bigint
  /** The most tokens one call generates: the price ceiling is `maxTokens * pricePerToken`. */
  maxTokens: number
}

/**
 * An API priced per generated token: `POST /generate` is an `upto` route whose maximum is
 * `maxTokens` tokens; the handler reports the tokens it generated and only those are charged.
 */
export function createMeteredApi({
  facilitator,
  asset,
  payTo,
  pricePerToken,
  maxTokens,
}: CreateMeteredApiParameters): Express {
  const app = express()
  app.use(express.json())
  // #region paywall
  app.use(
    createPaywall(facilitator, {
      assets: [asset],
      routes: {
        'POST /generate': {
          scheme: 'upto',
          // The most one call may cost; the payer signs for this, and is charged what it used.
          price: { amount: (pricePerToken * BigInt(maxTokens)).toString(), asset: asset.address },
          payTo,
          network: asset.network,
        },
      },
    }),
  )
  app.post('/generate', (req, res) => {
    const { tokens } = generate(String(req.body?.prompt ?? ''), { maxTokens })
    // Charged after the handler: what was generated, never above the maximum; zero is free.
    setSettlementOverrides(res, { amount: pricePerToken * BigInt(tokens.length) })
    res.json({ tokens })
  })
  // #endregion paywall
  return app
}
