export { diagnosticChannels } from '../diagnostics.js'
export type {
  BodyNotReplayableErrorType,
  BudgetExceededErrorType,
  BudgetRefusal,
  InvalidChallengeErrorType,
  InvalidReceiptLogErrorType,
  PolicyGuard,
  PolicyRefusedErrorType,
  PurchaseIndeterminateErrorType,
  PurchaseNotFoundErrorType,
  RateLimitedErrorType,
  RateLimitRefusal,
  Refusal,
} from '../errors.js'
export {
  BodyNotReplayableError,
  BudgetExceededError,
  InvalidChallengeError,
  InvalidReceiptLogError,
  PolicyRefusedError,
  PurchaseIndeterminateError,
  PurchaseNotFoundError,
  RateLimitedError,
} from '../errors.js'
export type {
  BudgetLedger,
  BudgetParameters,
  BudgetUsage,
  Reservation,
} from '../policy/budget.js'
export { createBudgetLedger } from '../policy/budget.js'
export type { Candidate, Challenge } from '../policy/candidate.js'
export { toCandidates } from '../policy/candidate.js'
export type {
  AssetRule,
  Authorization,
  AuthorizeParameters,
  ExpectPrice,
  ExpectPriceContext,
  HeldPayment,
  PayeeRule,
  Policy,
  PolicyParameters,
  Preparation,
  SelectContext,
  Selector,
} from '../policy/createPolicy.js'
export { createPolicy, defaultBudgets, isPolicy } from '../policy/createPolicy.js'
export type { PayeeVerification } from '../policy/guards.js'
export type {
  AgentClaim,
  AgentIdentity,
  VerifyPayee,
  VerifyPayeeContext,
} from '../policy/identity.js'
export { agentIdentityExtension, readAgentIdentity } from '../policy/identity.js'
export type { Limit } from '../policy/limit.js'
export type { PriceExpectation, PriceList } from '../policy/prices.js'
export type { ResourceBinding } from '../policy/resource.js'
export type { CancelAuthorizationParameters } from '../purchases/cancelAuthorization.js'
export { cancelAuthorization } from '../purchases/cancelAuthorization.js'
export type {
  AuthorizationFinding,
  ReconcileOptions,
} from '../purchases/inspectAuthorization.js'
export type {
  PurchaseIdentity,
  PurchaseInit,
  PurchaseOptions,
} from '../purchases/purchaseIdentity.js'
export { readPurchaseIdentity, toPaymentId } from '../purchases/purchaseIdentity.js'
export { createFileReceiptLog } from '../receipts/createFileReceiptLog.js'
export { latestByPurchase, listPurchases } from '../receipts/listPurchases.js'
export type {
  DisputeReason,
  Receipt,
  ReceiptStatus,
  Reconciliation,
  ResignReason,
} from '../receipts/receipt.js'
export { parseReceipt, purchaseOf, serializeReceipt } from '../receipts/receipt.js'
export type { ReceiptLog } from '../receipts/receiptLog.js'
export { createMemoryReceiptLog } from '../receipts/receiptLog.js'
export type {
  CancelPurchaseParameters,
  FetchLike,
  Purchases,
  WrapFetchParameters,
  WrapFetchReturnType,
} from '../wrapFetch.js'
export { getReceipt, wrapFetch } from '../wrapFetch.js'
