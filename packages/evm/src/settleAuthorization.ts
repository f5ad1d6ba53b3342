import type { ExactEvmPayload, SettleResponse } from '@tollgate/core'
import { reasons } from '@tollgate/core'
import type { Account, Address, Chain, Client, Hex, Log, Transport, WalletClient } from 'viem'
import { BaseError, ContractFunctionRevertedError, parseEventLogs } from 'viem'
import { getCode, sendTransaction, waitForTransactionReceipt, writeContract } from 'viem/actions'
import { erc20Abi } from './abis.js'
import type { Asset } from './assets.js'
import { AccountNotFoundError } from './errors.js'
import { getSettlementCall } from './getSettlementCall.js'
import { unwrapErc6492Signature } from './signature.js'
import {
  type VerifiableRequirements,
  type VerifyAuthorizationChecks,
  verifyAuthorization,
} from './verifyAuthorization.js'

export type SettleAuthorizationParameters = {
  payload: ExactEvmPayload
  requirements: VerifiableRequirements
  /** Reads (verification, receipts). */
  publicClient: Client<Transport, Chain | undefined>
  /** Wait for the receipt. When false, success means "broadcast", with the transaction hash. @default true */
  wait?: boolean | undefined
  /** Milliseconds to wait for the receipt before answering `settlement_pending`. @default viem's (none) */
  receiptTimeoutMs?: number | undefined
  /**
   * Re-verify first (signature, terms, nonce and balance) and answer with the reason instead of
   * sending a transaction that would revert. @default true
   */
  verify?: boolean | undefined
  /** Checks of the re-verification. @default { nonce: true, balance: true, domain: true } */
  checks?: VerifyAuthorizationChecks | undefined
  /** The clock for the re-verification, in milliseconds since the Unix epoch. @default Date.now */
  now?: (() => number) | undefined
  assets?: readonly Asset[] | undefined
  /** ERC-6492 factories the settler may call to deploy an undeployed wallet first. @default [] */
  erc6492Factories?: readonly Address[] | undefined
}

export type SettleAuthorizationReturnType = SettleResponse

/**
 * Settles a verified payment: sends `transferWithAuthorization` from the wallet client's account,
 * waits for the receipt and checks the `Transfer` it logs. Answers a `SettleResponse` with the
 * reference's reasons: a revert is mapped from its message (`invalid_exact_evm_nonce_already_used`
 * for a used nonce, ...), a receipt that does not come in time is `settlement_pending` with the
 * transaction hash (the transfer may still land: never resend it). An undeployed ERC-6492 wallet
 * is deployed first through its factory when that factory is in `erc6492Factories`.
 *
 * @example
 * import { settleAuthorization } from '@tollgate/evm'
 *
 * const result = await settleAuthorization(walletClient, { payload, requirements, publicClient })
 */
export async function settleAuthorization(
  walletClient: SettlingWalletClient,
  parameters: SettleAuthorizationParameters,
): Promise<SettleAuthorizationReturnType> {
  const { payload, requirements, verify = true } = parameters
  const network = requirements.network
  const payer = payload.authorization.from
  const fail = ([errorReason, transaction = '', errorMessage]: Failure): SettleResponse =>
    errorMessage === undefined
      ? { success: false, errorReason, transaction, network, payer }
      : { success: false, errorReason, errorMessage, transaction, network, payer }

  const account = walletClient.account
  if (!account) throw new AccountNotFoundError({ action: 'settleAuthorization' })
  const refused = verify ? await verifyAgain(parameters) : undefined
  if (refused) return fail(refused)
  const undeployed = await deployWalletFirst(walletClient, account, parameters)
  if (undeployed) return fail(undeployed)
  const sent = await sendSettlement(walletClient, account, parameters)
  return 'failure' in sent
    ? fail(sent.failure)
    : { success: true, transaction: sent.transaction, network, payer }
}

type SettlingWalletClient = WalletClient<Transport, Chain | undefined, Account | undefined>

/** Why a settlement failed: the reason, the transaction hash when one was sent, a message. */
type Failure = [reason: string, transaction?: string | undefined, message?: string | undefined]

/** Verifies the payment again: the reason it would revert, or `undefined`. */
async function verifyAgain(
  parameters: SettleAuthorizationParameters,
): Promise<Failure | undefined> {
  const verification = await verifyAuthorization(parameters.publicClient, {
    payload: parameters.payload,
    requirements: parameters.requirements,
    now: parameters.now,
    assets: parameters.assets,
    checks: parameters.checks,
    erc6492Factories: parameters.erc6492Factories,
  })
  if (verification.isValid) return undefined
  return [
    verification.invalidReason ?? reasons.invalidPayload,
    '',
    verification.invalidMessage ?? undefined,
  ]
}

/**
 * An ERC-6492 signature of a wallet not deployed yet: the wallet is deployed through its factory
 * (when that factory is allowed) before the transfer can be sent.
 */
