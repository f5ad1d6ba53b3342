import { channel } from 'node:diagnostics_channel'

/**
 * Channels on `node:diagnostics_channel`:
 * - `tollgate:fetch:receipt`: `{ receipt }` for every payment;
 * - `tollgate:fetch:dispute`: `{ receipt }` for a payment recorded as disputed;
 * - `tollgate:fetch:error`: `{ error, receipt, stage: 'receipt-log' | 'on-receipt' }` when recording a
 *   receipt failed (the paid response is still returned).
 */
export const diagnosticChannels = {
  receipt: 'tollgate:fetch:receipt',
  dispute: 'tollgate:fetch:dispute',
  error: 'tollgate:fetch:error',
} as const

export function publish(name: string, message: unknown): void {
  const target = channel(name)
  if (target.hasSubscribers) target.publish(message)
}
