import diagnostics from 'node:diagnostics_channel'
import { formatKey } from '../ledger/key.js'
import type { AuthorizationKey, Ledger, SettlementRecord } from '../ledger/types.js'

/** Name of the `node:diagnostics_channel` each ledger transition of this process is published on. */
export const settlementChannelName = 'tollgate:settlement:transition'

// Held for the life of the process, not of one facilitator: Node 20's registry holds channels
// weakly, and a collected channel's finalizer drops the name even when a newer channel has taken
// it, leaving a subscriber on a channel no publisher reaches.
let channel: diagnostics.Channel | undefined

/** What a `/settle` waits for, and how long. */
export type WaitForSettlementParameters = {
  /** Resolves once the row satisfies this. */
  until: (record: SettlementRecord) => boolean
  timeoutMs: number
  /**
   * Also reads the ledger this often, in ms: another instance on the same database may move the
   * row, and its writes do not reach this process's listeners. @default 200
   */
  pollMs?: number | undefined
  /**
   * The row as this process's own write just left it: the wait starts from it, listening at once,
   * instead of reading the ledger first. Only for a row no transition of the settler can have
   * passed yet (one it could not claim before that write): a publish in between would be seen
   * only by the next poll.
   */
  current?: SettlementRecord | undefined
}

/** The row a wait ended on. */
export type WaitForSettlementReturnType = {
  /** The row as last seen (undefined when the ledger has no such row). */
  record: SettlementRecord | undefined
  timedOut: boolean
}

/** Lets `/settle` wait for the settler's transitions. */
export type SettlementEvents = {
  publish(records: readonly SettlementRecord[]): void
  wait(
    key: AuthorizationKey,
    parameters: WaitForSettlementParameters,
  ): Promise<WaitForSettlementReturnType>
}

/** In-process notifications of ledger transitions, with a ledger poll as the cross-instance fallback. */
export function createSettlementEvents(ledger: Ledger): SettlementEvents {
  const waiters = new Map<string, Set<(record: SettlementRecord) => void>>()

  return {
    publish(records) {
      channel ??= diagnostics.channel(settlementChannelName)
      for (const record of records) {
        if (channel.hasSubscribers) channel.publish(record)
        const set = waiters.get(formatKey(record))
        if (set) for (const waiter of [...set]) waiter(record)
      }
    },
    async wait(key, { until, timeoutMs, pollMs = 200, current: known }) {
      const current = known ?? (await ledger.get(key))
      if (!current || until(current)) return { record: current, timedOut: false }
      const id = formatKey(key)
      return new Promise<WaitForSettlementReturnType>((resolve) => {
        let last: SettlementRecord | undefined = current
        let done = false
        const set = waiters.get(id) ?? new Set()
        waiters.set(id, set)
        const finish = (timedOut: boolean) => {
          if (done) return
          done = true
          clearTimeout(timer)
          clearInterval(poller)
          set.delete(onRecord)
          if (set.size === 0) waiters.delete(id)
          resolve({ record: last, timedOut })
        }
        const onRecord = (record: SettlementRecord) => {
          if (last && record.version < last.version) return
          last = record
          if (until(record)) finish(false)
        }
        set.add(onRecord)
        const timer = setTimeout(() => finish(true), timeoutMs)
        const poller = setInterval(() => {
          ledger.get(key).then(
            (record) => record && onRecord(record),
            () => undefined,
          )
        }, pollMs)
        poller.unref?.()
      })
    },
  }
}
