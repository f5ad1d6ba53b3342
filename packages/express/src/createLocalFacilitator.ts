import { reasons, type SettleResponse, type SupportedResponse, toV1Network } from '@tollgate/core'
import type { FacilitatorClient, SettleParameters } from '@tollgate/core/facilitator-client'
import { type Asset, normalizePayment, settleAuthorization, verifyPayment } from '@tollgate/evm'
import type { Account, Address, Chain, Client, Hex, Transport, WalletClient } from 'viem'
import { getChainId, waitForTransactionReceipt } from 'viem/actions'
import { authorizationKey } from './flow/replayGuard.js'
import type { SettlementMode } from './flow/requirements.js'

export type CreateLocalFacilitatorParameters = {
  /** Reads the chain: verification, receipts. */
  publicClient: Client<Transport, Chain | undefined>
  /** The settlement wallet: sends `transferWithAuthorization` and pays its gas. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>
  /** Tokens to know besides the built-in USDC registry (for the EIP-712 domain check). */
  assets?: readonly Asset[] | undefined
  /** The mode when the request names none. @default 'confirmed' */
  settlement?: SettlementMode | undefined
  /** Milliseconds to wait for a receipt before answering `settlement_pending`. @default 60_000 */
  receiptTimeout?: number | undefined
}

export type CreateLocalFacilitatorReturnType = FacilitatorClient

/**
 * A facilitator that runs inside the provider's process: verifies with `@tollgate/evm`'s
 * `verifyPayment` and settles with `settleAuthorization` from `walletClient`, so a provider needs no
 * separate service. Settlement re-verifies first (nonce, balance), broadcasts one transaction at a
 * time from the wallet (no nonce races between concurrent settlements), then waits for the receipt
 * (`'confirmed'`) or answers as soon as the hash is known (`'submitted'`). A receipt that does not
 * come within `receiptTimeout` answers `settlement_pending` with the hash; settling the same
 * authorization again then waits for that transaction instead of sending another.
 *
 * @example
 * ```ts
 * import { createLocalFacilitator, createPaywall } from '@tollgate/express'
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
  receiptTimeout = 60_000,
}: CreateLocalFacilitatorParameters): CreateLocalFacilitatorReturnType {
  // Broadcasts go out one after another: each reads the account's pending nonce.
  let broadcasts: Promise<unknown> = Promise.resolve()
  const serialise = <value>(task: () => Promise<value>): Promise<value> => {
    const run = broadcasts.then(task, task)
    broadcasts = run.catch(() => {})
    return run
  }
  // Transactions broadcast but not confirmed yet, by authorization: never sent twice.
  const pending = new Map<string, Hex>()

  async function confirm(
    transaction: Hex,
    base: Pick<SettleResponse, 'network' | 'payer'>,
    key: string,
  ): Promise<SettleResponse> {
    try {
      const receipt = await waitForTransactionReceipt(publicClient, {
        hash: transaction,
        timeout: receiptTimeout,
      })
      pending.delete(key)
      return receipt.status === 'success'
        ? { success: true, transaction, ...base }
        : {
            success: false,
            errorReason: reasons.invalidExactEvmTransactionFailed,
            transaction,
            ...base,
          }
    } catch {
      pending.set(key, transaction)
      return { success: false, errorReason: reasons.settlementPending, transaction, ...base }
    }
  }

  return {
    verify(request) {
      return verifyPayment(publicClient, { ...request, assets })
    },

    async settle(request: SettleParameters) {
      // No queue here: `queued` answers as soon as the transaction is broadcast, like `submitted`.
      const mode = request.settlement ?? defaultMode
      const network = request.paymentRequirements.network
      const normalized = normalizePayment(request)
      if (!normalized.ok)
        return {
          success: false,
          errorReason: normalized.response.invalidReason ?? reasons.invalidPayload,
          transaction: '',
          network,
          ...(normalized.response.payer ? { payer: normalized.response.payer } : {}),
        }
      const { payload, requirements } = normalized.payment
      const { from } = payload.authorization
      const base = { network, payer: from }
      const key = authorizationKey(requirements, payload)
      const known = pending.get(key)
      if (known) return confirm(known, base, key)

      const submitted = await serialise(() =>
        settleAuthorization(walletClient, {
          payload,
          requirements,
          publicClient,
          wait: false,
          assets,
        }),
      )
      if (!submitted.success || mode !== 'confirmed') return submitted
      return confirm(submitted.transaction as Hex, base, key)
    },

    async supported(): Promise<SupportedResponse> {
      const chainId = publicClient.chain?.id ?? (await getChainId(publicClient))
      const network = `eip155:${chainId}`
      const v1 = toV1Network(network)
      return {
        kinds: [
          { x402Version: 2, scheme: 'exact', network },
          ...(v1 ? [{ x402Version: 1, scheme: 'exact', network: v1 }] : []),
        ],
        extensions: [],
        signers: { 'eip155:*': [walletClient.account.address as Address] },
      }
    },
  }
}
