import type { Address, Hex } from 'viem'
import { InvalidTransitionError } from '../errors.js'
import { canTransition, isSettlementState } from './states.js'
import type {
  Permit2Terms,
  SettlementPatch,
  SettlementRecord,
  SettlementState,
  TransactionPatch,
  TransactionRecord,
  TransactionState,
  TransitionRequest,
} from './types.js'

// Both drivers hand back rows with these column names; SQLite gives numbers and text, PostgreSQL
// gives strings for NUMERIC and BIGINT, so every conversion accepts both.
type Scalar = string | number | bigint | null

/** A `tollgate_settlements` row as a driver returns it. */
export type SettlementRow = {
  chain_id: Scalar
  asset: string
  payer: string
  nonce: string
  state: string
  payee: string
  value: Scalar
  valid_after: Scalar
  valid_before: Scalar
  signature: string
  payment_id: string | null
  /** JSON of the Permit2 terms, `NULL` for EIP-3009 (a column added after the first release). */
  permit2?: string | null | undefined
  hold_until: Scalar
  tx_hash: string | null
  sender: string | null
  tx_nonce: Scalar
  block_number: Scalar
  block_hash: string | null
  reason: string | null
  owner: string | null
  lease_until: Scalar
  attempts: Scalar
  version: Scalar
  created_at: Scalar
  updated_at: Scalar
}

/** A `tollgate_transactions` row as a driver returns it. */
export type TransactionRow = {
  hash: string
  chain_id: Scalar
  sender: string
  nonce: Scalar
  raw: string
  state: string
  item_count: Scalar
  block_number: Scalar
  block_hash: string | null
  created_at: Scalar
  updated_at: Scalar
}

function toNumber(value: Scalar): number | undefined {
  return value === null ? undefined : Number(value)
}

function toBigInt(value: Scalar): bigint | undefined {
  return value === null ? undefined : BigInt(value)
}

/** Maps a driver row to a {@link SettlementRecord}. */
export function toSettlementRecord(row: SettlementRow): SettlementRecord {
  return {
    chainId: Number(row.chain_id),
    asset: row.asset as Address,
    payer: row.payer as Address,
    nonce: row.nonce as Hex,
    state: row.state as SettlementState,
    payee: row.payee as Address,
    value: BigInt(row.value ?? 0),
    validAfter: BigInt(row.valid_after ?? 0),
    validBefore: BigInt(row.valid_before ?? 0),
    signature: row.signature as Hex,
    paymentId: row.payment_id ?? undefined,
    permit2: parsePermit2(row.permit2),
    holdUntil: toNumber(row.hold_until),
    txHash: (row.tx_hash ?? undefined) as Hex | undefined,
    sender: (row.sender ?? undefined) as Address | undefined,
    txNonce: toNumber(row.tx_nonce),
    blockNumber: toBigInt(row.block_number),
    blockHash: (row.block_hash ?? undefined) as Hex | undefined,
    reason: row.reason ?? undefined,
    owner: row.owner ?? undefined,
    leaseUntil: toNumber(row.lease_until),
    attempts: Number(row.attempts ?? 0),
    version: Number(row.version ?? 0),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

/** The `permit2` column of an entry: its terms as JSON (amounts as decimal strings), or `NULL`. */
export function permit2Column(terms: Permit2Terms | undefined): string | null {
  if (!terms) return null
  return JSON.stringify({
    scheme: terms.scheme,
    permitted: terms.permitted.toString(),
    ...(terms.facilitator ? { facilitator: terms.facilitator.toLowerCase() } : {}),
  })
}

function parsePermit2(column: string | null | undefined): Permit2Terms | undefined {
  if (!column) return undefined
  const parsed = JSON.parse(column) as {
    scheme: 'exact' | 'upto'
    permitted: string
    facilitator?: string
  }
  return {
    scheme: parsed.scheme,
    permitted: BigInt(parsed.permitted),
    ...(parsed.facilitator ? { facilitator: parsed.facilitator as Address } : {}),
  }
}

/** Maps a driver row to a {@link TransactionRecord}. */
export function toTransactionRecord(row: TransactionRow): TransactionRecord {
  return {
    hash: row.hash as Hex,
    chainId: Number(row.chain_id),
    sender: row.sender as Address,
    nonce: Number(row.nonce),
    raw: row.raw as Hex,
    state: row.state as TransactionState,
    itemCount: Number(row.item_count),
    blockNumber: toBigInt(row.block_number),
    blockHash: (row.block_hash ?? undefined) as Hex | undefined,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

/**
 * `validBefore` as a number of seconds for ordering and expiry queries; a uint256 deadline far in
 * the future is clamped, which keeps its meaning (it never expires).
 */
export function expiresAt(validBefore: bigint): number {
  return validBefore > BigInt(Number.MAX_SAFE_INTEGER)
    ? Number.MAX_SAFE_INTEGER
    : Number(validBefore)
}

/** Column name and value of each field a patch sets, in a stable order (for statement caches). */
export function patchColumns(
  patch: SettlementPatch | undefined,
): { column: string; value: string | number | null }[] {
  if (!patch) return []
  const columns: { column: string; value: string | number | null }[] = []
  const add = (column: string, value: unknown, map: (v: never) => string | number) => {
    if (value === undefined) return
    columns.push({ column, value: value === null ? null : map(value as never) })
  }
  add('value', patch.value, (v: bigint) => v.toString())
  add('hold_until', patch.holdUntil, (v: number) => v)
  add('tx_hash', patch.txHash, (v: string) => v.toLowerCase())
  add('sender', patch.sender, (v: string) => v.toLowerCase())
  add('tx_nonce', patch.txNonce, (v: number) => v)
  add('block_number', patch.blockNumber, (v: bigint) => v.toString())
  add('block_hash', patch.blockHash, (v: string) => v.toLowerCase())
  add('reason', patch.reason, (v: string) => v)
  add('owner', patch.owner, (v: string) => v)
  add('lease_until', patch.leaseUntil, (v: number) => v)
  return columns
}

/** Column name and value of each field a transaction patch sets. */
export function transactionPatchColumns(
  patch: TransactionPatch,
): { column: string; value: string | number | null }[] {
  const columns: { column: string; value: string | number | null }[] = []
  if (patch.state !== undefined) columns.push({ column: 'state', value: patch.state })
  if (patch.blockNumber !== undefined)
    columns.push({ column: 'block_number', value: patch.blockNumber?.toString() ?? null })
  if (patch.blockHash !== undefined)
    columns.push({ column: 'block_hash', value: patch.blockHash?.toLowerCase() ?? null })
  return columns
}

/** Throws unless every `from -> to` of the request is a transition the state machine allows. */
export function assertTransition(request: TransitionRequest): void {
  if (!isSettlementState(request.to))
    throw new InvalidTransitionError({ from: '?', to: request.to })
  for (const from of request.from) {
    if (!isSettlementState(from) || !canTransition(from, request.to))
      throw new InvalidTransitionError({ from, to: request.to })
  }
}
