import { x402Facilitator } from '@x402/core/facilitator'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme } from '@x402/evm/exact/facilitator'
import express from 'express'
import { createWalletClient, http, nonceManager, publicActions } from 'viem'
import { accountOf } from './accounts.js'
import { devnetChain } from './devnetChain.js'
import { listen } from './listen.js'
import type { RoleConfig, RunningRole } from './roles.js'
import type { Timings } from './timings.js'

/**
 * The reference facilitator (`@x402/core` `x402Facilitator` with `@x402/evm`'s exact scheme) behind
 * a minimal Express service: `POST /verify`, `POST /settle`, `GET /supported`, as the reference's
 * own example facilitator serves it. Its signer is a viem wallet client with viem's nonce manager,
 * so concurrent settlements from one account do not collide on nonces, and polls receipts every
 * `pollingMs` (viem's default for an unknown chain is 4 s, which would be unfair to it).
 */
export async function startReferenceFacilitator(
  config: Extract<RoleConfig, { kind: 'reference-facilitator' }>,
  timings?: Timings | undefined,
): Promise<RunningRole> {
  const account = accountOf(config.signerKey, config.accounts, { nonceManager })
  const client = createWalletClient({
    account,
    chain: devnetChain(config.token.chainId, config.rpcUrl),
    transport: http(config.rpcUrl),
    pollingInterval: config.pollingMs,
  }).extend(publicActions)
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    readContract: (args) => client.readContract(args as never),
    verifyTypedData: (args) => client.verifyTypedData(args as never),
    writeContract: (args) => client.writeContract(args as never),
    sendTransaction: (args) => client.sendTransaction(args as never),
    waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
    getCode: (args) => client.getCode(args),
  })
  const facilitator = new x402Facilitator().register(
    config.token.network,
    new ExactEvmScheme(signer),
  )

  const app = express()
  app.use(express.json({ limit: '64kb' }))
  app.post('/verify', async (req, res) => {
    try {
      res.json(await facilitator.verify(req.body.paymentPayload, req.body.paymentRequirements))
    } catch (error) {
      res.status(500).json({ error: error instanceof Error ? error.message : String(error) })
    }
  })
  app.post('/settle', async (req, res) => {
    try {
      res.json(await facilitator.settle(req.body.paymentPayload, req.body.paymentRequirements))
    } catch (error) {
      res.status(500).json({ error: error instanceof Error ? error.message : String(error) })
    }
  })
  app.get('/supported', (_req, res) => {
    res.json(facilitator.getSupported())
  })
  return listen(app, timings)
}
