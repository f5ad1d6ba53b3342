// ERC-8004 agent identities for x402: register, resolve, verify payees, discover agents, give
// payment-backed feedback and request validations.

// One class each for the whole of Tollgate: a malformed agent reference is core's error, a missing
// account evm's. Identity throws them and re-exports them for its users.
export { InvalidAgentReferenceError, type InvalidAgentReferenceErrorType } from '@tollgate/core'
export { AccountNotFoundError, type AccountNotFoundErrorType } from '@tollgate/evm'
export {
  type AgentIdInput,
  type AgentLocator,
  type AgentRegistry,
  formatAgentRegistry,
  parseAgentRegistry,
} from '../agentRegistry.js'
export {
  type AppendResponseErrorType,
  type AppendResponseParameters,
  type AppendResponseReturnType,
  appendResponse,
  type ResponseDocument,
} from '../appendResponse.js'
export {
  type CheckPayeeErrorType,
  type CheckPayeeParameters,
  type CheckPayeeReturnType,
  checkPayee,
} from '../checkPayee.js'
export {
  type CreatePayeeVerifierParameters,
  createPayeeVerifier,
  type PayeeVerification,
  type PayeeVerifier,
  type PayeeVerifierContext,
  type PayeeVerifierErrorType,
} from '../createPayeeVerifier.js'
export {
  AccountCannotSignError,
  type AccountCannotSignErrorType,
  AgentDomainNotVerifiedError,
  type AgentDomainNotVerifiedErrorType,
  AgentNotFoundError,
  type AgentNotFoundErrorType,
  EmptyClientListError,
  type EmptyClientListErrorType,
  FetchDocumentError,
  type FetchDocumentErrorType,
  type FetchDocumentFailure,
  InvalidDeadlineError,
  type InvalidDeadlineErrorType,
  InvalidFeedbackFileError,
  type InvalidFeedbackFileErrorType,
  InvalidFeedbackValueError,
  type InvalidFeedbackValueErrorType,
  InvalidPaymentReceiptError,
  type InvalidPaymentReceiptErrorType,
  InvalidRegistrationFileError,
  type InvalidRegistrationFileErrorType,
  InvalidValidationResponseError,
  type InvalidValidationResponseErrorType,
  PayeeContextIncompleteError,
  type PayeeContextIncompleteErrorType,
  type PayeeContextMissing,
  PayeeMismatchError,
  type PayeeMismatchErrorType,
  type PayeeMismatchReason,
  RegistrationIncompleteError,
  type RegistrationIncompleteErrorType,
  RegistryChainMismatchError,
  type RegistryChainMismatchErrorType,
  TransactionRevertedError,
  type TransactionRevertedErrorType,
  UnsupportedPublishTargetError,
  type UnsupportedPublishTargetErrorType,
  ValidationRequestNotFoundError,
  type ValidationRequestNotFoundErrorType,
} from '../errors.js'
export {
  type FeedbackFile,
  feedbackFileSchema,
  type ProofOfPayment,
  type ProofOfPaymentInput,
  proofOfPaymentSchema,
} from '../feedbackFile.js'
export {
  type FeedbackValue,
  fromFeedbackValue,
  maxFeedbackValue,
  maxFeedbackValueDecimals,
  toFeedbackValue,
} from '../feedbackValue.js'
export type { FetchDocumentParameters, FetchedDocument } from '../fetchDocument.js'
export {
  type FindAgentsErrorType,
  type FindAgentsFilter,
  type FindAgentsParameters,
  type FindAgentsReturnType,
  type FoundAgent,
  findAgents,
} from '../findAgents.js'
export {
  type AgentWalletTypedData,
  type GetAgentWalletTypedDataErrorType,
  type GetAgentWalletTypedDataParameters,
  type GetAgentWalletTypedDataReturnType,
  getAgentWalletTypedData,
} from '../getAgentWalletTypedData.js'
export {
  type GetReputationSummaryErrorType,
  type GetReputationSummaryParameters,
  type GetReputationSummaryReturnType,
  getReputationSummary,
} from '../getReputationSummary.js'
export {
  type GetValidationStatusErrorType,
  type GetValidationStatusParameters,
  type GetValidationStatusReturnType,
  getValidationStatus,
} from '../getValidationStatus.js'
export {
  type GetValidationSummaryParameters,
  type GetValidationSummaryReturnType,
  getValidationSummary,
} from '../getValidationSummary.js'
export {
  type FeedbackDocument,
  type GiveFeedbackErrorType,
  type GiveFeedbackParameters,
  type GiveFeedbackReturnType,
  giveFeedback,
} from '../giveFeedback.js'
export {
  type GiveFeedbackForPaymentErrorType,
  type GiveFeedbackForPaymentParameters,
  type GiveFeedbackForPaymentReturnType,
  giveFeedbackForPayment,
  type PaymentReceipt,
  toProofOfPayment,
} from '../giveFeedbackForPayment.js'
export type { Publish } from '../publish.js'
export {
  type ReadAgentFromChallengeErrorType,
  type ReadAgentFromChallengeReturnType,
  readAgentFromChallenge,
} from '../readAgentFromChallenge.js'
export {
  type FeedbackEvent,
  type ReadFeedbackErrorType,
  type ReadFeedbackParameters,
  type ReadFeedbackReturnType,
  readFeedback,
} from '../readFeedback.js'
export {
  type RegisterAgentErrorType,
  type RegisterAgentParameters,
  type RegisterAgentReturnType,
  type RegistrationDocument,
  registerAgent,
} from '../registerAgent.js'
export {
  type AgentEndpoint,
  type CreateRegistrationFileParameters,
  createRegistrationFile,
  hasRegistration,
  parseRegistrationFile,
  type RegistrationEntry,
  type RegistrationFile,
  type RegistrationService,
  registrationEntrySchema,
  registrationFileSchema,
  registrationServiceSchema,
  type SupportedTrust,
} from '../registrationFile.js'
export {
  type RequestValidationErrorType,
  type RequestValidationParameters,
  type RequestValidationReturnType,
  requestValidation,
  type ValidationRequestDocument,
} from '../requestValidation.js'
export {
  type AgentFlags,
  type ResolveAgentErrorType,
  type ResolveAgentParameters,
  type ResolvedAgent,
  resolveAgent,
} from '../resolveAgent.js'
export {
  type RespondToValidationErrorType,
  type RespondToValidationParameters,
  type RespondToValidationReturnType,
  respondToValidation,
} from '../respondToValidation.js'
export {
  type RevokeFeedbackErrorType,
  type RevokeFeedbackParameters,
  type RevokeFeedbackReturnType,
  revokeFeedback,
} from '../revokeFeedback.js'
export {
  type SetAgentUriErrorType,
  type SetAgentUriParameters,
  type SetAgentUriReturnType,
  setAgentUri,
} from '../setAgentUri.js'
export {
  type AgentWalletSigner,
  type SetAgentWalletErrorType,
  type SetAgentWalletParameters,
  type SetAgentWalletReturnType,
  setAgentWallet,
} from '../setAgentWallet.js'
export {
  type DomainVerificationFailure,
  type VerifyAgentDomainParameters,
  type VerifyAgentDomainReturnType,
  verifyAgentDomain,
} from '../verifyAgentDomain.js'
