import type { SettlementMode } from '@tollgate/core'
import type { FacilitatorClient, SettleParameters } from '@tollgate/core/facilitator-client'
import type { Account, Chain, Client, Transport, WalletClient } from 'viem'
import type { Asset } from './assets.js'
import { createSerialQueue, type LocalFacilitatorContext } from './localFacilitator/context.js'
import { settleExact } from './localFacilitator/settleExact.js'
import { type Permit2SettleRequest, settlePermit2 } from './localFacilitator/settlePermit2.js'
import { localSupported } from './localFacilitator/supported.js'
import { isPermit2Payload } from './permit2.js'
import { verifyPayment } from './verifyPayment.js'

export type CreateLocalFacilitatorParameters = {
  /** Reads the chain: verification, receipts. */
  publicClient: Client<Transport, Chain | undefined>
  /** The settlement wallet: sends `transferWithAuthorization` and pays its gas. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>
  /** Tokens to know besides the built-in USDC registry (for the EIP-712 domain check). */
  assets?: readonly Asset[] | undefined
  /** The mode when the request names none. @default 'confirmed' */
  settlement?: SettlementMode | undefined
  /** How long to wait for a receipt before answering `settlement_pending`, in milliseconds. @default 60_000 */
  receiptTimeoutMs?: number | undefined
  /** The clock of verification, in milliseconds since the Unix epoch. @default Date.now */
  now?: (() => number) | undefined
}

export type CreateLocalFacilitatorReturnType = FacilitatorClient

/**
 * A facilitator that runs inside the provider's process: verifies with `verifyPayment` and settles
 * with `settleAuthorization` from `walletClient`, so a provider needs no separate service. Settlement
 * re-verifies first (nonce, balance), broadcasts one transaction at a time from the wallet (no nonce
 * races between concurrent settlements), then waits for the receipt (`'confirmed'`) or answers as
 * soon as the hash is known (`'submitted'`). A receipt that does not come within `receiptTimeoutMs`
 * answers `settlement_pending` with the hash; settling the same authorization again then waits for
 * that transaction instead of sending another. Its `supported()` lists the modes it honours
 * (`extra.settlementModes`), which the paywall checks each route's `settlement` against.
 *
 * Permit2 payments (`exact` with `assetTransferMethod: "permit2"`, and `upto`) are verified with
 * `verifyPermit2Authorization` (simulation included) and settled with `settlePermit2Authorization`
 * from the same wallet, which `supported()` names as the `upto` kind's `facilitatorAddress`; an
 * `upto` answer carries the amount charged.
 *
 * @example
 * ```ts
 * import { createLocalFacilitator } from '@tollgate/evm'
 * import { createPaywall } from '@tollgate/express'
 *
 * const facilitator = createLocalFacilitator({ publicClient, walletClient })
 * app.use(createPaywall(facilitator, { routes }))
 * ```
 */
export function createLocalFacilitator({
  publicClient,
  walletClient,
  assets,
  settlement: defaultMode = 'confirmed',
  receiptTimeoutMs = 60_000,
  now,
}: CreateLocalFacilitatorParameters): CreateLocalFacilitatorReturnType {
  const context: LocalFacilitatorContext = {
    publicClient,
    walletClient,
    assets,
    receiptTimeoutMs,
    now,
    serialise: createSerialQueue(),
    pending: new Map(),
  }
  return {
    verify: (request) =>
      verifyPayment(publicClient, {
        ...request,
        assets,
        now,
        facilitators: [walletClient.account.address],
        simulatePermit2: true,
      }),
    async settle(request: SettleParameters) {
      const mode: SettlementMode = request.settlement ?? defaultMode
      const { paymentPayload } = request
      return paymentPayload.x402Version === 2 && isPermit2Payload(paymentPayload.payload)
        ? settlePermit2(context, request as Permit2SettleRequest, mode)
        : settleExact(context, request, mode)
    },
    supported: () => localSupported(context),
  }
}
