/**
 * Where a paywall keeps what must outlive one request: which authorizations are taken (one signed
 * payment, one handler run), the answers kept for a payment identifier, the responses held while a
 * settlement is pending, the payments settled before their handler succeeded, and the locks around
 * them. Every one of them is built on these four primitives, so a store implements only these:
 * memory for one process (`createMemoryStore`), Redis for several processes behind one URL or
 * across a restart (`createRedisStore` from `@tollgate/paywall/redis`).
 *
 * Values are strings (JSON the paywall writes); a time to live is in milliseconds and always given:
 * nothing the paywall stores lives forever.
 */
export type PaywallStore = {
  /**
   * Sets `key` to `value` only if it is absent (Redis `SET key value NX PX ttlMs`). Resolves `true`
   * when this call set it: the claim is atomic across everyone sharing the store.
   */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>
  /** The value of `key`, or `undefined` when it is absent or expired. */
  get(key: string): Promise<string | undefined>
  /** Sets `key` to `value` (Redis `SET key value PX ttlMs`), replacing any value. */
  set(key: string, value: string, ttlMs: number): Promise<void>
  /**
   * Deletes `key`. With `expected`, only while its value is still `expected` (an atomic
   * compare-and-delete: a Lua script on Redis), so a claim is released only by its owner.
   * Resolves `true` when a value was deleted.
   */
  delete(key: string, expected?: string | undefined): Promise<boolean>
}
