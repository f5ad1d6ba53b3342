import { BaseError } from '@tollgate/core'
import type { Account, Address, Chain, Client, Hex, Transport, WalletClient } from 'viem'
import { erc20Abi, maxUint256 } from 'viem'
import {
  readContract,
  simulateContract,
  waitForTransactionReceipt,
  writeContract,
} from 'viem/actions'
import { permit2Address } from './permit2.js'

export type ReadPermit2AllowanceParameters = {
  /** The ERC-20 paid through Permit2. */
  token: Address
  /** The payer. */
  owner: Address
}

/**
 * What `owner` has approved Permit2 to move of `token`, in atomic units. A Permit2 payment
 * (`exact` or `upto`) settles only when this covers its amount; the facilitator refuses it with
 * `permit2_allowance_required` (HTTP 412 from a paywall) otherwise.
 *
 * @example
 * import { readPermit2Allowance } from '@tollgate/evm'
 *
 * const allowance = await readPermit2Allowance(publicClient, { token, owner: account.address })
 */
export function readPermit2Allowance(
  client: Client<Transport, Chain | undefined>,
  { token, owner }: ReadPermit2AllowanceParameters,
): Promise<bigint> {
  return readContract(client, {
    address: token,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [owner, permit2Address],
  })
}

export type ApprovePermit2Parameters = {
  /** The ERC-20 to pay through Permit2. */
  token: Address
  /** The most Permit2 may move, in atomic units. @default maxUint256 (approve once) */
  amount?: bigint | undefined
}

/** The mined `approve(Permit2, amount)` transaction. */
export type ApprovePermit2ReturnType = { transaction: Hex }

export type ApprovePermit2ErrorType = ApprovePermit2FailedError

/**
 * Sends the payer's one-time `approve(Permit2, amount)` for `token` from `walletClient`'s account
 * (which pays its gas) and waits for it to be mined; it is simulated first, so an address that is
 * not a token is refused before anything is sent. Each signed Permit2 payment then moves only
 * what its signature permits, to the payee it names. Rejects with `ApprovePermit2FailedError` when
 * the call fails or reverts.
 *
 * @example
 * import { approvePermit2 } from '@tollgate/evm'
 *
 * await approvePermit2(walletClient, { token: '0x...' })
 */
export async function approvePermit2(
  walletClient: WalletClient<Transport, Chain | undefined, Account>,
  { token, amount = maxUint256 }: ApprovePermit2Parameters,
): Promise<ApprovePermit2ReturnType> {
  let transaction: Hex | undefined
  try {
    // Simulated first: a call to an address without code "succeeds" on-chain, approving nothing.
    const { request } = await simulateContract(walletClient, {
      account: walletClient.account,
      address: token,
      abi: erc20Abi,
      functionName: 'approve',
      args: [permit2Address, amount],
      chain: walletClient.chain,
    })
    transaction = await writeContract(walletClient, request)
    const mined = await waitForTransactionReceipt(walletClient, { hash: transaction })
    if (mined.status === 'success') return { transaction }
  } catch (cause) {
    throw new ApprovePermit2FailedError({ token, transaction, cause })
  }
  throw new ApprovePermit2FailedError({ token, transaction })
}

export type ApprovePermit2FailedErrorType = ApprovePermit2FailedError & {
  name: 'ApprovePermit2FailedError'
}

/** The payer's `approve(Permit2, amount)` was refused or reverted. */
export class ApprovePermit2FailedError extends BaseError {
  override name = 'ApprovePermit2FailedError' as const
  readonly token: Address
  /** The reverted transaction, when one was mined. */
  readonly transaction: Hex | undefined

  constructor({
    token,
    transaction,
    cause,
  }: {
    token: Address
    transaction?: Hex | undefined
    cause?: unknown
  }) {
    super(
      transaction === undefined
        ? `The approval of Permit2 on ${token} was refused.`
        : `The approval of Permit2 on ${token} reverted in transaction ${transaction}.`,
      {
        code: 'TOLLGATE_EVM_APPROVE_PERMIT2_FAILED',
        cause,
        docsPath: '/providers/metered#the-permit2-allowance',
      },
    )
    this.token = token
    this.transaction = transaction
  }
}
