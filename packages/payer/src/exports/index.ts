export {
  type CreatePayerParameters,
  createPayer,
  type Payer,
} from '../createPayer.js'
export {
  type DiagnosticChannels,
  diagnosticChannels,
} from '../diagnostics.js'
export { InvalidChallengeError, type InvalidChallengeErrorType } from '../errors/challenge.js'
export {
  BudgetExceededError,
  type BudgetExceededErrorType,
  type BudgetRefusal,
  InvalidPolicyError,
  type InvalidPolicyErrorType,
  type PolicyGuard,
  PolicyRefusedError,
  type PolicyRefusedErrorType,
  RateLimitedError,
  type RateLimitedErrorType,
  type RateLimitRefusal,
  type Refusal,
} from '../errors/policy.js'
export {
  InvalidPurchaseError,
  type InvalidPurchaseErrorType,
  PurchaseIndeterminateError,
  type PurchaseIndeterminateErrorType,
  PurchaseNotFoundError,
  type PurchaseNotFoundErrorType,
} from '../errors/purchase.js'
export {
  InvalidReceiptError,
  type InvalidReceiptErrorType,
  InvalidReceiptLogError,
  type InvalidReceiptLogErrorType,
} from '../errors/receiptLog.js'
export type { Answer, Attempt } from '../payer/attempt.js'
export type { PayErrorType, PayerCall, PayParameters } from '../payer/call.js'
export type { PaymentSource } from '../payer/newPayment.js'
export type { CancelPurchaseParameters, Purchases } from '../payer/purchases.js'
export {
  readSettlementValue,
  type SettlementReading,
} from '../payment/settlementReading.js'
export type {
  BudgetParameters,
  BudgetUsage,
  Reservation,
} from '../policy/budget.js'
export type { Candidate, Challenge } from '../policy/candidate.js'
export {
  type AssetRule,
  type CreatePolicyErrorType,
  createPolicy,
  defaultBudgets,
  type ExpectPrice,
  type ExpectPriceContext,
  type HeldPayment,
  isPolicy,
  type PayeeRule,
  type Policy,
  type PolicyParameters,
  type SelectContext,
  type Selector,
} from '../policy/createPolicy.js'
export type { NamedAgent, VerifyPayee, VerifyPayeeContext } from '../policy/identity.js'
export type { Limit, LimitAsset } from '../policy/limit.js'
export type { PriceList } from '../policy/prices.js'
export type { ResourceBinding } from '../policy/resource.js'
export type { ReconcileParameters } from '../purchases/inspectAuthorization.js'
export {
  type PurchaseIdentity,
  type PurchaseOptions,
  resolvePurchase,
  toPaymentId,
} from '../purchases/purchaseIdentity.js'
export { listPurchases } from '../receipts/listPurchases.js'
export {
  type DisputeReason,
  parseReceipt,
  type Receipt,
  type ReceiptStatus,
  type Reconciliation,
  type ResignReason,
  serializeReceipt,
} from '../receipts/receipt.js'
export { createMemoryReceiptLog, type ReceiptLog } from '../receipts/receiptLog.js'
