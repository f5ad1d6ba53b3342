// Accounts that sign in WebAssembly: viem-compatible, for agents that sign a payment per request.

export {
  type PrivateKeyAccount,
  type PrivateKeyToAccountOptions,
  privateKeyToAccount,
} from '../accounts/privateKeyToAccount.js'
