// libsecp256k1 for Node: viem-compatible accounts that sign through it, and the library itself
// (native where the optional `secp256k1` addon loads, else WebAssembly). Not for browser bundles:
// the main entry stays free of it.

export {
  type PrivateKeyAccount,
  type PrivateKeyToAccountOptions,
  privateKeyToAccount,
} from '../accounts/privateKeyToAccount.js'
export {
  loadNativeSecp256k1,
  loadSecp256k1,
  loadWasmSecp256k1,
  type Secp256k1,
} from '../secp256k1/loadSecp256k1.js'
