// The x402 facilitator: local verification, a durable ledger and exactly-once, batched settlement.

export {
  type BalanceCache,
  type CachedBalance,
  type CreateBalanceCacheParameters,
  createBalanceCache,
} from '../chain/createBalanceCache.js'
export {
  type BlockEvent,
  type BlockHead,
  type BlockListener,
  type BlockWatcher,
  type CreateBlockWatcherParameters,
  createBlockWatcher,
} from '../chain/createBlockWatcher.js'
export {
  type ChainClient,
  type CreateChainClientParameters,
  createChainClient,
} from '../chain/createChainClient.js'
export type { FacilitatorChainConfig } from '../chain/createChainRuntime.js'
export type { ChainRuntime } from '../chain/types.js'
export {
  type CreateFacilitatorParameters,
  createFacilitator,
  type Facilitator,
  type FacilitatorHealth,
  type FacilitatorRequestBody,
  type SettlementStatus,
} from '../createFacilitator.js'
export {
  FacilitatorConfigError,
  type FacilitatorConfigErrorType,
  InvalidTransitionError,
  type InvalidTransitionErrorType,
  LedgerDriverError,
  type LedgerDriverErrorType,
} from '../errors.js'
export {
  type ApiKey,
  createFacilitatorApp,
  type FacilitatorApp,
  type FacilitatorHttpParameters,
} from '../http/createFacilitatorApp.js'
export {
  type Collector,
  type Counter,
  createMetricsRegistry,
  type Histogram,
  type Labels,
  type MetricsRegistry,
} from '../http/metrics.js'
export { createRateLimiter, type RateLimit, type RateLimiter } from '../http/rateLimit.js'
export {
  type ServeFacilitatorParameters,
  type ServeFacilitatorReturnType,
  serveFacilitator,
} from '../http/serveFacilitator.js'
export {
  type CreatePostgresLedgerParameters,
  createPostgresLedger,
  type PostgresPool,
  type PostgresQueryable,
} from '../ledger/createPostgresLedger.js'
export {
  type CreateSqliteLedgerParameters,
  createSqliteLedger,
} from '../ledger/createSqliteLedger.js'
export { formatKey, normalizeKey } from '../ledger/key.js'
export { allowedTransitions, canTransition, settlementStates } from '../ledger/states.js'
export type {
  AuthorizationKey,
  ClaimParameters,
  Ledger,
  LedgerWrite,
  LedgerWriteResult,
  ListParameters,
  NewTransaction,
  ReserveParameters,
  ReserveResult,
  SettlementEntry,
  SettlementPatch,
  SettlementRecord,
  SettlementState,
  TransactionPatch,
  TransactionRecord,
  TransactionState,
  TransitionRequest,
} from '../ledger/types.js'
export { batchSettlerAbi } from '../settlement/batchSettlerAbi.js'
export {
  type BroadcastResult,
  broadcastTransaction,
} from '../settlement/broadcastTransaction.js'
export {
  createFeeStrategy,
  type FeeStrategy,
  type FeeStrategyParameters,
  type Fees,
} from '../settlement/createFeeStrategy.js'
export { createNonceManager, type NonceManager } from '../settlement/createNonceManager.js'
export {
  createSettlementEvents,
  type SettlementEvents,
  settlementChannelName,
  type WaitForSettlementParameters,
  type WaitForSettlementReturnType,
} from '../settlement/createSettlementEvents.js'
export {
  createSettler,
  type Settler,
  type SettlerParameters,
  type SettlerStats,
} from '../settlement/createSettler.js'
export {
  type EncodeSettlementParameters,
  type EncodeSettlementReturnType,
  encodeSettlement,
  type SettlementGas,
  type SettlementItem,
  toExactEvmPayload,
} from '../settlement/encodeSettlement.js'
export {
  type ItemOutcome,
  readReceiptOutcomes,
  reasonOfRevert,
} from '../settlement/readReceiptOutcomes.js'
export {
  type AuthorizationOnChain,
  type ReconcileAuthorizationParameters,
  reconcileAuthorization,
} from '../settlement/reconcileAuthorization.js'
export {
  type SettlementMode,
  type SettlePaymentContext,
  type SettlePaymentParameters,
  type SettlePaymentReturnType,
  settlePayment,
} from '../settlement/settlePayment.js'
export { facilitatorReasons } from '../verify/reasons.js'
export {
  type VerifyAndReserveContext,
  type VerifyAndReserveParameters,
  type VerifyAndReserveReturnType,
  verifyAndReserve,
} from '../verify/verifyAndReserve.js'
