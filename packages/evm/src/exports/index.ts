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
  type GetSettlementCallParameters,
  type GetSettlementCallReturnType,
  getSettlementCall,
} from '../getSettlementCall.js'
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
  type AuthorizationSigner,
  type SignAuthorizationErrorType,
  type SignAuthorizationParameters,
  type SignAuthorizationReturnType,
  signAuthorization,
} from '../signAuthorization.js'
export {
  isErc6492Signature,
  recoverEcdsaSigner,
  splitSignature,
  type UnwrappedSignature,
  unwrapErc6492Signature,
} from '../signature.js'
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
