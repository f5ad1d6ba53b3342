import type { Account, Address, Hex, TypedDataDefinition, WalletClient } from 'viem'
import { AccountNotFoundError } from './errors.js'

/** Who signs: a viem `Account` that signs locally, or a `WalletClient` whose account signs (e.g. JSON-RPC). */
export type AuthorizationSigner = Account | WalletClient

/**
 * The signer's address and a typed-data signer, whichever form it came in. Signing the EIP-3009
 * transfer and its cancellation both go through here, so an account works the same for both.
 */
export function resolveSigner(
  signer: AuthorizationSigner,
  action: string,
): { address: Address; signTypedData: (typedData: TypedDataDefinition) => Promise<Hex> } {
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
  return { address: signer.address, signTypedData: (typedData) => sign(typedData as never) }
}
