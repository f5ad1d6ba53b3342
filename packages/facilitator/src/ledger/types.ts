import type { SettlementState } from '@tollgate/core'
import type { Address, Hex } from 'viem'

// Where one authorization stands: core's `SettlementState` (`verified -> queued -> submitted ->
// confirmed`, or `released` / `failed`), the same names the status endpoint answers with.
export type { SettlementState }

/** The identity of an EIP-3009 authorization: one on-chain nonce of one payer on one token. */
export type AuthorizationKey = {
  chainId: number
  /** Token contract, lowercase. */
  asset: Address
  /** `authorization.from`, lowercase. */
  payer: Address
  /** `authorization.nonce`, lowercase 0x + 64 hex. */
  nonce: Hex
}

/**
 * The Permit2 terms of an authorization paid through the x402 Permit2 proxies (`undefined` for
 * EIP-3009): the scheme, the permitted amount (for `upto`, the most `value` may be), and the one
 * account an `upto` settlement may come from.
 */
export type Permit2Terms = {
  scheme: 'exact' | 'upto'
  permitted: bigint
  facilitator?: Address | undefined
}

/**
 * What the ledger stores about a new authorization: enough to submit it again after a restart. A
 * Permit2 one keys its uint256 nonce as 0x + 64 hex digits, under the token it moves; `value` is
 * what moves (for `upto`: the maximum while verified, the charge once queued).
 */
export type SettlementEntry = AuthorizationKey & {
  payee: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  signature: Hex
  /** The payment-identifier extension's id, when the payment carried one. */
  paymentId?: string | undefined
  /** Set for a payment through Permit2. */
  permit2?: Permit2Terms | undefined
}

/** A ledger row. */
export type SettlementRecord = SettlementEntry & {
  state: SettlementState
  /** A `verified` reservation lapses (counts as released) at this time, in ms. */
  holdUntil: number | undefined
  /** Hash of the transaction that carries (or carried) the transfer. */
  txHash: Hex | undefined
  /** Facilitator account that sent that transaction, lowercase. */
  sender: Address | undefined
  /** Account nonce of that transaction. */
  txNonce: number | undefined
  blockNumber: bigint | undefined
  blockHash: Hex | undefined
  /** Why the row failed (a wire reason string), or why it went back to `queued`. */
  reason: string | undefined
  /** Instance that holds the lease on the row, while it holds it. */
  owner: string | undefined
  leaseUntil: number | undefined
  /** Number of transactions that carried this authorization. */
  attempts: number
  /** Incremented by every write: a compare-and-set token. */
  version: number
  createdAt: number
  updatedAt: number
}

/** Fields a transition may set. `null` clears a field. */
export type SettlementPatch = {
  /** What moves: an `upto` row's charge, set when its settlement is asked for. */
  value?: bigint | undefined
  holdUntil?: number | null | undefined
  txHash?: Hex | null | undefined
  sender?: Address | null | undefined
  txNonce?: number | null | undefined
  blockNumber?: bigint | null | undefined
  blockHash?: Hex | null | undefined
  reason?: string | null | undefined
  owner?: string | null | undefined
  leaseUntil?: number | null | undefined
  /** Adds one to `attempts`. */
  incrementAttempts?: boolean | undefined
}

/** A compare-and-set transition: applies to the rows among `keys` whose state is one of `from`. */
export type TransitionRequest = {
  keys: readonly AuthorizationKey[]
  from: readonly SettlementState[]
  to: SettlementState
  set?: SettlementPatch | undefined
  /** Only rows whose lease this owner holds. */
  owner?: string | undefined
  /** Only rows currently carried by this transaction. */
  txHash?: Hex | undefined
}

/** The state of one of the facilitator's own transactions. */
export type TransactionState = 'pending' | 'mined' | 'dropped'

/** A transaction the facilitator signed: kept (with its raw bytes) so it can be broadcast again. */
export type TransactionRecord = {
  hash: Hex
  chainId: number
  sender: Address
  nonce: number
  raw: Hex
  state: TransactionState
  itemCount: number
  blockNumber: bigint | undefined
  blockHash: Hex | undefined
  createdAt: number
  updatedAt: number
}

/** A transaction to record, as signed. */
export type NewTransaction = Pick<
  TransactionRecord,
  'hash' | 'chainId' | 'sender' | 'nonce' | 'raw'
>

/** Fields of a transaction record a write may change. */
export type TransactionPatch = {
  state?: TransactionState | undefined
  blockNumber?: bigint | null | undefined
  blockHash?: Hex | null | undefined
}

/** One write: several transitions and a transaction change, committed together. */
export type LedgerWrite = {
  transitions?: readonly TransitionRequest[] | undefined
  insertTransaction?: NewTransaction | undefined
  updateTransaction?: { hash: Hex; set: TransactionPatch } | undefined
  /** All keys of every transition must match, or nothing is written. */
  atomic?: boolean | undefined
} & WriteDurability

/** What a {@link LedgerWrite} did. */
export type LedgerWriteResult = {
  /** False when `atomic` was asked and a key did not match (nothing was written). */
  ok: boolean
  /** The rows as written. */
  records: SettlementRecord[]
}

