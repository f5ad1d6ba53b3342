import type { DevnetToken } from '@tollgate/contracts/devnet'
import type { Address, Hex } from 'viem'
import type { AccountKind } from './options.js'

/** The token every stack charges in: the devnet's "USD Coin" test USDC (an `Asset` already). */
export type BenchToken = DevnetToken

/** How our facilitator answers `/settle`. */
export type TollgateMode = 'confirmed' | 'submitted' | 'queued'

/** What a child process runs: one server of one stack. */
export type RoleConfig = RoleSpec & {
  /** Time outgoing calls, ledger methods and requests served; print them when stopping. */
  trace?: boolean | undefined
}

export type RoleSpec =
  | {
      kind: 'reference-facilitator'
      rpcUrl: string
      token: BenchToken
      /** The facilitator's gas account (an anvil dev key; never printed). */
      signerKey: Hex
      /** How it signs (`--accounts`). */
      accounts: AccountKind
      /** Receipt polling of its viem client, in ms. */
      pollingMs: number
    }
  | {
      kind: 'reference-api'
      facilitatorUrl: string
      token: BenchToken
      payTo: Address
      price: string
    }
  | {
      kind: 'tollgate-facilitator'
      rpcUrl: string
      token: BenchToken
      signerKey: Hex
      accounts: AccountKind
      pollingMs: number
      mode: TollgateMode
      batchSettler: Address
      batchMaxSize: number
      batchMaxWaitMs: number
      /** SQLite file of the ledger, or `':memory:'`. */
      ledgerPath: string
      /** SQLite `synchronous`: an fsync on every commit (`full`) or at checkpoints (`normal`). */
      ledgerSync: 'full' | 'normal'
    }
  | {
      kind: 'tollgate-api'
      facilitatorUrl: string
      token: BenchToken
      payTo: Address
      price: string
    }

/** Parent to child. */
export type ParentMessage =
  | { type: 'start'; config: RoleConfig }
  | { type: 'transactions' }
  | { type: 'stop' }

/** Child to parent. */
export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'transactions'; hashes: Hex[] }
  | { type: 'error'; message: string }
  | { type: 'stopped' }

/** A started server: its URL and how to stop it (and, for our facilitator, its mined transactions). */
export type RunningRole = {
  url: string
  /** Hashes of the settlement transactions the ledger knows as mined (our facilitator only). */
  transactions?: (() => Promise<Hex[]>) | undefined
  close(): Promise<void>
}
