import { reasons, type SettleResponse } from '@tollgate/core'
import type { Account, Chain, Client, Hex, Log, Transport, WalletClient } from 'viem'
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeFunctionData,
  parseEventLogs,
} from 'viem'
import { sendTransaction, waitForTransactionReceipt } from 'viem/actions'
import { erc20Abi } from './abis.js'
import { AccountNotFoundError } from './errors.js'
import { getPermit2SettlementCall } from './getPermit2SettlementCall.js'
import { getRevertData } from './getRevertData.js'
import type { Permit2Authorization, Permit2Scheme } from './permit2.js'
import { exactPermit2ProxyAbi, permit2Abi, uptoPermit2ProxyAbi } from './permit2Abis.js'
import {
  type VerifyPermit2AuthorizationParameters,
  type VerifyPermit2Checks,
  verifyPermit2Authorization,
} from './verifyPermit2Authorization.js'

export type SettlePermit2AuthorizationParameters = Pick<
  VerifyPermit2AuthorizationParameters,
  'payload' | 'requirements' | 'accepted' | 'now'
> & {
  /** Reads (verification, receipts). */
  publicClient: Client<Transport, Chain | undefined>
  /** Wait for the receipt. When false, success means "broadcast", with the transaction hash. @default true */
  wait?: boolean | undefined
  /** Milliseconds to wait for the receipt before answering `settlement_pending`. @default viem's (none) */
  receiptTimeoutMs?: number | undefined
  /** Checks of the re-verification before sending. @default every chain check, simulation included */
  checks?: VerifyPermit2Checks | undefined
}

export type SettlePermit2AuthorizationReturnType = SettleResponse

const failedReason = (scheme: Permit2Scheme) =>
  scheme === 'upto'
    ? reasons.invalidUptoEvmTransactionFailed
    : reasons.invalidExactEvmTransactionFailed

/**
 * Settles a Permit2 payment from the wallet client's account: re-verifies it (for `upto`, the
 * charge `requirements.amount` against the signed maximum and this account as the named
 * facilitator), calls the scheme's proxy, waits for the receipt and checks the token's `Transfer`
 * of the amount to the payee (a proxy that is missing or a token that moves nothing is a failure,
 * not a success). An `upto` charge of zero sends nothing and answers success with `amount: "0"`.
 * `upto` answers carry the amount charged.
 *
 * @example
 * import { settlePermit2Authorization } from '@tollgate/evm'
 *
 * const result = await settlePermit2Authorization(walletClient, { payload, requirements, publicClient })
 */
export async function settlePermit2Authorization(
  walletClient: WalletClient<Transport, Chain | undefined, Account | undefined>,
  parameters: SettlePermit2AuthorizationParameters,
): Promise<SettlePermit2AuthorizationReturnType> {
  const { requirements, publicClient, wait = true } = parameters
  const network = requirements.network
  const account = walletClient.account
  if (!account) throw new AccountNotFoundError({ action: 'settlePermit2Authorization' })
  const scheme: Permit2Scheme = requirements.scheme === 'upto' ? 'upto' : 'exact'
  const verification = await verifyPermit2Authorization(publicClient, {
    payload: parameters.payload,
    requirements,
    accepted: parameters.accepted,
    now: parameters.now,
    settling: true,
    facilitators: [account.address],
    checks: parameters.checks ?? { simulate: true },
  })
  const payer = verification.payer ?? undefined
  const amountField = (amount: bigint) => (scheme === 'upto' ? { amount: amount.toString() } : {})
  const fail = (errorReason: string, transaction = '', errorMessage?: string): SettleResponse => ({
    success: false,
    errorReason,
    ...(errorMessage === undefined ? {} : { errorMessage }),
    transaction,
    network,
    ...(payer ? { payer } : {}),
  })
  const authorization = verification.authorization
  const amount = BigInt(requirements.amount)
  // Nothing used, nothing charged, nothing sent: the signature simply lapses.
  if (scheme === 'upto' && amount === 0n && verification.isValid)
    return { success: true, transaction: '', network, ...(payer ? { payer } : {}), amount: '0' }
  if (!verification.isValid || !authorization)
    return fail(verification.invalidReason ?? reasons.invalidPayload)
  const moved = scheme === 'upto' ? amount : authorization.amount

  const call = getPermit2SettlementCall({
    authorization,
    signature: (parameters.payload as { signature: Hex }).signature,
    amount: moved,
  })
  let transaction: Hex
  try {
    transaction = await sendTransaction(walletClient, {
      account,
      chain: walletClient.chain ?? null,
      to: call.address,
      data: encodeFunctionData(call as Parameters<typeof encodeFunctionData>[0]),
    })
  } catch (error) {
    return fail(getPermit2SettlementErrorReason(error, scheme), '', summarize(error))
  }
  if (!wait)
    return { success: true, transaction, network, payer: authorization.from, ...amountField(moved) }
  let receipt: { status: 'success' | 'reverted'; logs: Log[] }
  try {
    receipt = await waitForTransactionReceipt(publicClient, {
      hash: transaction,
      ...(parameters.receiptTimeoutMs === undefined
        ? {}
        : { timeout: parameters.receiptTimeoutMs }),
    })
  } catch (error) {
    // Broadcast but unconfirmed: the outcome is unknown, so report the hash and never resend.
    return fail(reasons.settlementPending, transaction, summarize(error))
  }
  if (receipt.status !== 'success' || !hasTransfer(receipt.logs, authorization, moved))
    return fail(failedReason(scheme), transaction)
  return { success: true, transaction, network, payer: authorization.from, ...amountField(moved) }
}

