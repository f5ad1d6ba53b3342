// The x402 facilitator: local verification, a durable ledger and exactly-once, batched settlement.
// What operators call and read; the machinery (settler, nonce manager, encoders, ledger writes)
// stays internal.

export type { FacilitatorChainConfig } from '../chain/createChainRuntime.js'
export type { ChainRuntime } from '../chain/types.js'
export {
  type CreateFacilitatorErrorType,
  type CreateFacilitatorParameters,
  createFacilitator,
  type Facilitator,
  type FacilitatorHealth,
} from '../createFacilitator.js'
export {
  FacilitatorClosedError,
  type FacilitatorClosedErrorType,
  FacilitatorConfigError,
  type FacilitatorConfigErrorType,
  FacilitatorListenError,
  type FacilitatorListenErrorType,
  FacilitatorRequestError,
  type FacilitatorRequestErrorType,
  InvalidSettlementBatchError,
  type InvalidSettlementBatchErrorType,
  InvalidTransitionError,
  type InvalidTransitionErrorType,
  LedgerConflictError,
  type LedgerConflictErrorType,
  LedgerDriverError,
  type LedgerDriverErrorType,
  LedgerOpenError,
  type LedgerOpenErrorType,
} from '../errors.js'
export type {
  ApiKey,
  FacilitatorApp,
  FacilitatorHttpParameters,
} from '../http/createFacilitatorApp.js'
export type { Collector, Counter, Histogram, Labels, MetricsRegistry } from '../http/metrics.js'
export type { RateLimit } from '../http/rateLimit.js'
export {
  type ServeFacilitatorErrorType,
  type ServeFacilitatorParameters,
  type ServeFacilitatorReturnType,
  serveFacilitator,
} from '../http/serveFacilitator.js'
export {
  type CreatePostgresLedgerErrorType,
  type CreatePostgresLedgerParameters,
  createPostgresLedger,
  type PostgresPool,
  type PostgresQueryable,
} from '../ledger/createPostgresLedger.js'
export {
  type CreateSqliteLedgerErrorType,
  type CreateSqliteLedgerParameters,
  createSqliteLedger,
} from '../ledger/createSqliteLedger.js'
export type {
  AuthorizationKey,
  Ledger,
  SettlementEntry,
  SettlementRecord,
  TransactionRecord,
  TransactionState,
  WriteDurability,
} from '../ledger/types.js'
export type { FeeStrategyParameters } from '../settlement/createFeeStrategy.js'
export { settlementChannelName } from '../settlement/createSettlementEvents.js'
export type { Settler, SettlerStats } from '../settlement/createSettler.js'
export type { SettlementGas } from '../settlement/encodeSettlement.js'
export type { SettlementStatus } from '../toSettlementStatus.js'
export { facilitatorReasons } from '../verify/reasons.js'
