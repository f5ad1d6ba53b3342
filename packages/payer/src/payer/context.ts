import type { Asset, AuthorizationSigner } from '@tollgate/evm'
import type { DiagnosticChannels } from '../diagnostics.js'
import type { Reservation } from '../policy/budget.js'
import type { PolicyEngine } from '../policy/policyState.js'
import type { AuthorizationFinding, Inspector } from '../purchases/inspectAuthorization.js'
import type { Receipt } from '../receipts/receipt.js'
import type { ReceiptLog } from '../receipts/receiptLog.js'
import type { PurchaseBook } from './book.js'
import type { Locks } from './locks.js'

/**
 * What the parts of a payer share: its dependencies and state, built once by `createPayer`. Each
 * part is a function taking it first, as viem's actions take a client.
 */
export type PayerContext = {
  readonly account: AuthorizationSigner
  readonly policy: PolicyEngine
  /** The asset registry: the caller's assets, then `@tollgate/evm`'s. */
  readonly registry: readonly Asset[]
  readonly receipts: ReceiptLog | undefined
  readonly book: PurchaseBook
  readonly locks: Locks
  readonly inspector: Inspector
  readonly channels: DiagnosticChannels
  /** The policy's clock (ms). */
  now(): number
  /** Reads the receipt log once (see `loadLog.ts`). */
  load(): Promise<readonly Receipt[]>
  /** Records a purchase's new state: the book, the log, `onReceipt`, the diagnostics channels. */
  record(receipt: Receipt, reservation?: Reservation | undefined): Promise<void>
  /** Holds a receipt's money again, without checking for room (it may already be gone). */
  hold(receipt: Receipt): Reservation
  /** Looks up what happened to a receipt's authorization; a failed lookup is published, `undefined`. */
  inspect(receipt: Receipt): Promise<AuthorizationFinding | undefined>
}
