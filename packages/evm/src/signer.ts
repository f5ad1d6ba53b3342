import type { Account, Address, Hex, TypedDataDefinition, WalletClient } from 'viem'
import { AccountNotFoundError } from './errors.js'

/** Who signs: a viem `Account` that signs locally, or a `WalletClient` whose account signs (e.g. JSON-RPC). */
export type AuthorizationSigner = Account | WalletClient

/** A resolved signer: its address, a typed-data signer, and for in-memory keys a digest signer. */
export type ResolvedSigner = {
  address: Address
  signTypedData: (typedData: TypedDataDefinition) => Promise<Hex>
  /**
   * Signs an EIP-712 digest directly: present only for an account whose private key is in this
   * process (viem's `privateKeyToAccount`, `mnemonicToAccount`, `hdKeyToAccount`), whose `sign` is
   * the same deterministic secp256k1 signature its `signTypedData` makes of that digest, without
   * re-encoding the typed data. Any other account (a wallet, a KMS or policy-engine account built
   * with `toAccount`) is only ever asked for typed data, which it can show or check.
   */
  signHash?: ((hash: Hex) => Promise<Hex>) | undefined
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
      signHash: hashSignerOf(account),
    }
  }
  const sign = signer.signTypedData
  if (!sign) throw new AccountNotFoundError({ action })
  return {
    address: signer.address,
    signTypedData: (typedData) => sign(typedData as never),
    signHash: hashSignerOf(signer),
  }
}

const inMemoryKeys: readonly unknown[] = ['privateKey', 'hd']

function hashSignerOf(account: Account): ResolvedSigner['signHash'] {
  if (account.type !== 'local' || !inMemoryKeys.includes(account.source)) return undefined
  const { sign } = account
  return sign ? (hash) => sign({ hash }) : undefined
}
