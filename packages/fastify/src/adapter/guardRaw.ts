import type { ServerResponse } from 'node:http'

type Patched = 'writeHead' | 'write' | 'end' | 'flushHeaders'
const patched: readonly Patched[] = ['writeHead', 'write', 'end', 'flushHeaders']

/** The raw response, kept from the handler while its reply is held. */
export type RawGuard = {
  /** Gives `res` its own methods back (before Fastify or the paywall writes the answer). */
  restore(): void
}

/**
 * While a paid reply is held, writes that go around Fastify (`reply.raw.write/end`, after
 * `reply.hijack()`) would reach the client before the payment settles, and never pass `onSend`,
 * leaving the hold waiting forever. They are swallowed instead, and `onBypass` is told once, so
 * the paywall answers for them (a 500 that charges nothing) and nothing hangs.
 */
export function guardRaw(res: ServerResponse, onBypass: () => void): RawGuard {
  const saved = patched.map((name) => ({ name, value: res[name] }))
  let told = false
  const swallow = (name: Patched) =>
    function swallowed(...args: unknown[]) {
      if (!told) {
        told = true
        onBypass()
      }
      const callback = args.findLast((arg) => typeof arg === 'function') as (() => void) | undefined
      if (callback) process.nextTick(callback)
      return name === 'write' ? true : res
    }
  const target = res as unknown as Record<Patched, unknown>
  for (const name of patched) target[name] = swallow(name)
  return {
    restore() {
      // Assigned back, never deleted: a `delete` turns the response into a dictionary in V8
      // (slower in every later property read Node makes on it); the inherited methods come back
      // as own properties holding the same functions.
      for (const { name, value } of saved) target[name] = value
    },
  }
}
