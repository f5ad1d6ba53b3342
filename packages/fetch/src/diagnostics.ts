import type { DiagnosticChannels } from '@tollgate/payer'

/**
 * Channels on `node:diagnostics_channel` where a wrapped fetch's payer publishes:
 * - `tollgate:fetch:receipt`: `{ receipt }` for every receipt recorded (a payment, or a later state
 *   of one: reconciled, re-sent, cancelled);
 * - `tollgate:fetch:dispute`: `{ receipt }` for a payment recorded as disputed;
 * - `tollgate:fetch:error`: `{ error, receipt, stage: 'receipt-log' | 'on-receipt' }` when recording a
 *   receipt failed (the paid response is still returned), `{ error, receipt, stage: 'reconcile' }`
 *   when looking up an authorization's fate failed (the purchase stays as it was), and
 *   `{ error, stage: 'receipt-log' }` when the log could not be read for a call that is not a
 *   purchase (a purchase's call throws instead).
 * Where there is no `node:diagnostics_channel` (a browser, an edge runtime), nothing is published.
 */
export const diagnosticChannels = {
  receipt: 'tollgate:fetch:receipt',
  dispute: 'tollgate:fetch:dispute',
  error: 'tollgate:fetch:error',
} as const satisfies DiagnosticChannels
