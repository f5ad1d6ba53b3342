import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

// `gc` without `node --expose-gc`: the flag set at run time applies to contexts made after it.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void

/**
 * A full collection of this process's heap, between slices: in the single-process shape every
 * stack's garbage is in one heap, and a slice should not pay for the one before it (another stack's).
 */
export function collectGarbage(): void {
  gc({ type: 'major' })
}
