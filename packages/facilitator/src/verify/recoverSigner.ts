import { createEcdsaRecoverer, type EcdsaRecoverer } from '@tollgate/evm'

let loaded: Promise<EcdsaRecoverer> | undefined

/**
 * The facilitator's ECDSA recovery: libsecp256k1 compiled to WebAssembly (`tiny-secp256k1`), about
 * 0.2-0.3 ms a signature against 0.6 ms for `@tollgate/evm`'s pure-JS check of a known payer (and
 * 1.6 ms for one it has not seen), with the same acceptance rules. The module (about 65 ms to load
 * and compile) is loaded by the first verification, not by importing the package.
 */
export const recoverSigner: EcdsaRecoverer = async (digest, signature, expected) => {
  loaded ??= import('tiny-secp256k1').then(({ recover }) =>
    createEcdsaRecoverer((hash, rs, bit) => recover(hash, rs, bit, false)),
  )
  return (await loaded)(digest, signature, expected)
}
