import { type ParseArgsConfig, parseArgs as parseNodeArgs } from 'node:util'
import { UsageError } from './errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** The options every command takes. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const satisfies Options

/** What `parseArgs` returns for `options` (plus `--help` and `--json`). */
export type ParsedArgs<options extends Options> = ReturnType<
  typeof parseNodeArgs<{
    args: string[]
    options: typeof commonOptions & options
    allowPositionals: boolean
    strict: true
  }>
>

/** `node:util` `parseArgs`, strict, its errors turned into `UsageError` (exit code 2). */
export function parseArgs<options extends Options>(
  argv: readonly string[],
  options: options,
  { positionals = true }: { positionals?: boolean | undefined } = {},
): ParsedArgs<options> {
  try {
    return parseNodeArgs({
      args: [...argv],
      options: { ...commonOptions, ...options },
      allowPositionals: positionals,
      strict: true,
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    // Node appends advice on `--` to an unknown option: the one sentence is enough here.
    const first = (message.split('\n')[0] ?? message).split('. To specify')[0] ?? message
    throw new UsageError({
      message: first.endsWith('.') ? first : `${first}.`,
      hint: 'Run with --help for usage.',
    })
  }
}
