import { formatMoney, isTollgateError } from '@tollgate/core'
import { ConfigError, KeyError, UsageError } from './errors.js'
import { type CliIo, exitCodes } from './io.js'

/** A command's writers: every byte goes through `redact`, so a key read during the run never shows. */
export type Output = {
  /** Whether `--json` was given: results are one JSON document on stdout. */
  json: boolean
  stdout(text: string): void
  stderr(text: string): void
  /** A progress line on stderr (`• text`). */
  progress(text: string): void
  /** Writes `value` as one JSON document (bigints as decimal strings). */
  document(value: unknown): void
  /** Registers a secret: from now on it is replaced by `[redacted]` wherever it would be written. */
  addSecret(secret: string): void
  /** `text` with every registered secret replaced, for what leaves by another way (an MCP result). */
  redact(text: string): string
}

export function createOutput(io: CliIo, { json }: { json: boolean }): Output {
  const secrets = new Set<string>()
  const redact = (text: string) => {
    let result = text
    for (const secret of secrets) result = result.split(secret).join('[redacted]')
    return result
  }
  return {
    json,
    stdout: (text) => void io.stdout.write(redact(text)),
    stderr: (text) => void io.stderr.write(redact(text)),
    progress: (text) => void io.stderr.write(redact(`• ${text}\n`)),
    document: (value) => void io.stdout.write(redact(`${toJson(value)}\n`)),
    redact,
    addSecret(secret) {
      // A hex key may be written with or without 0x, in either case.
      const bare = secret.replace(/^0x/i, '')
      // Too short a string would blank out ordinary words.
      if (bare.length < 4) return
      for (const form of [bare, bare.toLowerCase(), bare.toUpperCase()]) secrets.add(form)
    },
  }
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, item) => (typeof item === 'bigint' ? item.toString() : item),
    indent,
  )
}

/** `$1.5`, `-$0.05`: an amount of a 6-decimal dollar token. */
export function formatUsd(amount: bigint): string {
  return formatMoney(amount, { decimals: 6, symbol: '$' })
}

/** `1.25 ETH` (wei in), at most 6 decimals shown. */
export function formatEther(wei: bigint): string {
  const negative = wei < 0n
  const abs = negative ? -wei : wei
  const micro = (abs + 500_000_000_000n) / 1_000_000_000_000n
  return `${negative ? '-' : ''}${formatMoney(micro, { decimals: 6 })} ETH`
}

/** Rows as an aligned plain-text table with a header and a rule. */
export function formatTable(rows: readonly Record<string, string>[]): string {
  const columns = Object.keys(rows[0] ?? {})
  const width = (column: string) =>
    Math.max(column.length, ...rows.map((row) => (row[column] ?? '').length))
  const line = (cells: Record<string, string>) =>
    columns
      .map((column) => (cells[column] ?? '').padEnd(width(column)))
      .join('  ')
      .trimEnd()
  return [
    line(Object.fromEntries(columns.map((column) => [column, column]))),
    columns.map((column) => '-'.repeat(width(column))).join('  '),
    ...rows.map(line),
  ].join('\n')
}

/** The exit code of an error: 2 for usage, configuration and key problems, else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError || error instanceof ConfigError || error instanceof KeyError
    ? exitCodes.usage
    : exitCodes.failure
}

/** The first line of an error's message, with its cause's (`fetch failed (connect ECONNREFUSED ...)`). */
function firstLine(error: unknown): string {
  const line = (value: unknown) =>
    (value instanceof Error ? value.message : String(value)).split('\n')[0] ?? ''
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined
  return cause ? `${line(error)} (${line(cause)})` : line(error)
}

/**
 * Reports a failure: `tollgate <command>: <message>` and its context lines on stderr, and with
 * `--json` a `{ "error": { code, message, issues? } }` document on stdout. A Tollgate error shows
 * its `shortMessage` and `metaMessages`; anything else its first line only (a stack or a driver's
 * message may quote inputs).
 */
export function reportError(output: Output, command: string, error: unknown): number {
  const code = isTollgateError(error) ? error.code : 'TOLLGATE_CLI_FAILURE'
  const message = isTollgateError(error) ? error.shortMessage : firstLine(error)
  const meta = isTollgateError(error) ? (error.metaMessages ?? []) : []
  output.stderr(`tollgate ${command}: ${message}\n${meta.map((line) => `  ${line}\n`).join('')}`)
  if (output.json)
    output.document({
      error: {
        code,
        message,
        ...(error instanceof ConfigError ? { issues: error.issues } : {}),
      },
    })
  return exitCodeOf(error)
}
