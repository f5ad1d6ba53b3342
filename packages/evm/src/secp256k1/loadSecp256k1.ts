import type { RecoverPublicKey } from '../signature.js'

/**
 * libsecp256k1 behind the few calls a payer and a facilitator make: natively (the prebuilt addon
 * of the optional `secp256k1` package: linux-x64 glibc and musl, darwin-arm64, win32-x64) or
 * compiled to WebAssembly (`tiny-secp256k1`) everywhere else. Both are the same library, so both
 * sign the same bytes (RFC 6979 nonces, low `s`) and recover the same keys.
 */
export type Secp256k1 = {
  /** Which build answers. */
  readonly kind: 'native' | 'wasm'
  /** Public-key recovery, in the shape `createEcdsaRecoverer` takes. */
  recover: RecoverPublicKey
  /** Signs a 32-byte digest: the 64-byte `r ‖ s` (low `s`) and its recovery id. */
  sign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recoveryId: number }
}

/** The addon's calls this module uses (`secp256k1/bindings.js`, never its pure-JS fallback). */
type NativeSecp256k1 = {
  ecdsaRecover(
    signature: Uint8Array,
    recid: number,
    message: Uint8Array,
    compressed: boolean,
  ): Uint8Array
  ecdsaSign(message: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
}

// `secp256k1`'s own entry falls back to `elliptic` (pure JS, slower than `tiny-secp256k1`) when
// the addon is missing; its `bindings.js` throws instead, and the WebAssembly build is used.
// A variable, so that bundlers leave the optional package alone.
const nativeEntry = 'secp256k1/bindings.js'

let loaded: Promise<Secp256k1> | undefined

/**
 * The fastest libsecp256k1 this runtime can load, loaded once (the first call compiles the
 * WebAssembly build, about 65 ms, when there is no addon).
 */
export function loadSecp256k1(): Promise<Secp256k1> {
  loaded ??= loadNativeSecp256k1().catch(() => loadWasmSecp256k1())
  return loaded
}

/** The prebuilt addon of the optional `secp256k1` package; rejects where it cannot load. */
export async function loadNativeSecp256k1(): Promise<Secp256k1> {
  const module = (await import(nativeEntry)) as { default?: NativeSecp256k1 } & NativeSecp256k1
  const native = module.default ?? module
  return {
    kind: 'native',
    recover: (digest, signature, recoveryBit) =>
      native.ecdsaRecover(signature, recoveryBit, digest, false),
    sign(digest, privateKey) {
      const { signature, recid } = native.ecdsaSign(digest, privateKey)
      return { signature, recoveryId: recid }
    },
  }
}

/** libsecp256k1 compiled to WebAssembly (`tiny-secp256k1`). */
export async function loadWasmSecp256k1(): Promise<Secp256k1> {
  const wasm = await import('tiny-secp256k1')
  return {
    kind: 'wasm',
    recover: (digest, signature, recoveryBit) =>
      wasm.recover(digest, signature, recoveryBit, false),
    sign: (digest, privateKey) => wasm.signRecoverable(digest, privateKey),
  }
}
