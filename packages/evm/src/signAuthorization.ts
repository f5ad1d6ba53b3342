import type { ExactEvmPayload, NotEvmNetworkError, UnknownNetworkError } from '@tollgate/core'
import type { Account, Address, Hex, WalletClient } from 'viem'
import type { Asset } from './assets.js'
import {
  type AuthorizationRequirements,
  createAuthorization,
  getAuthorizationDomain,
  getTransferWithAuthorizationTypedData,
  toWireAuthorization,
} from './authorization.js'
import { AccountNotFoundError, type MissingEip712DomainError } from './errors.js'

/** Who signs: a viem `Account` that signs locally, or a `WalletClient` whose account signs (e.g. JSON-RPC). */
export type AuthorizationSigner = Account | WalletClient

export type SignAuthorizationParameters = {
  /** The requirement to pay (v2 shape; for v1 use `createPaymentPayload`). */
  requirements: AuthorizationRequirements
  /** The clock, in milliseconds since the Unix epoch (read once, in seconds, for the EIP-3009 times). @default Date.now */
  now?: (() => number) | undefined
  /** Seconds `validAfter` lies in the past. @default 600 */
  validAfterSkewSeconds?: number | undefined
  /** @default 32 random bytes */
  nonce?: Hex | undefined
  /** Consulted for the EIP-712 domain when `requirements.extra` lacks it. @default assets */
  assets?: readonly Asset[] | undefined
}

export type SignAuthorizationReturnType = ExactEvmPayload

export type SignAuthorizationErrorType =
  | AccountNotFoundError
  | MissingEip712DomainError
  | UnknownNetworkError
  | NotEvmNetworkError

/**
 * Signs an EIP-3009 `TransferWithAuthorization` for a payment requirement and returns the exact
 * scheme's wire payload `{ signature, authorization }`.
 *
 * @example
 * import { signAuthorization } from '@tollgate/evm'
 * import { privateKeyToAccount } from 'viem/accounts'
 *
 * const payload = await signAuthorization(privateKeyToAccount(key), { requirements })
 */
export async function signAuthorization(
  signer: AuthorizationSigner,
  { requirements, now, validAfterSkewSeconds, nonce, assets }: SignAuthorizationParameters,
): Promise<SignAuthorizationReturnType> {
  const { address, signTypedData } = resolveSigner(signer)
  const domain = getAuthorizationDomain({ requirements, assets })
  const authorization = createAuthorization({
    from: address,
    requirements,
    now,
    validAfterSkewSeconds,
    nonce,
  })
  const signature = await signTypedData(
    getTransferWithAuthorizationTypedData({ authorization, domain }),
  )
  return { signature, authorization: toWireAuthorization(authorization) }
}

type TypedData = ReturnType<typeof getTransferWithAuthorizationTypedData>

function resolveSigner(signer: AuthorizationSigner): {
  address: Address
  signTypedData: (typedData: TypedData) => Promise<Hex>
} {
  if ('request' in signer) {
    const account = signer.account
    if (!account) throw new AccountNotFoundError({ action: 'signAuthorization' })
    return {
      address: account.address,
      signTypedData: (typedData) => signer.signTypedData({ account, ...typedData }),
    }
  }
  const sign = signer.signTypedData
  if (!sign) throw new AccountNotFoundError({ action: 'signAuthorization' })
  return { address: signer.address, signTypedData: (typedData) => sign(typedData) }
}
