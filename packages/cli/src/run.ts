import { agentCommand } from './commands/agent.js'
import { devCommand } from './commands/dev.js'
import { facilitatorCommand } from './commands/facilitator.js'
import { mcpCommand } from './commands/mcp.js'
import { payCommand } from './commands/pay.js'
import { type CliIo, type Command, exitCodes } from './io.js'
import { version } from './version.js'

/** Every command of `tollgate`. */
export const commands: readonly Command[] = [
  devCommand,
  facilitatorCommand,
  payCommand,
  agentCommand,
  mcpCommand,
]

const help = `Usage: tollgate <command> [options]

x402 payments and ERC-8004 agent identities from the command line.

Commands:
${commands.map((command) => `  ${command.name.padEnd(12)} ${command.summary}`).join('\n')}

Every command takes --help (with examples) and --json (one JSON document on stdout).
Exit codes: 0 success, 1 a runtime failure, 2 bad usage or configuration.

Examples:
  tollgate dev
  tollgate pay https://api.example.com/report --key-file ./agent.key --max '$0.05'
  tollgate facilitator --config facilitator.json
  tollgate agent resolve 7 --rpc https://sepolia.base.org --registry 0x8004...
  tollgate mcp --key-file ./agent.key --max-per-call '$0.05' --budget '$2'
`

/**
 * Runs `tollgate` with `argv` (without `node` and the script) and returns the exit code. Writes
 * only to `io`, reads only `io.env`: the bin passes the process's streams, environment and a
 * signal aborted by SIGINT/SIGTERM.
 *
 * @example
 * import { run } from '@tollgate/cli'
 *
 * const code = await run(['pay', url, '--dry-run'], { stdout: process.stdout, stderr: process.stderr })
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help)
    return name === undefined ? exitCodes.usage : exitCodes.ok
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version}\n`)
    return exitCodes.ok
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (!command) {
    io.stderr.write(
      `tollgate: unknown command "${name}"\n  Run tollgate --help for the commands.\n`,
    )
    return exitCodes.usage
  }
  return command.run(rest, io)
}
