import type { Account, Address, Hex, TypedDataDefinition, WalletClient } from 'viem'
import { AccountNotFoundError } from './errors.js'

/** Who signs: a viem `Account` that signs locally, or a `WalletClient` whose account signs (e.g. JSON-RPC). */
export type AuthorizationSigner = Account | WalletClient

/** A resolved signer: its address, a typed-data signer and, for a private key, a digest signer. */
export type ResolvedSigner = {
  address: Address
  signTypedData: (typedData: TypedDataDefinition) => Promise<Hex>
  /**
   * Signs an EIP-712 digest directly: only for a viem account holding its private key (made by
   * `privateKeyToAccount`, `mnemonicToAccount` or `hdKeyToAccount`), whose `sign` is the same
   * ECDSA over the same digest, so the signature is the one `signTypedData` gives, without viem's
   * generic typed-data encoding (about a fifth of a payment's signing time).
   */
  signDigest?: ((digest: Hex) => Promise<Hex>) | undefined
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
  const signHash = holdsPrivateKey(signer) ? signer.sign : undefined
  return {
    address: signer.address,
    signTypedData: (typedData) => sign(typedData as never),
    ...(signHash ? { signDigest: (hash: Hex) => signHash({ hash }) } : {}),
  }
}

function holdsPrivateKey(
  account: Account,
): account is Account & { sign: (parameters: { hash: Hex }) => Promise<Hex> } {
  const { type, source, sign } = account as { type?: string; source?: string; sign?: unknown }
  return (
    type === 'local' && (source === 'privateKey' || source === 'hd') && typeof sign === 'function'
  )
}
