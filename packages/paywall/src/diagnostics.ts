// Observable, not chatty: each step of a paid call is published on a diagnostics channel. The
// engine runs where `node:diagnostics_channel` may not exist (Workers, browsers), so the module is
// looked up lazily, once, through `process.getBuiltinModule` (Node, Bun, Deno's Node layer), and
// publishing is a no-op where it is absent. Nothing is imported at module scope.

/**
 * Diagnostics channel names. Subscribe with `diagnostics_channel.subscribe(name, fn)`; nothing is
 * published (or built) while a channel has no subscriber.
 */
export const paywallChannels = {
  challenge: 'tollgate:paywall:challenge',
  verified: 'tollgate:paywall:verified',
  settled: 'tollgate:paywall:settled',
  failed: 'tollgate:paywall:failed',
  hookError: 'tollgate:paywall:hook-error',
  facilitatorError: 'tollgate:paywall:facilitator-error',
  storeError: 'tollgate:paywall:store-error',
} as const

/** One of {@link paywallChannels}. */
export type PaywallChannelName = (typeof paywallChannels)[keyof typeof paywallChannels]

type Channel = { readonly hasSubscribers: boolean; publish(message: unknown): void }
type DiagnosticsChannel = { channel(name: string): Channel }

let module: DiagnosticsChannel | null | undefined

function diagnostics(): DiagnosticsChannel | null {
  if (module === undefined) {
    const process = (
      globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } | undefined }
    ).process
    try {
      module = (process?.getBuiltinModule?.('node:diagnostics_channel') ??
        null) as DiagnosticsChannel | null
    } catch {
      // A runtime that refuses the lookup has no channels: publishing stays a no-op.
      module = null
    }
  }
  return module
}

// Each channel is held once looked up. Node's registry holds channels weakly, and when one is
// collected its finalizer drops the name even if a newer channel has taken it meanwhile (Node 20):
// a subscriber would then sit on a channel this module no longer reaches. Held, ours is never
// collected, so `subscribe(name)` always finds it (undici holds its channels the same way).
const held = new Map<string, Channel | undefined>()

/** Publishes on a channel when someone listens; `message` is built only then. */
export function publish(name: PaywallChannelName, message: () => Record<string, unknown>): void {
  let channel = held.get(name)
  if (!held.has(name)) {
    channel = diagnostics()?.channel(name)
    held.set(name, channel)
  }
  if (channel?.hasSubscribers) channel.publish(message())
}
