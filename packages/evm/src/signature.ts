import type { Address, Hex } from 'viem'
import { isAddressEqual, parseErc6492Signature, recoverAddress, zeroAddress } from 'viem'

const erc6492Suffix = '6492649264926492649264926492649264926492649264926492649264926492'
// secp256k1 n / 2: signatures with a larger `s` are malleable twins that FiatToken's ECRecover rejects.
const maxLowS = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/** A signature with its ERC-6492 wrapper (if any) taken off. */
export type UnwrappedSignature = {
  /** The signature the wallet itself checks (ERC-1271 or ECDSA). */
  signature: Hex
  /** Set when the signature was ERC-6492 wrapped with deployment data for a counterfactual wallet. */
  deployment?: { factory: Address; factoryData: Hex } | undefined
}

/** Whether a signature ends with the ERC-6492 magic suffix (`0x6492…6492`). */
export function isErc6492Signature(signature: Hex): boolean {
  return signature.length > 66 && signature.slice(-64).toLowerCase() === erc6492Suffix
}

/**
 * Strips an ERC-6492 wrapper: `abi.encode(factory, factoryData, signature) ++ magic`. A zero
 * factory means "no deployment" (the wallet exists). Returns `undefined` for a malformed wrapper.
 */
export function unwrapErc6492Signature(signature: Hex): UnwrappedSignature | undefined {
  if (!isErc6492Signature(signature)) return { signature }
  try {
    const { address, data, signature: inner } = parseErc6492Signature(signature)
    if (!address || !data || isAddressEqual(address, zeroAddress)) return { signature: inner }
    return { signature: inner, deployment: { factory: address, factoryData: data } }
  } catch {
    return undefined
  }
}

/** Whether a signature is a 65-byte ECDSA `r ‖ s ‖ v`. */
export function isEcdsaSignature(signature: Hex): boolean {
  return signature.length === 132
}

/**
 * Splits a 65-byte signature into the `(v, r, s)` of FiatToken's first `transferWithAuthorization`
 * overload, with `v` as 27/28 (a 0/1 recovery bit is accepted and converted).
 */
export function splitSignature(signature: Hex): { v: number; r: Hex; s: Hex } {
  const recovery = Number.parseInt(signature.slice(130, 132), 16)
  return {
    v: recovery < 27 ? recovery + 27 : recovery,
    r: `0x${signature.slice(2, 66)}`,
    s: `0x${signature.slice(66, 130)}`,
  }
}

// Recovery is the one expensive step of verifying an EOA payment (a pure-JS secp256k1 recovery,
// around a millisecond), and the same payment is verified more than once (verify, then the
// re-verification of settle, then retries). Answers are pure functions of (digest, signature), so
// they are kept, a bounded number of them: past the limit the oldest goes.
const recovered = new Map<string, Address | undefined>()
const maxRecovered = 8192

/**
 * Recovers the ECDSA signer of a digest locally (no RPC), or `undefined` when the signature is not
 * one the token would accept: wrong length, `v` not 27/28 (or 0/1), high `s`, or no valid point.
 */
export async function recoverEcdsaSigner(
  digest: Hex,
  signature: Hex,
): Promise<Address | undefined> {
  if (!isEcdsaSignature(signature)) return undefined
  const v = Number.parseInt(signature.slice(130, 132), 16)
  if (v !== 27 && v !== 28 && v !== 0 && v !== 1) return undefined
  if (BigInt(`0x${signature.slice(66, 130)}`) > maxLowS) return undefined
  const key = `${digest}${signature.slice(2)}`.toLowerCase()
  if (recovered.has(key)) return recovered.get(key)
  let signer: Address | undefined
  try {
    signer = await recoverAddress({ hash: digest, signature })
  } catch {
    signer = undefined
  }
  if (recovered.size >= maxRecovered) {
    const oldest = recovered.keys().next().value
    if (oldest !== undefined) recovered.delete(oldest)
  }
  recovered.set(key, signer)
  return signer
}
