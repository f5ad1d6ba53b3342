// Typed artifacts of the Solidity sources, written by `scripts/compile.ts` (the package build runs it).

export {
  agentWalletDomain,
  agentWalletKey,
  agentWalletKeyHash,
  agentWalletSetTypehash,
  agentWalletSetTypes,
  erc8004Version,
  identityRegistryEventTopics,
  identityRegistryName,
  identityRegistrySelectors,
  identityRegistrySymbol,
  maxAgentWalletDeadlineDelay,
  registrationType,
  reputationRegistryEventTopics,
  reputationRegistrySelectors,
  validationRegistryEventTopics,
  validationRegistrySelectors,
} from '../erc8004/constants.js'
export {
  DeployRegistriesError,
  type DeployRegistriesErrorType,
  type DeployRegistriesReturnType,
  deployRegistries,
} from '../erc8004/deployRegistries.js'
export { batchSettlerAbi, batchSettlerBytecode } from '../generated/BatchSettler.js'
export {
  exactPermit2ProxyAbi,
  exactPermit2ProxyBytecode,
} from '../generated/ExactPermit2Proxy.js'
export {
  identityRegistryAbi,
  identityRegistryBytecode,
} from '../generated/IdentityRegistry.js'
export { multicall3Abi, multicall3Bytecode } from '../generated/Multicall3.js'
export { permit2Abi, permit2Bytecode } from '../generated/Permit2.js'
export { plainTokenAbi, plainTokenBytecode } from '../generated/PlainToken.js'
export {
  reputationRegistryAbi,
  reputationRegistryBytecode,
} from '../generated/ReputationRegistry.js'
export { smartWalletAbi, smartWalletBytecode } from '../generated/SmartWallet.js'
export { testTokenAbi, testTokenBytecode } from '../generated/TestToken.js'
export { testUsdcAbi, testUsdcBytecode } from '../generated/TestUSDC.js'
export {
  uptoPermit2ProxyAbi,
  uptoPermit2ProxyBytecode,
} from '../generated/UptoPermit2Proxy.js'
export {
  validationRegistryAbi,
  validationRegistryBytecode,
} from '../generated/ValidationRegistry.js'
export { permit2Addresses } from '../permit2/addresses.js'
