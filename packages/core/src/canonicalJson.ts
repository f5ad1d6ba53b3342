/**
 * JSON with object keys sorted at every depth, so two values that differ only in key order (or in
 * keys holding `undefined`) give the same text: requirements are matched by content, idempotent
 * payloads compared, and registration files hashed with it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined'
}

/** Deep equality by content: key order and `undefined`-valued keys do not matter. */
export function equalByContent(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const entry = (value as Record<string, unknown>)[key]
    if (entry !== undefined) sorted[key] = sortKeys(entry)
  }
  return sorted
}
