import { canonicalJson, type PaymentPayload } from '@tollgate/core'
import { sha256, stringToHex } from 'viem'
import { ownerToken } from '../state/checkedStore.js'
import type { PaywallStore } from '../store/types.js'

/** Idempotent paid calls through the `payment-identifier` extension. */
export type IdempotencyConfig = {
  /** Declare the identifier as required: a v2 payment without one is refused (HTTP 400). @default false */
  required?: boolean | undefined
  /** How long a paid answer is kept for replays. @default 3600 */
  ttlSeconds?: number | undefined
  /**
   * With the default memory store, the most answers (and pending results) it keeps; the oldest go
   * first. A store you pass bounds itself. @default 10_000
   */
  maxEntries?: number | undefined
}

/** What to do with a call that carries an identifier. */
export type IdempotencySlot =
  /** First time: run the paid call, then `complete` with the answer to keep (or `undefined`). */
  | { kind: 'new'; complete(response: unknown): Promise<void> }
  /** Seen, same payload, finished: send this again. */
  | { kind: 'replay'; response: unknown }
  /** Seen, same payload, still running: wait, then ask again. */
  | { kind: 'wait'; done: Promise<void> }
  /** Seen with a different payload: a conflict (HTTP 409). */
  | { kind: 'conflict' }

/** Payment identifiers and the answers kept for them. */
export type Idempotency = {
  claim(id: string, payload: PaymentPayload): Promise<IdempotencySlot>
}

type IdRecord =
  | { state: 'running'; fingerprint: string; owner: string }
  | { state: 'done'; fingerprint: string; response: unknown }

/**
 * A call still running after this long is given up on by those waiting for it (its process may
 * have died): they go on as if there were no identifier, and the replay guard still stops a
 * second run of the same authorization.
 */
const inFlightMs = 300_000

/**
 * Payment identifiers over a store (`pid:<id>` keys). Only paid answers are kept: after a failure
 * the identifier is free again, so the client can retry it. Calls waiting for one still running
 * are woken at once in this process, and poll the store (with backoff) for one running elsewhere.
 */
export function createIdempotency({
  store,
  ttlSeconds = 3600,
}: {
  store: PaywallStore
  ttlSeconds?: number | undefined
}): Idempotency {
  const wakers = createWakers()
  const keyOf = (id: string) => `pid:${id}`

  async function read(id: string): Promise<IdRecord | undefined> {
    return parseRecord(await store.get(keyOf(id)))
  }

  async function waitFor(id: string): Promise<void> {
    let delayMs = 5
    for (let waitedMs = 0; waitedMs < inFlightMs; waitedMs += delayMs) {
      await wakers.sleep(id, delayMs)
      if ((await read(id))?.state !== 'running') return
      delayMs = Math.min(delayMs * 2, 250)
    }
  }

  function newSlot(id: string, running: string, fingerprint: string): IdempotencySlot {
    return {
      kind: 'new',
      async complete(response) {
        try {
          if (response === undefined) await store.delete(keyOf(id), running)
          else {
            const done: IdRecord = { state: 'done', fingerprint, response }
            await store.set(keyOf(id), JSON.stringify(done), Math.ceil(ttlSeconds * 1000))
          }
        } finally {
          wakers.wake(id)
        }
      },
    }
  }

  return {
    async claim(id, payload) {
      const fingerprint = sha256(stringToHex(canonicalJson(payload)))
      for (let attempt = 0; attempt < 3; attempt++) {
        const running = JSON.stringify({ state: 'running', fingerprint, owner: ownerToken() })
        if (await store.claim(keyOf(id), running, inFlightMs))
          return newSlot(id, running, fingerprint)
        const record = await read(id)
        // Gone between the claim and the read (finished and failed): claim again.
        if (!record) continue
        if (record.fingerprint !== fingerprint) return { kind: 'conflict' }
        if (record.state === 'running') return { kind: 'wait', done: waitFor(id) }
        return { kind: 'replay', response: record.response }
      }
      return { kind: 'wait', done: Promise.resolve() }
    },
  }
}

function parseRecord(value: string | undefined): IdRecord | undefined {
  if (value === undefined) return undefined
  try {
    const record = JSON.parse(value) as IdRecord
    return typeof record?.fingerprint === 'string' ? record : undefined
  } catch {
    return undefined
  }
}

/** In-process wake-ups for calls waiting on an identifier, so they need not wait a poll out. */
function createWakers() {
  const waiting = new Map<string, Set<() => void>>()
  return {
    /** Resolves after `ms`, or earlier when `wake(id)` is called. */
    sleep(id: string, ms: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const set = waiting.get(id) ?? new Set<() => void>()
        waiting.set(id, set)
        const done = () => {
          clearTimeout(timer)
          set.delete(done)
          if (set.size === 0 && waiting.get(id) === set) waiting.delete(id)
          resolve()
        }
        const timer = setTimeout(done, ms)
        set.add(done)
      })
    },
    wake(id: string): void {
      for (const done of [...(waiting.get(id) ?? [])]) done()
    },
  }
}
