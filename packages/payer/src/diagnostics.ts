/**
 * The names of a payer's channels on `node:diagnostics_channel`. A transport may give its own
 * (`@tollgate/fetch` keeps `tollgate:fetch:*`), so its subscribers see its payments only.
 */
export type DiagnosticChannels = {
  readonly receipt: string
  readonly dispute: string
  readonly error: string
}

/**
 * Channels on `node:diagnostics_channel`, unless a transport names its own:
 * - `tollgate:payer:receipt`: `{ receipt }` for every receipt recorded (a payment, or a later state
 *   of one: reconciled, re-sent, cancelled);
 * - `tollgate:payer:dispute`: `{ receipt }` for a payment recorded as disputed;
 * - `tollgate:payer:error`: `{ error, receipt, stage: 'receipt-log' | 'on-receipt' }` when recording
 *   a receipt failed (the paid answer is still delivered), `{ error, receipt, stage: 'reconcile' }`
 *   when looking up an authorization's fate failed (the purchase stays as it was), and
 *   `{ error, stage: 'receipt-log' }` when the log could not be read for a call that is not a
 *   purchase (a purchase's call throws instead).
 * Where there is no `node:diagnostics_channel` (a browser, an edge runtime), nothing is published.
 */
export const diagnosticChannels = {
  receipt: 'tollgate:payer:receipt',
  dispute: 'tollgate:payer:dispute',
  error: 'tollgate:payer:error',
} as const satisfies DiagnosticChannels

type Channels = {
  channel(name: string): { readonly hasSubscribers: boolean; publish(message: unknown): void }
}

// Looked up on first use, not imported: the main entry must load where Node built-ins do not exist.
let channels: Channels | null | undefined

function lookup(): Channels | null {
  if (channels === undefined) {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    channels = (process?.getBuiltinModule?.('node:diagnostics_channel') as Channels) ?? null
  }
  return channels
}

// Each channel is held once looked up: Node's registry holds channels weakly, and a collected
// channel's finalizer drops its name even when a newer channel has taken it (Node 20), leaving a
// subscriber on a channel this module no longer reaches. A held channel is never collected.
const held = new Map<string, ReturnType<Channels['channel']> | undefined>()

/** Publishes on a channel when something subscribes to it; a no-op without diagnostics_channel. */
export function publish(name: string, message: unknown): void {
  let target = held.get(name)
  if (!held.has(name)) {
    target = lookup()?.channel(name)
    held.set(name, target)
  }
  if (target?.hasSubscribers) target.publish(message)
}
