import { canonicalJson } from '@tollgate/core'
import { keccak256, stringToBytes } from 'viem'

/**
 * keccak256 of core's canonical JSON: a document's identity regardless of key order and spacing
 * (a published registration file is matched to the one it should be by it).
 */
export function contentHash(value: unknown): `0x${string}` {
  return keccak256(stringToBytes(canonicalJson(value)))
}
