import type { Hex } from 'viem'

/**
 * The revert data an RPC or contract error carries (a custom error's selector and arguments, or
 * `Error(string)`), looked for down its `cause` chain: viem wraps the node's answer a few levels
 * deep, and nodes put it at `error.data` or `error.data.data`. `undefined` when there is none.
 *
 * @example
 * try {
 *   await client.call({ to, data })
 * } catch (error) {
 *   const data = getRevertData(error) // '0x...' for a revert with data
 * }
 */
export function getRevertData(error: unknown): Hex | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 10 && current; depth++) {
    const data = (current as { data?: unknown }).data
    if (typeof data === 'string' && data.startsWith('0x')) return data as Hex
    if (typeof data === 'object' && data && typeof (data as { data?: unknown }).data === 'string')
      return (data as { data: Hex }).data
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
