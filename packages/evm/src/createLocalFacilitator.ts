import {
  type ExactEvmPayload,
  type PaymentRequirements,
  reasons,
  type SettlementMode,
  type SettleResponse,
  type SupportedResponse,
  toV1Network,
} from '@tollgate/core'
import type { FacilitatorClient, SettleParameters } from '@tollgate/core/facilitator-client'
import type { Account, Address, Chain, Client, Hex, Transport, WalletClient } from 'viem'
import { getChainId, waitForTransactionReceipt } from 'viem/actions'
import type { Asset } from './assets.js'
import { isPermit2Payload } from './permit2.js'
import { settleAuthorization } from './settleAuthorization.js'
import { hasTransfer, settlePermit2Authorization } from './settlePermit2Authorization.js'
import { normalizePayment, verifyPayment } from './verifyPayment.js'
import { verifyPermit2Authorization } from './verifyPermit2Authorization.js'

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
 * The modes this facilitator honours, as its `/supported` lists them. `queued` is not among them:
 * there is no durable queue in a process. Asked for `queued` anyway, it answers once the
 * transaction is broadcast, as for `submitted` (a later answer, never an earlier one).
 */
const honouredModes: readonly SettlementMode[] = ['confirmed', 'submitted']

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
        timeout: receiptTimeoutMs,
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

  /** A Permit2 payment (`exact` or `upto`): broadcast in turn, then confirmed by its `Transfer`. */
  async function settlePermit2(
    request: SettleParameters & { paymentPayload: { x402Version: 2 } },
    mode: SettlementMode,
  ): Promise<SettleResponse> {
    const { paymentPayload, paymentRequirements } = request
    const requirements = paymentRequirements as PaymentRequirements
    const checked = await verifyPermit2Authorization(publicClient, {
      payload: paymentPayload.payload,
      requirements,
      settling: true,
      checks: { nonce: false, balance: false, allowance: false, proxy: false },
      now,
    })
    const authorization = checked.authorization
    const base = {
      network: requirements.network,
      ...(checked.payer ? { payer: checked.payer } : {}),
    }
    const key = authorization
      ? [
          requirements.network,
          'permit2',
          authorization.from.toLowerCase(),
          authorization.nonce,
        ].join('|')
      : undefined
    const known = key ? pending.get(key) : undefined
    const submitted = known
      ? { success: true, transaction: known, ...base }
      : await serialise(() =>
          settlePermit2Authorization(walletClient, {
            payload: paymentPayload.payload,
            requirements,
            accepted: paymentPayload.accepted,
            publicClient,
            wait: false,
            now,
          }),
        )
    if (
      !submitted.success ||
      submitted.transaction === '' ||
      mode !== 'confirmed' ||
      !authorization
    )
      return submitted
    const transaction = submitted.transaction as Hex
    const moved =
      requirements.scheme === 'upto' ? BigInt(requirements.amount) : authorization.amount
    const amount = requirements.scheme === 'upto' ? { amount: moved.toString() } : {}
    const failed =
      requirements.scheme === 'upto'
        ? reasons.invalidUptoEvmTransactionFailed
        : reasons.invalidExactEvmTransactionFailed
    try {
      const receipt = await waitForTransactionReceipt(publicClient, {
        hash: transaction,
        timeout: receiptTimeoutMs,
      })
      if (key) pending.delete(key)
      return receipt.status === 'success' && hasTransfer(receipt.logs, authorization, moved)
        ? { success: true, transaction, ...base, ...amount }
        : { success: false, errorReason: failed, transaction, ...base }
    } catch {
      if (key) pending.set(key, transaction)
      return { success: false, errorReason: reasons.settlementPending, transaction, ...base }
    }
  }

  return {
    verify(request) {
      return verifyPayment(publicClient, {
        ...request,
        assets,
        now,
        facilitators: [walletClient.account.address],
        simulatePermit2: true,
      })
    },

    async settle(request: SettleParameters) {
      const mode = request.settlement ?? defaultMode
      const network = request.paymentRequirements.network
      if (
        request.paymentPayload.x402Version === 2 &&
        isPermit2Payload(request.paymentPayload.payload)
      )
        return settlePermit2(
          request as SettleParameters & { paymentPayload: { x402Version: 2 } },
          mode,
        )
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
      const base = { network, payer: payload.authorization.from }
      const key = settlementKey(requirements, payload)
      const known = pending.get(key)
      if (known) return confirm(known, base, key)

      const submitted = await serialise(() =>
        settleAuthorization(walletClient, {
          payload,
          requirements,
          publicClient,
          wait: false,
          assets,
          now,
        }),
      )
      if (!submitted.success || mode !== 'confirmed') return submitted
      return confirm(submitted.transaction as Hex, base, key)
    },

    async supported(): Promise<SupportedResponse> {
      const chainId = publicClient.chain?.id ?? (await getChainId(publicClient))
      const network = `eip155:${chainId}`
      const v1 = toV1Network(network)
      const extra = { settlementModes: [...honouredModes] }
      const facilitatorAddress = walletClient.account.address as Address
      return {
        kinds: [
          { x402Version: 2, scheme: 'exact', network, extra },
          { x402Version: 2, scheme: 'upto', network, extra: { ...extra, facilitatorAddress } },
          ...(v1 ? [{ x402Version: 1, scheme: 'exact', network: v1, extra }] : []),
        ],
        extensions: [],
        signers: { 'eip155:*': [walletClient.account.address as Address] },
      }
    },
  }
}

/** An authorization's key: chain, token, payer and nonce, as the on-chain nonce is scoped. */
function settlementKey(
  requirements: { network: string; asset: string },
  { authorization }: ExactEvmPayload,
): string {
  return [
    requirements.network,
    requirements.asset.toLowerCase(),
    authorization.from.toLowerCase(),
    authorization.nonce.toLowerCase(),
  ].join('|')
}
