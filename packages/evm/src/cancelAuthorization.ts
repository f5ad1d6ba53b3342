import type { NotEvmNetworkError, PaymentRequirements, UnknownNetworkError } from '@tollgate/core'
import { BaseError } from '@tollgate/core'
import type { Account, Address, Chain, Hex, Transport, WalletClient } from 'viem'
import { parseSignature } from 'viem'
import { waitForTransactionReceipt, writeContract } from 'viem/actions'
import { eip3009Abi } from './abis.js'
import type { Asset } from './assets.js'
import { getAuthorizationDomain } from './authorization.js'
import {
  type AccountNotFoundError,
  ChainMismatchError,
  type MissingEip712DomainError,
} from './errors.js'
import { type AuthorizationSigner, resolveSigner } from './signer.js'

export type CancelAuthorizationParameters = {
  /** The requirement the authorization paid: its network, token and EIP-712 domain. */
  requirements: Pick<PaymentRequirements, 'network' | 'asset' | 'extra'>
  /** The authorization's nonce. */
  nonce: Hex
  /** Sends the transaction (pays its gas): any funded account on the token's chain. */
  walletClient: WalletClient<Transport, Chain | undefined, Account>
  /** Consulted for the EIP-712 domain when `requirements.extra` lacks it. @default assets */
  assets?: readonly Asset[] | undefined
}

/** The mined `cancelAuthorization` transaction. */
export type CancelAuthorizationReturnType = {
  transaction: Hex
  /** The signer: the authorization's `from`. */
  authorizer: Address
}

export type CancelAuthorizationErrorType =
  | CancelAuthorizationFailedError
  | AccountNotFoundError
  | ChainMismatchError
  | MissingEip712DomainError
  | UnknownNetworkError
  | NotEvmNetworkError

/**
 * Cancels an EIP-3009 authorization on-chain: the signer (its `from`) signs `CancelAuthorization`
 * for the nonce, and `walletClient` sends `cancelAuthorization(authorizer, nonce, v, r, s)` to the
 * token and waits for it to be mined. Once it is, the authorization can never be spent. Rejects
 * with `CancelAuthorizationFailedError` when the call fails or reverts (the nonce was used or
 * cancelled already).
 *
 * @example
 * import { cancelAuthorization } from '@tollgate/evm'
 *
 * const { transaction } = await cancelAuthorization(account, {
 *   requirements: receipt.accepted,
 *   nonce: receipt.signed.payload.authorization.nonce,
 *   walletClient,
 * })
 */
export async function cancelAuthorization(
  signer: AuthorizationSigner,
  { requirements, nonce, walletClient, assets }: CancelAuthorizationParameters,
): Promise<CancelAuthorizationReturnType> {
  const domain = getAuthorizationDomain({ requirements, assets })
  const actual = walletClient.chain?.id
  if (actual !== undefined && actual !== domain.chainId)
    throw new ChainMismatchError({ expected: domain.chainId, actual })
  const { address: authorizer, signTypedData } = resolveSigner(signer, 'cancelAuthorization')
  const signature = await signTypedData({
    domain,
    types: cancelAuthorizationTypes,
    primaryType: 'CancelAuthorization',
    message: { authorizer, nonce },
  })
  const { r, s, v, yParity } = parseSignature(signature)
  let transaction: Hex | undefined
  try {
    transaction = await writeContract(walletClient, {
      address: domain.verifyingContract,
      abi: eip3009Abi,
      functionName: 'cancelAuthorization',
      args: [authorizer, nonce, Number(v ?? BigInt(yParity + 27)), r, s],
      chain: walletClient.chain ?? null,
    })
    const mined = await waitForTransactionReceipt(walletClient, { hash: transaction })
    if (mined.status === 'success') return { transaction, authorizer }
  } catch (cause) {
    throw new CancelAuthorizationFailedError({ authorizer, nonce, transaction, cause })
  }
  throw new CancelAuthorizationFailedError({ authorizer, nonce, transaction })
}

/** The EIP-712 types of `CancelAuthorization` (EIP-3009). */
const cancelAuthorizationTypes = {
  CancelAuthorization: [
    { name: 'authorizer', type: 'address' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const

export type CancelAuthorizationFailedErrorType = CancelAuthorizationFailedError & {
  name: 'CancelAuthorizationFailedError'
}

/**
 * `cancelAuthorization` was refused or reverted: most often the nonce was used (the payment
 * settled) or cancelled already. `transaction` is set when one was sent and reverted.
 */
export class CancelAuthorizationFailedError extends BaseError {
  override name = 'CancelAuthorizationFailedError' as const
  readonly authorizer: Address
  readonly nonce: Hex
  /** The reverted transaction, when one was mined. */
  readonly transaction: Hex | undefined

  constructor({
    authorizer,
    nonce,
    transaction,
    cause,
  }: {
    authorizer: Address
    nonce: Hex
    transaction?: Hex | undefined
    cause?: unknown
  }) {
    super(
      transaction === undefined
        ? 'The cancelAuthorization call was refused: the nonce may be used or cancelled already.'
        : `cancelAuthorization reverted in transaction ${transaction}: the nonce may be used or cancelled already.`,
      {
        code: 'TOLLGATE_EVM_CANCEL_AUTHORIZATION_FAILED',
        cause,
        metaMessages: [`authorizer: ${authorizer}`, `nonce: ${nonce}`],
      },
    )
    this.authorizer = authorizer
    this.nonce = nonce
    this.transaction = transaction
  }
}
