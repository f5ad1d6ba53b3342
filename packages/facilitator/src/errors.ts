import { BaseError } from '@tollgate/core'

/** The type of {@link InvalidTransitionError}. */
export type InvalidTransitionErrorType = InvalidTransitionError & { name: 'InvalidTransitionError' }

/** A ledger transition the settlement state machine does not allow (a bug in the caller). */
export class InvalidTransitionError extends BaseError {
  override name = 'InvalidTransitionError' as const
  /** The row's state, or `'?'` when a transition names no source state. */
  from: string
  to: string

  constructor({ from, to }: { from: string; to: string }) {
    super(`The settlement state machine does not allow "${from}" -> "${to}".`, {
      code: 'TOLLGATE_LEDGER_TRANSITION',
      metaMessages: [`From: ${from}`, `To: ${to}`],
      docsPath: '/concepts/settlement#the-state-machine',
    })
    this.from = from
    this.to = to
  }
}

/** The type of {@link LedgerDriverError}. */
export type LedgerDriverErrorType = LedgerDriverError & { name: 'LedgerDriverError' }

/** The database driver of a ledger is not installed. */
export class LedgerDriverError extends BaseError {
  override name = 'LedgerDriverError' as const
  /** The npm package the ledger needs (`better-sqlite3`, `pg`). */
  driver: string

  constructor({ driver, cause }: { driver: string; cause?: unknown }) {
    super(`The ledger needs the "${driver}" package: install it beside @tollgate/facilitator.`, {
      code: 'TOLLGATE_LEDGER_DRIVER',
      cause,
      docsPath: '/getting-started/facilitator-operators#1-install',
    })
    this.driver = driver
  }
}

/** The type of {@link LedgerOpenError}. */
export type LedgerOpenErrorType = LedgerOpenError & { name: 'LedgerOpenError' }

/** The ledger's database could not be opened or its tables created (the driver's error is `cause`). */
export class LedgerOpenError extends BaseError {
  override name = 'LedgerOpenError' as const
  /** `sqlite` or `postgres`. */
  kind: string

  constructor({ kind, cause }: { kind: string; cause: unknown }) {
    super(`The ${kind} ledger could not be opened.`, {
      code: 'TOLLGATE_LEDGER_OPEN',
      cause,
      docsPath: '/operations/databases',
    })
    this.kind = kind
  }
}

/** The type of {@link FacilitatorListenError}. */
export type FacilitatorListenErrorType = FacilitatorListenError & { name: 'FacilitatorListenError' }

/** `serveFacilitator` could not listen (the port is taken, the host is not this machine's, ...). */
export class FacilitatorListenError extends BaseError {
  override name = 'FacilitatorListenError' as const
  host: string
  port: number

  constructor({ host, port, cause }: { host: string; port: number; cause: unknown }) {
    super(`The facilitator could not listen on ${host}:${port}.`, {
      code: 'TOLLGATE_FACILITATOR_LISTEN',
      cause,
    })
    this.host = host
    this.port = port
  }
}

/** The type of {@link LedgerConflictError}. */
export type LedgerConflictErrorType = LedgerConflictError & { name: 'LedgerConflictError' }

/** Other writers changed a ledger row under a write, again and again: try the request again. */
export class LedgerConflictError extends BaseError {
  override name = 'LedgerConflictError' as const
  /** The ledger method that gave up. */
  operation: string
  attempts: number

  constructor({ operation, attempts }: { operation: string; attempts: number }) {
    super(`The ledger row changed under ${operation} ${attempts} times in a row.`, {
      code: 'TOLLGATE_LEDGER_CONFLICT',
      docsPath: '/operations/databases',
    })
    this.operation = operation
    this.attempts = attempts
  }
}

/** The type of {@link FacilitatorConfigError}. */
export type FacilitatorConfigErrorType = FacilitatorConfigError & {
  name: 'FacilitatorConfigError'
}

/** The facilitator's configuration is unusable (no chain, a chain without an RPC URL, ...). */
export class FacilitatorConfigError extends BaseError {
  override name = 'FacilitatorConfigError' as const
  /** The option at fault: `chains`, `rpcUrls`, `signers`, `assets`. */
  field: string
  /** What is wrong with it. */
  reason: string
  /** The chain the option belongs to, when it is a chain's. */
  chainId: number | undefined

  constructor({
    field,
    reason,
    chainId,
    hint,
  }: {
    field: string
    reason: string
    chainId?: number | undefined
    /** What to do about it. */
    hint?: string | undefined
  }) {
    super(chainId === undefined ? reason : `Chain ${chainId}: ${reason}`, {
      code: 'TOLLGATE_FACILITATOR_CONFIG',
      metaMessages: [`Option: ${field}`, ...(hint ? [hint] : [])],
      docsPath: '/getting-started/facilitator-operators#2-create-and-serve-it',
    })
    this.field = field
    this.reason = reason
    this.chainId = chainId
  }
}

/** The type of {@link FacilitatorClosedError}. */
export type FacilitatorClosedErrorType = FacilitatorClosedError & { name: 'FacilitatorClosedError' }

/** The facilitator was closed: it does not start again (create a new one). */
export class FacilitatorClosedError extends BaseError {
  override name = 'FacilitatorClosedError' as const

  constructor() {
    super('The facilitator is closed.', {
      code: 'TOLLGATE_FACILITATOR_CLOSED',
      metaMessages: ['`close()` is final: create a new facilitator to serve again.'],
      docsPath: '/operations/lifecycle',
    })
  }
}

/** The type of {@link FacilitatorRequestError}. */
export type FacilitatorRequestErrorType = FacilitatorRequestError & {
  name: 'FacilitatorRequestError'
}

/**
 * A request to the facilitator's HTTP API failed inside the facilitator (a ledger or RPC failure);
 * the client got a 5xx. Handed to `onError`, with the failure as `cause`.
 */
export class FacilitatorRequestError extends BaseError {
  override name = 'FacilitatorRequestError' as const
  /** The route that failed: `verify`, `settle`, `settlements`, `health`, ... */
  route: string
  /** The HTTP status the client was answered. */
  status: number

  constructor({ route, status, cause }: { route: string; status: number; cause: unknown }) {
    super(`The facilitator failed to answer ${route} (HTTP ${status}).`, {
      code: 'TOLLGATE_FACILITATOR_REQUEST',
      cause,
      docsPath: '/operations/metrics',
    })
    this.route = route
    this.status = status
  }
}

/** The type of {@link InvalidSettlementBatchError}. */
export type InvalidSettlementBatchErrorType = InvalidSettlementBatchError & {
  name: 'InvalidSettlementBatchError'
}

/** A settlement transaction was asked for items it cannot carry together (a bug in the settler). */
export class InvalidSettlementBatchError extends BaseError {
  override name = 'InvalidSettlementBatchError' as const
  /** Why: `no items`, `a batch needs a batch settler`, `a batch mixes signature kinds`. */
  reason: string
  /** How many authorizations were given. */
  size: number

  constructor({ reason, size }: { reason: string; size: number }) {
    super(`A settlement transaction cannot be built: ${reason}.`, {
      code: 'TOLLGATE_SETTLEMENT_BATCH',
      metaMessages: [`Authorizations: ${size}`],
    })
    this.reason = reason
    this.size = size
  }
}
