/**
 * JSON with object keys sorted at every depth, so two values that differ only in key order give
 * the same text. Requirements are matched by content and idempotent payloads compared with it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined'
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

/** Deep equality by content: key order and `undefined`-valued keys do not matter. */
export function equalByContent(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}
