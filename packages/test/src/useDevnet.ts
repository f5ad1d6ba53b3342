import { type Devnet, type StartDevnetParameters, startDevnet } from '@tollgate/contracts/devnet'
import { afterAll, beforeAll } from 'vitest'
import { FixtureOutsideTestError } from './errors.js'

export type UseDevnetParameters = StartDevnetParameters

/**
 * The devnet of a test file: call it (`devnet()`) or read its fields (`devnet.usdc`) inside tests and hooks.
 * Reading it before `beforeAll` has run throws.
 */
export type DevnetHandle = (() => Devnet) & Devnet

/**
 * Starts a devnet in `beforeAll` and stops it in `afterAll`: one anvil per test file, torn down even when a
 * test fails (and, if the worker is killed, by the devnet's own watchdog).
 *
 * @example
 * import { useDevnet } from '@tollgate/test'
 *
 * const devnet = useDevnet({ accounts: 2 })
 *
 * test('balance', async () => {
 *   const [payer] = devnet.accounts
 *   // ...
 * })
 */
export function useDevnet(options: UseDevnetParameters = {}): DevnetHandle {
  let current: Devnet | undefined
  const get = (): Devnet => {
    if (!current) throw new FixtureOutsideTestError({ fixture: 'useDevnet' })
    return current
  }

  beforeAll(async () => {
    current = await startDevnet(options)
  })
  afterAll(async () => {
    await current?.stop()
    current = undefined
  })

  // An arrow function has no non-configurable own properties, so the proxy may forward every read.
  return new Proxy(() => get(), {
    get: (_target, key) => {
      const devnet = get()
      const value = Reflect.get(devnet, key)
      return typeof value === 'function' ? value.bind(devnet) : value
    },
    has: (_target, key) => Reflect.has(get(), key),
  }) as DevnetHandle
}
