import type { Hex } from 'viem'

/**
 * Marks an account's own `signTypedData` with the digest signer behind it. Registered through
 * `Symbol.for`, so the mark holds across bundles of this package (ESM and CJS, several entries).
 */
const digestSignerKey = Symbol.for('tollgate.evm.signDigest')

/** Signs a 32-byte digest with the account's key: the 65-byte `r ‖ s ‖ v` signature. */
export type SignDigest = (digest: Hex) => Promise<Hex>

type Marked = { [digestSignerKey]?: SignDigest }

/**
 * Marks `signTypedData` as signing `hashTypedData(typedData)` with `signDigest`, no more: a caller
 * that has hashed the typed data itself may then sign the digest. Only the very function marked
 * carries the mark, so an account copy whose `signTypedData` is replaced (an audit log, a policy
 * check) is signed through that replacement as always.
 */
export function markDigestSigner<fn extends (...args: never[]) => unknown>(
  signTypedData: fn,
  signDigest: SignDigest,
): fn {
  Object.defineProperty(signTypedData, digestSignerKey, { value: signDigest })
  return signTypedData
}

/** The digest signer behind a `signTypedData` marked by {@link markDigestSigner}, if it is one. */
export function digestSignerOf(signTypedData: unknown): SignDigest | undefined {
  return typeof signTypedData === 'function'
    ? (signTypedData as Marked)[digestSignerKey]
    : undefined
}
