import { createEcdsaRecoverer, type EcdsaRecoverer } from '@tollgate/evm'
import { loadSecp256k1 } from '@tollgate/evm/accounts'

let loaded: Promise<EcdsaRecoverer> | undefined

/**
 * The facilitator's ECDSA recovery: libsecp256k1, natively where the optional `secp256k1` addon
 * loads (about 0.05 ms a signature), else compiled to WebAssembly (`tiny-secp256k1`, about 0.25
 * ms), against 0.6 ms for `@tollgate/evm`'s pure-JS check of a known payer (and 1.6 ms for one it
 * has not seen), with the same acceptance rules. The library is loaded by the first verification,
 * not by importing the package.
 */
export const recoverSigner: EcdsaRecoverer = async (digest, signature, expected) => {
  loaded ??= loadSecp256k1().then((secp256k1) => createEcdsaRecoverer(secp256k1.recover))
  return (await loaded)(digest, signature, expected)
}
