import { createHash } from 'node:crypto'
import {
  canonicalJson,
  type PaymentPayload,
  paymentIdentifierKey,
  paymentIdSchema,
} from '@tollgate/core'
import type { PaywallResponse } from './request.js'

/** Idempotent paid requests through the `payment-identifier` extension. */
export type IdempotencyConfig = {
  /** Declare the identifier as required: a v2 payment without one gets a 400. @default false */
  required?: boolean | undefined
  /** How long a paid response is kept for replays. @default 3600 */
  ttlSeconds?: number | undefined
  /** Largest number of responses kept; the oldest go first. @default 10_000 */
  maxEntries?: number | undefined
}

/** The extension as the 402 declares it (`extensions['payment-identifier']`). */
export function declarePaymentIdentifier(required: boolean) {
  return {
    info: { required },
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        required: { type: 'boolean' },
        id: { type: 'string', minLength: 16, maxLength: 128, pattern: '^[a-zA-Z0-9_-]+$' },
      },
      required: ['required'],
    },
  }
}

/**
 * The identifier a payload carries: a string, `undefined` when there is none, or `null` when the
 * extension is there but its `id` is malformed.
 */
export function readPaymentIdentifier(payload: PaymentPayload): string | null | undefined {
  const extension = (payload.extensions as Record<string, unknown> | undefined)?.[
    paymentIdentifierKey
  ]
  if (extension === undefined || extension === null || typeof extension !== 'object')
    return undefined
  const info = (extension as { info?: unknown }).info
  if (info === undefined || info === null || typeof info !== 'object') return undefined
  const id = (info as { id?: unknown }).id
  if (id === undefined) return undefined
  return paymentIdSchema.safeParse(id).success ? (id as string) : null
}

/** What to do with a request that carries an identifier. */
export type IdempotencySlot =
  /** First time: run the paid flow, then `complete` with the response to keep (or `undefined`). */
  | { kind: 'new'; complete(response: PaywallResponse | undefined): void }
  /** Seen, same payload, finished: send this again. */
  | { kind: 'replay'; response: PaywallResponse }
  /** Seen, same payload, still running: wait, then ask again. */
  | { kind: 'wait'; done: Promise<void> }
  /** Seen with a different payload: 409. */
  | { kind: 'conflict' }

export type IdempotencyCache = {
  claim(id: string, payload: PaymentPayload): IdempotencySlot
}

type Entry = {
  fingerprint: string
  expiresAt: number
  response: PaywallResponse | undefined
  done: Promise<void> | undefined
}

/**
 * An in-process cache of paid responses by payment identifier. Only successful paid responses are
 * kept: after a failure the identifier is free again, so the client can retry it.
 */
export function createIdempotencyCache({
  ttlSeconds = 3600,
  maxEntries = 10_000,
  now = Date.now,
}: IdempotencyConfig & { now?: (() => number) | undefined } = {}): IdempotencyCache {
  const entries = new Map<string, Entry>()

  function evict() {
    const current = now()
    for (const [id, entry] of entries) {
      if (entries.size < maxEntries && entry.expiresAt > current) break
      if (entry.done === undefined) entries.delete(id)
    }
  }

  return {
    claim(id, payload) {
      const fingerprint = createHash('sha256').update(canonicalJson(payload)).digest('base64')
      const existing = entries.get(id)
      if (existing && existing.done === undefined && existing.expiresAt <= now()) entries.delete(id)
      else if (existing) {
        if (existing.fingerprint !== fingerprint) return { kind: 'conflict' }
        if (existing.done) return { kind: 'wait', done: existing.done }
        if (existing.response) return { kind: 'replay', response: existing.response }
      }
      if (entries.size >= maxEntries) evict()
      let settle!: () => void
      const entry: Entry = {
        fingerprint,
        expiresAt: Number.POSITIVE_INFINITY,
        response: undefined,
        done: new Promise<void>((resolve) => {
          settle = resolve
        }),
      }
      entries.set(id, entry)
      return {
        kind: 'new',
        complete(response) {
          entry.done = undefined
          if (response) {
            entry.response = response
            entry.expiresAt = now() + ttlSeconds * 1000
            // Re-insert so the map stays ordered by expiry for `evict`.
            entries.delete(id)
            entries.set(id, entry)
          } else if (entries.get(id) === entry) entries.delete(id)
          settle()
        },
      }
    },
  }
}