/** Whether the receipt logs the token's `Transfer` of `amount` from the payer to the payee. */
export function hasTransfer(
  logs: readonly Log[],
  authorization: Pick<Permit2Authorization, 'token' | 'from' | 'to'>,
  amount: bigint,
): boolean {
  const token = authorization.token.toLowerCase()
  return parseEventLogs({
    abi: erc20Abi,
    eventName: 'Transfer',
    logs: logs.filter((log) => log.address.toLowerCase() === token) as Log[],
  }).some(
    (log) =>
      log.args.from.toLowerCase() === authorization.from.toLowerCase() &&
      log.args.to.toLowerCase() === authorization.to.toLowerCase() &&
      log.args.value === amount,
  )
}

const errorReasons: Record<string, string> = {
  InvalidNonce: reasons.permit2InvalidNonce,
  SignatureExpired: reasons.permit2DeadlineExpired,
  InvalidSignature: reasons.invalidPermit2Signature,
  InvalidSigner: reasons.invalidPermit2Signature,
  InvalidSignatureLength: reasons.invalidPermit2Signature,
  InvalidContractSignature: reasons.invalidPermit2Signature,
  PaymentTooEarly: reasons.permit2PaymentTooEarly,
  InvalidDestination: reasons.permit2InvalidDestination,
  InvalidOwner: reasons.permit2InvalidOwner,
  InvalidAmount: reasons.permit2InvalidAmount,
  Permit2612AmountMismatch: reasons.permit22612AmountMismatch,
  UnauthorizedFacilitator: reasons.uptoUnauthorizedFacilitator,
  AmountExceedsPermitted: reasons.uptoAmountExceedsPermitted,
}

const decodingAbi = [...permit2Abi, ...exactPermit2ProxyAbi, ...uptoPermit2ProxyAbi]

/**
 * The reference reason of a failed Permit2 settlement, from the custom error Permit2 or the proxy
 * reverted with (`InvalidNonce` is `permit2_invalid_nonce`, `SignatureExpired`
 * `permit2_deadline_expired`, ...); the scheme's `transaction_failed` otherwise.
 */
export function getPermit2SettlementErrorReason(
  error: unknown,
  scheme: Permit2Scheme = 'exact',
): string {
  let name: string | undefined
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError) name = reverted.data?.errorName
  }
  const data = name ? undefined : getRevertData(error)
  if (data && data.length >= 10) {
    try {
      name = decodeErrorResult({ abi: decodingAbi, data }).errorName
    } catch {
      name = undefined
    }
  }
  return (name && errorReasons[name]) || failedReason(scheme)
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
