import type { Readable } from 'node:stream'

/** Where a command writes and what it reads from its environment, so it runs in-process in tests. */
export type CliIo = {
  /** Results: the table, the JSON document, the response body. */
  stdout: { write(text: string): unknown }
  /** Progress lines and error messages. */
  stderr: { write(text: string): unknown }
  /** What `tollgate mcp` reads its MCP messages from over stdio. @default process.stdin */
  stdin?: Readable | undefined
  /** The environment (`TOLLGATE_*`). @default {} */
  env?: Readonly<Record<string, string | undefined>> | undefined
  /** Relative paths (`--config`, `--key-file`) resolve from here. @default process.cwd() */
  cwd?: string | undefined
  /** Stops a long-running command (`facilitator`, `dev --keep`), as SIGINT does for the bin. */
  signal?: AbortSignal | undefined
}

/** A command: its argv (after the command name) in, its exit code out. */
export type Command = {
  name: string
  summary: string
  run(argv: readonly string[], io: CliIo): Promise<number>
}

/** Exit codes: 0 success, 1 a runtime failure, 2 bad usage or configuration. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const
