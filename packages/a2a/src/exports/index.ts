// The a2a-x402 extension's names and shapes, shared by the merchant (`@tollgate/a2a/server`) and
// the client (`@tollgate/a2a/client`).

export { type X402ErrorCode, x402ErrorCodes } from '../errorCodes.js'
export {
  PaidSkillConfigurationError,
  type PaidSkillConfigurationErrorType,
  TaskPaymentError,
  type TaskPaymentErrorType,
} from '../errors.js'
export {
  type DeclareX402ExtensionParameters,
  declareX402Extension,
  isX402ExtensionUri,
  type X402ExtensionDeclaration,
  type X402ExtensionVersion,
  x402ExtensionUris,
} from '../extension.js'
export {
  readPaymentStatus,
  type X402PaymentStatus,
  x402MetadataKeys,
  x402PaymentStatuses,
} from '../metadata.js'
