import { keccak256, stringToBytes } from 'viem'

/** JSON with object keys sorted at every level: equal documents give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

/** keccak256 of the canonical JSON: a document's identity regardless of key order and spacing. */
export function contentHash(value: unknown): `0x${string}` {
  return keccak256(stringToBytes(canonicalJson(value)))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key])
  return sorted
}
