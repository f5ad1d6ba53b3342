export { diagnosticChannels } from '../diagnostics.js'
export type {
  BodyNotReplayableErrorType,
  BudgetExceededErrorType,
  BudgetRefusal,
  InvalidChallengeErrorType,
  InvalidReceiptLogErrorType,
  PolicyGuard,
  PolicyRefusedErrorType,
  Refusal,
} from '../errors.js'
export {
  BodyNotReplayableError,
  BudgetExceededError,
  InvalidChallengeError,
  InvalidReceiptLogError,
  PolicyRefusedError,
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
  Policy,
  PolicyParameters,
  SelectContext,
  Selector,
} from '../policy/createPolicy.js'
export { createPolicy, isPolicy } from '../policy/createPolicy.js'
export type { Limit } from '../policy/limit.js'
export { createFileReceiptLog } from '../receipts/createFileReceiptLog.js'
export type { Receipt, ReceiptStatus } from '../receipts/receipt.js'
export { parseReceipt, serializeReceipt } from '../receipts/receipt.js'
export type { ReceiptLog } from '../receipts/receiptLog.js'
export { createMemoryReceiptLog } from '../receipts/receiptLog.js'
export type { FetchLike, WrapFetchParameters, WrapFetchReturnType } from '../wrapFetch.js'
export { getReceipt, wrapFetch } from '../wrapFetch.js'
