import { invert } from '@noble/curves/abstract/modular'
import type { ProjPointType } from '@noble/curves/abstract/weierstrass'
import { secp256k1 } from '@noble/curves/secp256k1'
import type { Address, Hex } from 'viem'
import {
  getAddress,
  hexToBytes,
  isAddressEqual,
  keccak256,
  parseErc6492Signature,
  zeroAddress,
} from 'viem'

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
// a few milliseconds on a small vCPU), and the same payment is verified more than once (verify,
// then the re-verification of settle, then retries). Answers are pure functions of (digest,
// signature), so they are kept, a bounded number of them: past the limit the oldest goes.
const recovered = new Map<string, Address | undefined>()
const maxRecovered = 8192

// Payers repeat. A payer's public key, once recovered, turns the next checks into a verification
// R = u1·G + u2·P with both multiplications on precomputed tables (3-4x cheaper than a recovery).
// The table (a few hundred KB, ~12 ms to build) is built the second time a payer is seen; only keys
// that signed for the address they were expected to sign for are kept.
type KnownKey = { point: ProjPointType<bigint>; table: boolean }
const knownKeys = new Map<string, KnownKey>()
const maxKnownKeys = 128
const tableWindow = 6
const { n } = secp256k1.CURVE
const G = secp256k1.ProjectivePoint.BASE

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key)
  if (map.size >= max) {
    const oldest = map.keys().next().value
    if (oldest !== undefined) map.delete(oldest as K)
  }
  map.set(key, value)
}

/**
 * Whether `ecrecover(digest, v, r, s)` gives the key `point`: R = s⁻¹(z·G + r·P) must be the point
 * ecrecover starts from, x(R) = r exactly (not r + n) with the y parity that `v` names. `r`, `s` in
 * range and low `s` are checked by the caller.
 */
function signedBy(point: ProjPointType<bigint>, digest: Hex, r: bigint, s: bigint, parity: number) {
  const w = invert(s, n)
  const u1 = ((BigInt(digest) % n) * w) % n
  const u2 = (r * w) % n
  const sum = (u1 === 0n ? secp256k1.ProjectivePoint.ZERO : G.multiply(u1)).add(point.multiply(u2))
  if (sum.equals(secp256k1.ProjectivePoint.ZERO)) return false
  const { x, y } = sum.toAffine()
  return x === r && Number(y & 1n) === parity
}

function addressOf(point: ProjPointType<bigint>): Address {
  return getAddress(`0x${keccak256(point.toRawBytes(false).subarray(1)).slice(-40)}`)
}

/**
 * Recovers the ECDSA signer of a digest locally (no RPC), or `undefined` when the signature is not
 * one the token would accept: wrong length, `v` not 27/28 (or 0/1), high `s`, or no valid point.
 * With `expected` (the address the signature should be by), a payer seen before is checked
 * against its cached public key instead of recovering: same answer, less CPU.
 */
export async function recoverEcdsaSigner(
  digest: Hex,
  signature: Hex,
  expected?: Address | undefined,
): Promise<Address | undefined> {
  const parts = readEcdsaSignature(signature)
  if (!parts) return undefined
  const { r, s, parity } = parts
  const key = `${digest}${signature.slice(2)}`.toLowerCase()
  if (recovered.has(key)) return recovered.get(key)
  const expectedKey = expected?.toLowerCase()
  const known = expectedKey === undefined ? undefined : knownKeys.get(expectedKey)
  let signer: Address | undefined
  if (known && expected) {
    if (!known.table) {
      known.point._setWindowSize(tableWindow)
      known.table = true
    }
    if (signedBy(known.point, digest, r, s, parity)) signer = getAddress(expected)
  }
  if (signer === undefined) {
    try {
      const point = new secp256k1.Signature(r, s)
        .addRecoveryBit(parity)
        .recoverPublicKey(digest.slice(2))
      signer = addressOf(point)
      const signerKey = signer.toLowerCase()
      if (signerKey === expectedKey && !knownKeys.has(signerKey))
        remember(
          knownKeys,
          signerKey,
          { point: secp256k1.ProjectivePoint.fromAffine(point.toAffine()), table: false },
          maxKnownKeys,
        )
    } catch {
      signer = undefined
    }
  }
  remember(recovered, key, signer, maxRecovered)
  return signer
}

/**
 * The `(r, s, parity)` of a 65-byte ECDSA signature a token accepts, or `undefined`: wrong
 * length, `v` not 27/28 (or 0/1), high `s`, `r` or `s` out of range.
 */
function readEcdsaSignature(signature: Hex): { r: bigint; s: bigint; parity: 0 | 1 } | undefined {
  if (!isEcdsaSignature(signature) || !/^0x[0-9a-fA-F]{130}$/.test(signature)) return undefined
  const v = Number.parseInt(signature.slice(130, 132), 16)
  if (v !== 27 && v !== 28 && v !== 0 && v !== 1) return undefined
  const r = BigInt(`0x${signature.slice(2, 66)}`)
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  if (s > maxLowS || s === 0n || r === 0n || r >= n) return undefined
  return { r, s, parity: v >= 27 ? ((v - 27) as 0 | 1) : (v as 0 | 1) }
}

/**
 * A secp256k1 public-key recovery from a 32-byte digest, the 64-byte `r ‖ s` and the recovery
 * bit: the 65-byte uncompressed key, or `null` when there is none (it may also throw).
 */
export type RecoverPublicKey = (
  digest: Uint8Array,
  signature: Uint8Array,
  recoveryBit: 0 | 1,
) => Uint8Array | null

/** How a verifier finds an ECDSA signer: the address, or `undefined` for a signature a token refuses. */
export type EcdsaRecoverer = (
  digest: Hex,
  signature: Hex,
  expected?: Address | undefined,
) => Promise<Address | undefined>

/**
 * An {@link EcdsaRecoverer} over another secp256k1 implementation (a native or WebAssembly
 * libsecp256k1, several times faster than the pure-JS default), with the same acceptance rules as
 * {@link recoverEcdsaSigner}: what it refuses before recovering is refused here too.
 *
 * @example
 * import { createEcdsaRecoverer } from '@tollgate/evm'
 * import * as secp from 'tiny-secp256k1'
 *
 * const recover = createEcdsaRecoverer((digest, signature, bit) => secp.recover(digest, signature, bit, false))
 */
export function createEcdsaRecoverer(recoverPublicKey: RecoverPublicKey): EcdsaRecoverer {
  return async (digest, signature) => {
    const parts = readEcdsaSignature(signature)
    if (!parts || !/^0x[0-9a-fA-F]{64}$/.test(digest)) return undefined
    let key: Uint8Array | null
    try {
      const rs = hexToBytes(`0x${signature.slice(2, 130)}`)
      key = recoverPublicKey(hexToBytes(digest), rs, parts.parity)
    } catch {
      return undefined
    }
    if (key?.length !== 65 || key[0] !== 4) return undefined
    return getAddress(`0x${keccak256(key.subarray(1)).slice(-40)}`)
  }
}
