import type { Account, Address, Hex, TypedDataDefinition, WalletClient } from 'viem'
import { digestSignerOf, type SignDigest } from './accounts/digestSigner.js'
import { AccountNotFoundError } from './errors.js'

/** Who signs: a viem `Account` that signs locally, or a `WalletClient` whose account signs (e.g. JSON-RPC). */
export type AuthorizationSigner = Account | WalletClient

/** A signer's address and how it signs typed data. */
export type ResolvedSigner = {
  address: Address
  signTypedData: (typedData: TypedDataDefinition) => Promise<Hex>
  /**
   * Signs the typed data's digest instead, for the caller that has hashed it: present only when
   * `signTypedData` is an account's own, marked as doing no more than that (`@tollgate/evm/accounts`).
   */
  signDigest?: SignDigest | undefined
}

/**
 * The signer's address and a typed-data signer, whichever form it came in. Signing the EIP-3009
 * transfer and its cancellation both go through here, so an account works the same for both.
 */
export function resolveSigner(signer: AuthorizationSigner, action: string): ResolvedSigner {
  if ('request' in signer) {
    const account = signer.account
    if (!account) throw new AccountNotFoundError({ action })
    return {
      address: account.address,
      signTypedData: (typedData) => signer.signTypedData({ account, ...typedData } as never),
    }
  }
  const sign = signer.signTypedData
  if (!sign) throw new AccountNotFoundError({ action })
  return {
    address: signer.address,
    signTypedData: (typedData) => sign(typedData as never),
    signDigest: digestSignerOf(sign),
  }
}
