// Values fixed by ERC-8004 and by the reference contracts (erc-8004/erc-8004-contracts v2.0.0).
// Our registries must keep them, so agent0, explorers and indexers work against either deployment;
// the tests check each one against the compiled ABIs.

/** `getVersion()` of the reference registries, which ours also return. */
export const erc8004Version = '2.0.0' as const

/** ERC-721 name of the Identity Registry. */
export const identityRegistryName = 'AgentIdentity' as const

/** ERC-721 symbol of the Identity Registry. */
export const identityRegistrySymbol = 'AGENT' as const

/** The `type` field of an agent registration file. */
export const registrationType = 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1' as const

/** Reserved metadata key holding the verified payment wallet (20 packed bytes). */
export const agentWalletKey = 'agentWallet' as const

/** `keccak256("agentWallet")`: topic2 of the `MetadataSet` logs that track wallets. */
export const agentWalletKeyHash =
  '0x2ac6109326e720d1435c0db66f7e35eda7839f52b6f1f5520a60788e132b4e39' as const

/** EIP-712 domain name and version of the Identity Registry (chainId, verifyingContract vary). */
export const agentWalletDomain = { name: 'ERC8004IdentityRegistry', version: '1' } as const

/** EIP-712 types the new wallet signs for `setAgentWallet`; `owner` is `ownerOf(agentId)`. */
export const agentWalletSetTypes = {
  AgentWalletSet: [
    { name: 'agentId', type: 'uint256' },
    { name: 'newWallet', type: 'address' },
    { name: 'owner', type: 'address' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

/** keccak256 of the encoded `AgentWalletSet` type (see `agentWalletSetTypes`). */
export const agentWalletSetTypehash =
  '0x678b53cd718d595370ab070ebf48edfdcd834beac116bf23e625fc7f4d5b7d32' as const

/** Latest accepted `setAgentWallet` deadline, in seconds after the block timestamp. */
export const maxAgentWalletDeadlineDelay = 300n

/** Selectors of the Identity Registry's ERC-8004 functions (ERC-721 ones are standard). */
export const identityRegistrySelectors = {
  'register()': '0x1aa3a008',
  'register(string)': '0xf2c298be',
  'register(string,(string,bytes)[])': '0x8ea42286',
  'setAgentURI(uint256,string)': '0x0af28bd3',
  'setMetadata(uint256,string,bytes)': '0x466648da',
  'getMetadata(uint256,string)': '0xcb4799f2',
  'setAgentWallet(uint256,address,uint256,bytes)': '0x2d1ef5ae',
  'getAgentWallet(uint256)': '0x00339509',
  'unsetAgentWallet(uint256)': '0x3fddcf19',
  'isAuthorizedOrOwner(address,uint256)': '0xd95e72be',
  'getVersion()': '0x0d8e6e2c',
  'eip712Domain()': '0x84b0196e',
} as const

/** Selectors of the Reputation Registry's functions. */
export const reputationRegistrySelectors = {
  'giveFeedback(uint256,int128,uint8,string,string,string,string,bytes32)': '0x3c036a7e',
  'revokeFeedback(uint256,uint64)': '0x4ab3ca99',
  'appendResponse(uint256,address,uint64,string,bytes32)': '0xc2349ab2',
  'getSummary(uint256,address[],string,string)': '0x81bbba58',
  'readFeedback(uint256,address,uint64)': '0x232b0810',
  'readAllFeedback(uint256,address[],string,string,bool)': '0xd9d84224',
  'getResponseCount(uint256,address,uint64,address[])': '0x6e04cacd',
  'getClients(uint256)': '0x42dd519c',
  'getLastIndex(uint256,address)': '0xf2d81759',
  'getIdentityRegistry()': '0xbc4d861b',
  'getVersion()': '0x0d8e6e2c',
} as const

/** Selectors of the Validation Registry's functions. */
export const validationRegistrySelectors = {
  'validationRequest(address,uint256,string,bytes32)': '0xaaf400c4',
  'validationResponse(bytes32,uint8,string,bytes32,string)': '0x3d659a96',
  'getValidationStatus(bytes32)': '0xff2febfc',
  'getSummary(uint256,address[],string)': '0x1b7cabd6',
  'getAgentValidations(uint256)': '0x8d5d0c2d',
  'getValidatorRequests(address)': '0x4bf3158c',
  'getIdentityRegistry()': '0xbc4d861b',
  'getVersion()': '0x0d8e6e2c',
} as const

/** topic0 of the Identity Registry's ERC-8004 events. */
export const identityRegistryEventTopics = {
  Registered: '0xca52e62c367d81bb2e328eb795f7c7ba24afb478408a26c0e201d155c449bc4a',
  MetadataSet: '0x2c149ed548c6d2993cd73efe187df6eccabe4538091b33adbd25fafdb8a1468b',
  URIUpdated: '0x3a2c7fffc2cba7582c690e3b82c453ea02a308326a98a3ad7576c606336409fb',
} as const

/** topic0 of the Reputation Registry's events. */
export const reputationRegistryEventTopics = {
  NewFeedback: '0x6a4a61743519c9d648a14e6493f47dbe3ff1aa29e7785c96c8326a205e58febc',
  FeedbackRevoked: '0x25156fd3288212246d8b008d5921fde376c71ed14ac2e072a506eb06fde6d09d',
  ResponseAppended: '0xb1c6be0b5b8aef6539e2fac0fd131a2faa7b49edf8e505b5eb0ad487d56051d4',
} as const

/** topic0 of the Validation Registry's events. */
export const validationRegistryEventTopics = {
  ValidationRequest: '0x530436c3634a98e1e626b0898be2f1e9980cc1bd2a78c07a0aba52d0a48a5059',
  ValidationResponse: '0xafddf629e874ccc3963b6a888c477bd464a6c8525024fc88759ea3b2326349ae',
} as const
