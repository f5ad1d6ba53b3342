import type { Address } from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'
import type { Ledger } from '../ledger/types.js'

/**
 * Account nonces of one facilitator account on one chain. The account's transactions are created
 * one at a time (its settlement worker is sequential), so the manager is a counter: `take` hands
 * out the next nonce, `release` gives back the last one when its transaction was never broadcast,
 * `resync` starts again from the chain and the ledger. No gaps (a nonce is either broadcast, kept
 * with its raw transaction for rebroadcast, or given back) and no collisions (one writer per account).
 */
export type NonceManager = {
  readonly address: Address
  /** The next nonce, without taking it. */
  readonly next: number | undefined
  take(): Promise<number>
  /** Gives back `nonce` when it is the last one taken (its transaction never left the process). */
  release(nonce: number): void
  /** Forgets the counter: the next `take` reads the chain and the ledger again. */
  resync(): void
}

export function createNonceManager(
  client: ChainClient,
  { ledger, chainId, address }: { ledger: Ledger; chainId: number; address: Address },
): NonceManager {
  let next: number | undefined

  async function load(): Promise<number> {
    // The chain's pending count covers transactions the node holds; the ledger covers ones signed
    // and stored but never seen by a node (a crash before broadcast, an outage): they keep their
    // nonces and are broadcast again, so new transactions go after them.
    const [onChain, stored] = await Promise.all([
      client.getTransactionCount({ address, blockTag: 'pending' }),
      ledger.lastTransactionNonce({ chainId, sender: address }),
    ])
    return Math.max(onChain, stored === undefined ? 0 : stored + 1)
  }

  return {
    address,
    get next() {
      return next
    },
    async take() {
      if (next === undefined) next = await load()
      return next++
    },
    release(nonce) {
      if (next !== undefined && nonce === next - 1) next = nonce
      else next = undefined
    },
    resync() {
      next = undefined
    },
  }
}
