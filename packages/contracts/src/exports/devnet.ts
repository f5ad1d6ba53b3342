export { type DevnetAccount, devMnemonic, getDevAccounts } from '../devnet/devAccounts.js'
export {
  AnvilNotFoundError,
  type AnvilNotFoundErrorType,
  AnvilStartError,
  type AnvilStartErrorType,
  ContractNotFoundError,
  type ContractNotFoundErrorType,
  DevnetError,
  type DevnetErrorType,
  DevnetSetupError,
  type DevnetSetupErrorType,
  InvalidDevnetOptionError,
  type InvalidDevnetOptionErrorType,
} from '../devnet/errors.js'
export {
  type ResolveAnvilBinaryParameters,
  resolveAnvilBinary,
} from '../devnet/resolveAnvilBinary.js'
export {
  type AnvilProcess,
  type SpawnAnvilParameters,
  spawnAnvil,
} from '../devnet/spawnAnvil.js'
export {
  type Devnet,
  type DevnetPlainToken,
  type DevnetToken,
  type DevnetTokenRef,
  type StartDevnetParameters,
  type StartDevnetReturnType,
  startDevnet,
} from '../devnet/startDevnet.js'