async function deployWalletFirst(
  walletClient: SettlingWalletClient,
  account: Account,
  { payload, publicClient, erc6492Factories = [] }: SettleAuthorizationParameters,
): Promise<Failure | undefined> {
  const deployment = unwrapErc6492Signature(payload.signature as Hex)?.deployment
  if (!deployment) return undefined
  const code = await getCode(publicClient, { address: payload.authorization.from as Address })
  if (code !== undefined && code !== '0x') return undefined
  const factory = deployment.factory.toLowerCase()
  if (!erc6492Factories.some((f) => f.toLowerCase() === factory))
    return [reasons.eip6492FactoryNotAllowed]
  try {
    const hash = await sendTransaction(walletClient, {
      account,
      chain: walletClient.chain ?? null,
      to: deployment.factory,
      data: deployment.factoryData,
    })
    const receipt = await waitForTransactionReceipt(publicClient, { hash })
    return receipt.status === 'success' ? undefined : [reasons.smartWalletDeploymentFailed]
  } catch (error) {
    return [reasons.smartWalletDeploymentFailed, '', summarize(error)]
  }
}

/**
 * Sends `transferWithAuthorization` and, unless `wait` is false, waits for its receipt and checks
 * the `Transfer` it logs. A receipt that does not come in time is `settlement_pending` with the
 * hash: the transfer may still land, so it is never sent again.
 */
async function sendSettlement(
  walletClient: SettlingWalletClient,
  account: Account,
  {
    payload,
    requirements,
    publicClient,
    wait = true,
    receiptTimeoutMs,
  }: SettleAuthorizationParameters,
): Promise<{ transaction: Hex } | { failure: Failure }> {
  const settlementCall = getSettlementCall({ payload, requirements })
  let transaction: Hex
  try {
    transaction = await writeContract(walletClient, {
      ...settlementCall,
      account,
      chain: walletClient.chain ?? null,
    })
  } catch (error) {
    return { failure: [getSettlementErrorReason(error), '', summarize(error)] }
  }
  if (!wait) return { transaction }
  let receipt: { status: 'success' | 'reverted'; logs: Log[] }
  try {
    receipt = await waitForTransactionReceipt(publicClient, {
      hash: transaction,
      ...(receiptTimeoutMs === undefined ? {} : { timeout: receiptTimeoutMs }),
    })
  } catch (error) {
    return { failure: [reasons.settlementPending, transaction, summarize(error)] }
  }
  if (receipt.status !== 'success')
    return { failure: [reasons.invalidExactEvmTransactionFailed, transaction] }
  if (!hasTransfer(receipt.logs, settlementCall.address, payload.authorization))
    return { failure: [reasons.invalidExactEvmTransferEventMismatch, transaction] }
  return { transaction }
}

function hasTransfer(
  logs: Log[],
  asset: Address,
  authorization: ExactEvmPayload['authorization'],
): boolean {
  const token = asset.toLowerCase()
  const from = authorization.from.toLowerCase()
  const to = authorization.to.toLowerCase()
  const value = BigInt(authorization.value)
  return parseEventLogs({
    abi: erc20Abi,
    eventName: 'Transfer',
    logs: logs.filter((log) => log.address.toLowerCase() === token),
  }).some(
    (log) =>
      log.args.from.toLowerCase() === from &&
      log.args.to.toLowerCase() === to &&
      log.args.value === value,
  )
}

const revertReasons: readonly [RegExp, string][] = [
  [
    /authorization is expired|AuthorizationExpired/i,
    reasons.invalidExactEvmPayloadAuthorizationValidBefore,
  ],
  [
    /authorization is not yet valid|AuthorizationNotYetValid/i,
    reasons.invalidExactEvmPayloadAuthorizationValidAfter,
  ],
  [
    /authorization is used|used or canceled|AuthorizationAlreadyUsed/i,
    reasons.invalidExactEvmNonceAlreadyUsed,
  ],
  [
    /exceeds balance|insufficient balance|ERC20InsufficientBalance/i,
    reasons.invalidExactEvmInsufficientBalance,
  ],
  [/invalid signature|SignerMismatch|InvalidSignature/i, reasons.invalidExactEvmSignature],
]

/**
 * The reference reason for a failed settlement transaction, from its revert reason (FiatToken
 * v2.2 strings, or OpenZeppelin-style custom errors); `invalid_exact_evm_transaction_failed` otherwise.
 */
export function getSettlementErrorReason(error: unknown): string {
  const text = revertText(error)
  for (const [pattern, reason] of revertReasons) if (pattern.test(text)) return reason
  return reasons.invalidExactEvmTransactionFailed
}

function revertText(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError)
      return [reverted.reason, reverted.data?.errorName, reverted.shortMessage].join(' ')
    return error.shortMessage
  }
  return error instanceof Error ? error.message : String(error)
}

// Only the short message: viem's full message may carry the RPC URL (and an API key in it).
function summarize(error: unknown): string {
  const text =
    error instanceof BaseError
      ? error.shortMessage
      : error instanceof Error
        ? error.message
        : String(error)
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}
