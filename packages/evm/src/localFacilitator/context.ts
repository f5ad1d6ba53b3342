import type { Account, Chain, Client, Hex, Transport, WalletClient } from 'viem'
import type { Asset } from '../assets.js'

/** What a local facilitator's parts share. */
export type LocalFacilitatorContext = {
  publicClient: Client<Transport, Chain | undefined>
  walletClient: WalletClient<Transport, Chain | undefined, Account>
  assets: readonly Asset[] | undefined
  receiptTimeoutMs: number
  now: (() => number) | undefined
  /** Runs broadcasts one after another: each reads the account's pending nonce. */
  serialise<value>(task: () => Promise<value>): Promise<value>
  /** Transactions broadcast but not confirmed yet, by authorization: never sent twice. */
  pending: Map<string, Hex>
}

/** A queue of tasks run one at a time, in call order; a failed task does not stop the next. */
export function createSerialQueue(): LocalFacilitatorContext['serialise'] {
  let last: Promise<unknown> = Promise.resolve()
  return (task) => {
    const run = last.then(task, task)
    last = run.catch(() => {})
    return run
  }
}
