import type { Address, Hex } from 'viem'
import type { AuthorizationKey } from './types.js'

/** The key with its hex fields lowercased, the form the ledger stores. */
export function normalizeKey(key: AuthorizationKey): AuthorizationKey {
  return {
    chainId: key.chainId,
    asset: key.asset.toLowerCase() as Address,
    payer: key.payer.toLowerCase() as Address,
    nonce: key.nonce.toLowerCase() as Hex,
  }
}

/** A string form of the key (`chainId:asset:payer:nonce`), for maps and events. */
export function formatKey(key: AuthorizationKey): string {
  return `${key.chainId}:${key.asset.toLowerCase()}:${key.payer.toLowerCase()}:${key.nonce.toLowerCase()}`
}

/** The key as SQL parameters, normalized, in column order: chain id, asset, payer, nonce. */
export function keyParams(key: AuthorizationKey): [number, string, string, string] {
  const k = normalizeKey(key)
  return [k.chainId, k.asset, k.payer, k.nonce]
}

/**
 * Thrown inside an atomic ledger write to roll it back; the write catches it and answers
 * `{ ok: false }`, so it never leaves the ledger (internal, hence a plain `Error`).
 */
export class Rollback extends Error {}
