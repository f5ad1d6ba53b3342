import type { ExactEvmPayload, NotEvmNetworkError, UnknownNetworkError } from '@tollgate/core'
import type { Hex } from 'viem'
import type { Asset } from './assets.js'
import {
  type AuthorizationRequirements,
  createAuthorization,
  getAuthorizationDomain,
  getTransferWithAuthorizationTypedData,
  hashTransferWithAuthorization,
  toWireAuthorization,
} from './authorization.js'
import type { AccountNotFoundError, MissingEip712DomainError } from './errors.js'
import { type AuthorizationSigner, resolveSigner } from './signer.js'

export type { AuthorizationSigner } from './signer.js'

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
  const { address, signTypedData, signDigest } = resolveSigner(signer, 'signAuthorization')
  const domain = getAuthorizationDomain({ requirements, assets })
  const authorization = createAuthorization({
    from: address,
    requirements,
    now,
    validAfterSkewSeconds,
    nonce,
  })
  // The same signature either way; the digest route skips viem's typed-data encoding.
  const signature = signDigest
    ? await signDigest(hashTransferWithAuthorization({ authorization, domain }))
    : await signTypedData(getTransferWithAuthorizationTypedData({ authorization, domain }))
  return { signature, authorization: toWireAuthorization(authorization) }
}