/** How a new authorization is reserved, and the checks it must pass. */
export type ReserveParameters = {
  /** `verified` from `/verify`; `queued` from a `/settle` that had no prior `/verify`. */
  state: 'verified' | 'queued'
  /** How long a `verified` reservation holds, in ms. */
  holdMs?: number | undefined
  /**
   * The payer's token balance as last read. The reservation is refused when the payer's open
   * reservations plus this value exceed it.
   */
  balance?: bigint | undefined
  /**
   * The block `balance` was read at: rows confirmed in later blocks are not in `balance` yet, so
   * they still count as reserved.
   */
  balanceBlock?: bigint | undefined
  /** Most the payer may have open (reserved, queued or submitted) at once. */
  exposureCap?: bigint | undefined
} & WriteDurability

/**
 * Whether a write must be on disk before it is answered. `false` is for a write nothing has been
 * promised on yet (a hold, a queued row no one was told about): the ledger may then commit it
 * without waiting for the disk, so that it survives a crash of the process but may be lost with
 * the machine's power or the database server, though never after a later durable write (both
 * ledgers log in order). A ledger may treat every write as durable.
 */
export type WriteDurability = {
  /** @default true */
  durable?: boolean | undefined
}

/** The outcome of a reservation. */
export type ReserveResult =
  | { status: 'reserved'; record: SettlementRecord }
  /** The key is held by a live row (any state but `released`, or a lapsed `verified`). */
  | { status: 'exists'; record: SettlementRecord }
  | { status: 'insufficient_balance'; reserved: bigint }
  | { status: 'exposure_cap'; exposure: bigint }

/** Which queued rows a worker leases, and for how long. */
export type ClaimParameters = {
  chainId: number
  owner: string
  limit: number
  leaseMs: number
} & WriteDurability

/** Which rows `list` returns. */
export type ListParameters = {
  chainId?: number | undefined
  states: readonly SettlementState[]
  /** Only rows whose hold ended before this time (ms): lapsed `verified` reservations. */
  holdBefore?: number | undefined
  /**
   * Only rows whose transaction is neither `pending` nor `mined` (or not in the ledger): rows left
   * `submitted` on a transaction that is gone, which a start resolves against the chain.
   */
  orphaned?: boolean | undefined
  limit?: number | undefined
}

/**
 * The settlement ledger: the durable state of every authorization the facilitator has seen. Every
 * method that changes a row is a compare-and-set on its current state, committed in one write, so
 * two workers (or two facilitator instances on one database) can never both take a row.
 */
export type Ledger = {
  /** What stores it: `'sqlite'` and `'postgres'` here; another ledger names its own. */
  readonly kind: 'sqlite' | 'postgres' | (string & {})
  /**
   * Whether a commit outlives this process (false for an in-memory SQLite database). A `queued`
   * answer is only honest on a durable ledger, so `/supported` offers `queued` only then.
   * @default true
   */
  readonly durable?: boolean | undefined
  /**
   * Records a new authorization (or takes back a released one), atomically with the payer's
   * balance and exposure checks.
   */
  reserve(entry: SettlementEntry, parameters: ReserveParameters): Promise<ReserveResult>
  get(key: AuthorizationKey): Promise<SettlementRecord | undefined>
  getByPaymentId(paymentId: string): Promise<SettlementRecord[]>
  listByTransaction(hash: Hex): Promise<SettlementRecord[]>
  list(parameters: ListParameters): Promise<SettlementRecord[]>
  /** Sum of the payer's open reservations (what `reserve` checks against the balance). */
  reserved(
    key: Pick<AuthorizationKey, 'chainId' | 'asset' | 'payer'>,
    parameters?: { balanceBlock?: bigint | undefined },
  ): Promise<bigint>
  /** One compare-and-set transition; returns the rows it changed. */
  transition(request: TransitionRequest, options?: WriteDurability): Promise<SettlementRecord[]>
  /** Several transitions and a transaction change in one commit. */
  write(write: LedgerWrite): Promise<LedgerWriteResult>
  /**
   * Leases up to `limit` queued rows of a chain to `owner` (rows with no live lease, earliest
   * deadline first).
   */
  claim(parameters: ClaimParameters): Promise<SettlementRecord[]>
  getTransaction(hash: Hex): Promise<TransactionRecord | undefined>
  listTransactions(parameters: {
    chainId: number
    states: readonly TransactionState[]
    sender?: Address | undefined
    /** Only transactions at this account nonce (with `sender`: one nonce's replacements). */
    nonce?: number | undefined
    /** Only transactions mined above this block. */
    minBlock?: bigint | undefined
  }): Promise<TransactionRecord[]>
  /** Highest account nonce of a transaction the ledger holds that is not `dropped`. */
  lastTransactionNonce(parameters: {
    chainId: number
    sender: Address
  }): Promise<number | undefined>
  /** Row counts per state (for metrics). */
  counts(): Promise<Record<SettlementState, number>>
  close(): Promise<void>
}
