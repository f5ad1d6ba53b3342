// What the paywall tells the provider about what the client does not see: a facilitator that is
// down, a settlement that failed, a hook or price function that threw. Warnings go to the console
// unless the provider passes its own logger or `false`. Everything logged is plain text built
// here, never the raw objects: an error's message can carry a facilitator URL with a key in it,
// an echoed request body holds the payment's signature, and neither may reach a log.

/** Where the paywall reports what the client does not see. */
export type PaywallLogger = {
  error?: ((message: string, context: Record<string, unknown>) => void) | undefined
  warn?: ((message: string, context: Record<string, unknown>) => void) | undefined
}

/** The default: warnings and errors on the console (`console.warn`, `console.error`). */
export const consoleLogger: PaywallLogger = {
  warn: (message, context) => console.warn(message, context),
  error: (message, context) => console.error(message, context),
}

/** Reports one line; the context is made safe to log first. Never throws. */
export type Report = (
  level: 'error' | 'warn',
  message: string,
  context: Record<string, unknown>,
) => void

/** The reporter of a paywall: `undefined` logs to the console, `false` logs nothing. */
export function createReport(logger: PaywallLogger | false | undefined): Report {
  const target = logger === undefined ? consoleLogger : logger
  return (level, message, context) => {
    if (target === false) return
    try {
      target[level]?.(`tollgate paywall: ${message}`, safeContext(context))
    } catch {
      // A throwing logger must not change the response.
    }
  }
}

// Fields the paywall fills with public values (a transaction hash is long hex, and wanted).
const publicFields = new Set(['route', 'network', 'payer', 'transaction', 'reason', 'settlement'])

/**
 * A context fit for a log: the paywall's public fields as they are, other strings redacted,
 * numbers and booleans kept, errors described (name, code, message and causes), nothing else.
 */
function safeContext(context: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) continue
    if (typeof value === 'string') safe[key] = publicFields.has(key) ? value : redact(value)
    else if (typeof value === 'number' || typeof value === 'boolean') safe[key] = value
    else if (key === 'error') safe[key] = describeError(value)
  }
  return safe
}

/** An error and its causes as one redacted line: `FacilitatorError: ... <- TypeError: ...`. */
export function describeError(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    parts.push(describeOne(current))
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined
  }
  return redact(parts.join(' <- '))
}

function describeOne(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error)
  const { name, code, shortMessage, message, metaMessages } = error as {
    name?: unknown
    code?: unknown
    shortMessage?: unknown
    message?: unknown
    metaMessages?: unknown
  }
  const text = typeof shortMessage === 'string' ? shortMessage : String(message ?? '')
  const meta = Array.isArray(metaMessages) ? ` (${metaMessages.join('; ')})` : ''
  const label = typeof code === 'string' ? `${String(name)} [${code}]` : String(name ?? 'Error')
  return `${label}: ${text}${meta}`
}

const redactions: readonly [RegExp, string][] = [
  // Credentials in URLs: user:password@ and query strings (`?apiKey=...`).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']*@/gi, '$1[redacted]@'],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#"']*)\?[^\s#"')]*/gi, '$1?[redacted]'],
  // Authorization header values and key-like fields.
  [/\b(bearer|basic)\s+[^\s,;"']+/gi, '$1 [redacted]'],
  [
    /\b(api[-_]?key|x-api-key|authorization|token|secret|password|private[-_]?key)(["']?\s*[:=]\s*["']?)[^\s,;"'&]+/gi,
    '$1$2[redacted]',
  ],
  // Signatures, private keys, calldata: long hex. Long base64: a payment header.
  [/0x[0-9a-f]{64,}/gi, '0x[redacted]'],
  [/[A-Za-z0-9+/_-]{120,}={0,2}/g, '[redacted]'],
]

/** Text with credentials, signatures, keys and encoded payment headers taken out. */
export function redact(text: string): string {
  let out = text.length > 2_000 ? `${text.slice(0, 2_000)}...` : text
  for (const [pattern, replacement] of redactions) out = out.replace(pattern, replacement)
  return out
}
