import { type Hex, HttpRequestError, TimeoutError, BaseError as ViemError } from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'

/** What became of a raw transaction handed to the node. */
export type BroadcastResult =
  /** The node took it (or already had it). */
  | { status: 'sent' }
  /** The account nonce is already used: by this transaction (mined) or by another one. */
  | { status: 'nonce_used'; cause: unknown }
  /** The node refused it (insufficient funds, gas limits, ...): it is not in any mempool. */
  | { status: 'rejected'; cause: unknown }
  /** No answer (network failure, timeout, 5xx): the node may or may not have it. */
  | { status: 'ambiguous'; cause: unknown }

const knownPatterns =
  /already known|known transaction|already imported|already exists|alreadyknown/i
const nonceUsedPatterns =
  /nonce too low|nonce is too low|noncetoolow|oldnonce|replacement transaction underpriced|underpriced replacement/i

function text(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 10 && current; depth++) {
    if (current instanceof ViemError) parts.push(current.shortMessage, current.details)
    else if (current instanceof Error) parts.push(current.message)
    current = (current as { cause?: unknown }).cause
  }
  return parts.join(' ')
}

function isTransportFailure(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 10 && current; depth++) {
    if (current instanceof HttpRequestError || current instanceof TimeoutError) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/**
 * `eth_sendRawTransaction`, with the node's answer sorted into what the settler needs to know: a
 * JSON-RPC error means the node read the transaction and refused it, while a transport failure
 * leaves it unknown (the transaction is kept and broadcast again: its hash makes that idempotent).
 */
export async function broadcastTransaction(
  client: ChainClient,
  raw: Hex,
): Promise<BroadcastResult> {
  try {
    await client.request({ method: 'eth_sendRawTransaction', params: [raw] })
    return { status: 'sent' }
  } catch (cause) {
    const message = text(cause)
    if (knownPatterns.test(message)) return { status: 'sent' }
    if (nonceUsedPatterns.test(message)) return { status: 'nonce_used', cause }
    if (isTransportFailure(cause)) return { status: 'ambiguous', cause }
    return { status: 'rejected', cause }
  }
}
