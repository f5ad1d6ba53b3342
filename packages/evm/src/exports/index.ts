// The x402 `exact` scheme on EVM chains: EIP-3009 signing, verification and settlement.

export { eip3009Abi, erc20Abi, erc1271Abi, erc1271MagicValue } from '../abis.js'
export {
  type Asset,
  assets,
  type GetAssetParameters,
  getAsset,
  getDefaultAsset,
} from '../assets.js'
export {
  type Authorization,
  type AuthorizationDomain,
  type AuthorizationRequirements,
  type CreateAuthorizationParameters,
  createAuthorization,
  createNonce,
  fromWireAuthorization,
  type GetAuthorizationDomainParameters,
  getAuthorizationDomain,
  getDomainSeparator,
  getTransferWithAuthorizationTypedData,
  hashTransferWithAuthorization,
  type TransferWithAuthorizationParameters,
  toWireAuthorization,
  transferWithAuthorizationTypes,
} from '../authorization.js'
export {
  type CancelAuthorizationErrorType,
  CancelAuthorizationFailedError,
  type CancelAuthorizationFailedErrorType,
  type CancelAuthorizationParameters,
  type CancelAuthorizationReturnType,
  cancelAuthorization,
} from '../cancelAuthorization.js'
export {
  type CreateLocalFacilitatorParameters,
  type CreateLocalFacilitatorReturnType,
  createLocalFacilitator,
} from '../createLocalFacilitator.js'
export {
  type CreatePaymentPayloadParameters,
  type CreatePaymentPayloadV1Parameters,
  type CreatePaymentPayloadV2Parameters,
  createPaymentPayload,
} from '../createPaymentPayload.js'
export {
  AccountNotFoundError,
  type AccountNotFoundErrorType,
  ChainMismatchError,
  type ChainMismatchErrorType,
  InvalidAuthorizationError,
  type InvalidAuthorizationErrorType,
  MissingEip712DomainError,
  type MissingEip712DomainErrorType,
  MissingFacilitatorAddressError,
  type MissingFacilitatorAddressErrorType,
  NoExactEvmRequirementsError,
  type NoExactEvmRequirementsErrorType,
  NotATokenError,
  type NotATokenErrorType,
} from '../errors.js'
export {
  type AuthorizationEvent,
  AuthorizationEventSearchError,
  type AuthorizationEventSearchErrorType,
  type FindAuthorizationEventErrorType,
  type FindAuthorizationEventParameters,
  type FindAuthorizationEventReturnType,
  findAuthorizationEvent,
} from '../findAuthorizationEvent.js'
export {
  type GetPermit2SettlementCallParameters,
  type GetPermit2SettlementCallReturnType,
  getPermit2SettlementCall,
} from '../getPermit2SettlementCall.js'
export { getRevertData } from '../getRevertData.js'
export {
  type GetSettlementCallParameters,
  type GetSettlementCallReturnType,
  getSettlementCall,
} from '../getSettlementCall.js'
export {
  type AssetTransferMethod,
  createPermit2Nonce,
  exactPermit2ProxyAddress,
  exactPermit2Types,
  fromWirePermit2Authorization,
  getPermit2Proxy,
  getPermit2TypedData,
  isPermit2Payload,
  type Permit2Authorization,
  type Permit2Scheme,
  permit2Address,
  toWirePermit2Authorization,
  uptoPermit2ProxyAddress,
  uptoPermit2Types,
  usesPermit2,
  type WirePermit2Authorization,
} from '../permit2.js'
export { exactPermit2ProxyAbi, permit2Abi, uptoPermit2ProxyAbi } from '../permit2Abis.js'
export {
  type ApprovePermit2ErrorType,
  ApprovePermit2FailedError,
  type ApprovePermit2FailedErrorType,
  type ApprovePermit2Parameters,
  type ApprovePermit2ReturnType,
  approvePermit2,
  type ReadPermit2AllowanceParameters,
  readPermit2Allowance,
} from '../permit2Allowance.js'
export { type ReadAssetParameters, readAsset } from '../readAsset.js'
export {
  type ReadAuthorizationStateParameters,
  readAuthorizationState,
} from '../readAuthorizationState.js'
export {
  type ReadTokenDomainParameters,
  readTokenDomain,
  type TokenDomain,
} from '../readTokenDomain.js'
export {
  getSettlementErrorReason,
  type SettleAuthorizationParameters,
  type SettleAuthorizationReturnType,
  settleAuthorization,
} from '../settleAuthorization.js'
export {
  getPermit2SettlementErrorReason,
  type SettlePermit2AuthorizationParameters,
  type SettlePermit2AuthorizationReturnType,
  settlePermit2Authorization,
} from '../settlePermit2Authorization.js'
export {
  type AuthorizationSigner,
  type SignAuthorizationErrorType,
  type SignAuthorizationParameters,
  type SignAuthorizationReturnType,
  signAuthorization,
} from '../signAuthorization.js'
export {
  createEcdsaRecoverer,
  type EcdsaRecoverer,
  isErc6492Signature,
  type RecoverPublicKey,
  recoverEcdsaSigner,
  splitSignature,
  type UnwrappedSignature,
  unwrapErc6492Signature,
} from '../signature.js'
export {
  type SignPermit2AuthorizationErrorType,
  type SignPermit2AuthorizationParameters,
  type SignPermit2AuthorizationReturnType,
  signPermit2Authorization,
} from '../signPermit2Authorization.js'
export {
  type VerifiableRequirements,
  type VerifyAuthorizationChecks,
  type VerifyAuthorizationParameters,
  type VerifyAuthorizationReturnType,
  verifyAuthorization,
} from '../verifyAuthorization.js'
export {
  type NormalizedPayment,
  normalizePayment,
  type VerifyPaymentParameters,
  type VerifyPaymentReturnType,
  verifyPayment,
} from '../verifyPayment.js'
export {
  type VerifyPermit2AuthorizationParameters,
  type VerifyPermit2AuthorizationReturnType,
  type VerifyPermit2Checks,
  verifyPermit2Authorization,
} from '../verifyPermit2Authorization.js'
