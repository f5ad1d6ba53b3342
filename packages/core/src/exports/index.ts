// The protocol, without I/O. The facilitator HTTP client is `@tollgate/core/facilitator-client`.

export {
  type AgentReference,
  type AgentRegistryName,
  agentIdToJson,
  agentReferenceKey,
  agentRegistrationPath,
  declareAgentReference,
  isSameAgentRegistry,
  type ParseAgentReferenceErrorType,
  parseAgentId,
  parseAgentReference,
  parseAgentRegistryName,
  readAgentReference,
} from '../agentReference.js'
export { canonicalJson, equalByContent } from '../canonicalJson.js'
export {
  InvalidAgentReferenceError,
  type InvalidAgentReferenceErrorType,
} from '../errors/agent.js'
export {
  BaseError,
  type BaseErrorParameters,
  type BaseErrorType,
  isTollgateError,
} from '../errors/base.js'
export {
  FacilitatorError,
  type FacilitatorErrorType,
  type FacilitatorOperation,
  FacilitatorTimeoutError,
  type FacilitatorTimeoutErrorType,
} from '../errors/facilitator.js'
export {
  HeaderTooLargeError,
  type HeaderTooLargeErrorType,
  InvalidBase64Error,
  type InvalidBase64ErrorType,
  type InvalidBase64Reason,
  InvalidJsonError,
  type InvalidJsonErrorType,
  SchemaValidationError,
  type SchemaValidationErrorType,
} from '../errors/header.js'
export {
  InvalidMoneyError,
  type InvalidMoneyErrorType,
  type InvalidMoneyReason,
} from '../errors/money.js'
export {
  NotEvmNetworkError,
  type NotEvmNetworkErrorType,
  UnknownNetworkError,
  type UnknownNetworkErrorType,
} from '../errors/network.js'
export {
  PaymentSettlementError,
  type PaymentSettlementErrorType,
  PaymentVerificationError,
  type PaymentVerificationErrorType,
} from '../errors/payment.js'
export {
  PaymentRequiredNotFoundError,
  type PaymentRequiredNotFoundErrorType,
  UnsupportedX402VersionError,
  type UnsupportedX402VersionErrorType,
} from '../errors/version.js'
// Types only: the client itself is in `@tollgate/core/facilitator-client`.
export type {
  FacilitatorAuthHeaders,
  FacilitatorClient,
  FacilitatorRequest,
  HttpFacilitatorClient,
  SettlementStatusQuery,
  SettleParameters,
} from '../facilitator/createHttpFacilitatorClient.js'
export {
  findSupportedKind,
  isSettlementPending,
  readSettlementModes,
  type SettlementKind,
  type SettlementMode,
  selectSettlementMode,
  settlementModes,
} from '../facilitator/settlement.js'
export {
  type DecodeHeaderErrorType,
  type DecodeHeaderOptions,
  decodeHeader,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  decodeXPaymentHeader,
  type EncodeHeaderErrorType,
  encodeHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
  headerNames,
} from '../headers.js'
export {
  type FormatMoneyOptions,
  formatMoney,
  type ParseMoneyErrorType,
  type ParseMoneyOptions,
  type Price,
  parseAtomicAmount,
  parseMoney,
} from '../money.js'
export {
  getEvmChainId,
  type ParsedNetwork,
  type ParseNetworkErrorType,
  parseNetwork,
  toCaip2,
  toV1Network,
  type V1Network,
  v1Networks,
} from '../networks.js'
export {
  coreReasons,
  exactEvmReasons,
  legacyReasons,
  type Reason,
  reasons,
  specReasons,
  uptoEvmReasons,
} from '../reasons.js'
export {
  type ExactEvmAuthorization,
  type ExactEvmPayload,
  exactEvmAuthorizationSchema,
  exactEvmPayloadSchema,
} from '../schemas/exact-evm.js'
export {
  type Extension,
  type Extensions,
  extensionSchema,
  extensionsSchema,
  type PaymentIdentifierExtension,
  paymentIdentifierExtensionSchema,
  paymentIdentifierKey,
  paymentIdSchema,
} from '../schemas/extensions.js'
export {
  type SettleRequest,
  settleRequestSchema,
  type VerifyRequest,
  verifyRequestSchema,
} from '../schemas/facilitator.js'
export {
  type ExactPermit2Authorization,
  type ExactPermit2Payload,
  exactPermit2AuthorizationSchema,
  exactPermit2PayloadSchema,
  permit2TokenPermissionsSchema,
  type UptoPermit2Authorization,
  type UptoPermit2Payload,
  uptoPermit2AuthorizationSchema,
  uptoPermit2PayloadSchema,
} from '../schemas/permit2-evm.js'
export {
  addressSchema,
  isUint256String,
  nonEmptyStringSchema,
  recordSchema,
  uint256StringSchema,
} from '../schemas/primitives.js'
export {
  type SettlementState,
  type SettlementStatusResponse,
  settlementStates,
  settlementStatusListSchema,
  settlementStatusSchema,
} from '../schemas/status.js'
export {
  type PaymentPayloadV1,
  type PaymentRequiredV1,
  type PaymentRequirementsV1,
  paymentPayloadV1Schema,
  paymentRequiredV1Schema,
  paymentRequirementsV1Schema,
  type SupportedResponseV1,
  supportedResponseV1Schema,
} from '../schemas/v1.js'
export {
  caip2NetworkSchema,
  type PaymentPayload,
  type PaymentRequired,
  type PaymentRequirements,
  paymentPayloadSchema,
  paymentRequiredSchema,
  paymentRequirementsSchema,
  type ResourceInfo,
  resourceInfoSchema,
  type SettleResponse,
  type SupportedKind,
  type SupportedResponse,
  settleResponseSchema,
  supportedKindSchema,
  supportedResponseSchema,
  type VerifyResponse,
  verifyResponseSchema,
} from '../schemas/v2.js'
export {
  type ParsePaymentRequiredResponseParameters,
  type ParsePaymentRequiredResponseReturnType,
  parsePaymentRequiredResponse,
  requirementsFromV1,
  requirementsToV1,
  resourceFromV1,
} from '../version.js'
