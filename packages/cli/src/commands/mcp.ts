import { type CliIo, type Command, exitCodes } from '../io.js'
import { createAgentServer } from '../mcp/createAgentServer.js'
import { loadMcpConfig } from '../mcp/mcpConfig.js'
import { prepareAgent } from '../mcp/prepareAgent.js'
import { serveHttp, serveStdio } from '../mcp/serveAgent.js'
import { createOutput, reportError } from '../output.js'
import { parseArgs } from '../parseArgs.js'

const help = `Usage: tollgate mcp [options]

An MCP server for LLM agents: its tools let a model pay for x402 HTTP APIs from this wallet,
within the policy configured here (the model cannot raise it). Served over stdio, for an MCP host
that starts it (Claude Desktop, Cursor, an agent framework), or Streamable HTTP with --http.

Tools:
  x402_fetch         call a URL; pay its 402 (at most --max-per-call, or the call's lower
                     maxPrice, within the budget); a refusal is returned with its reason, unsigned
  x402_budget        the ceiling of one call, and the budget's use and what is left
  x402_purchases     the payments made and their states (settled, refused, indeterminate)
  x402_find_agents   agents of an ERC-8004 Identity Registry, their services and wallets

Configuration: flags, else TOLLGATE_* variables, else the --config JSON file (keys in brackets).
  --config <file>          a JSON file                          env TOLLGATE_CONFIG
  --key-file <file>        the paying key (hex) [keyFile]       env TOLLGATE_KEY_FILE, or the key
                           itself in TOLLGATE_PRIVATE_KEY
  --max-per-call <amount>  the most one call may cost, whole units [maxPerCall] (default $0.10)
                                                                env TOLLGATE_MAX_PER_CALL
  --budget <amount>        all calls within the window [budget.limit] (default $1)
                                                                env TOLLGATE_BUDGET
  --budget-window-ms <ms>  the budget's window [budget.windowMs] (default 86400000, a day)
                                                                env TOLLGATE_BUDGET_WINDOW_MS
  --rpc <url>              the chain paid on: reads --asset tokens, checks refused payments,
                           finds agents [rpcUrl]                env TOLLGATE_RPC_URL
  --asset <address>        a token outside the built-in USDC registry; repeatable [assets]
                                                                env TOLLGATE_USDC
  --registry <address>     the ERC-8004 Identity Registry [identityRegistry]
                                                                env TOLLGATE_IDENTITY_REGISTRY
  --receipts <file>        append every receipt (JSON Lines) [receipts]  env TOLLGATE_RECEIPTS
  --allow-http             pay plain-http hosts that are not loopback [allowHttp]
                                                                env TOLLGATE_ALLOW_HTTP
  --http                   serve Streamable HTTP at http://<host>:<port>/mcp [transport: "http"]
  --host <host>            (default 127.0.0.1) [host]           env TOLLGATE_MCP_HOST
  --port <port>            (default 3402; 0 picks one) [port]   env TOLLGATE_MCP_PORT
  -h, --help               show this help

The key never reaches a tool result or a log. stdout is the MCP channel over stdio; progress and
errors go to stderr.

Examples:
  tollgate mcp --key-file ./agent.key --max-per-call '$0.05' --budget '$2'
  tollgate mcp --config tollgate-mcp.json --http --port 3402
  # an MCP host's configuration (claude_desktop_config.json, .cursor/mcp.json):
  { "mcpServers": { "tollgate": { "command": "npx", "args": ["-y", "@tollgate/cli", "mcp",
    "--key-file", "/home/me/.config/tollgate/agent.key", "--max-per-call", "$0.05"] } } }
`

const options = {
  config: { type: 'string' },
  'key-file': { type: 'string' },
  'max-per-call': { type: 'string' },
  budget: { type: 'string' },
  'budget-window-ms': { type: 'string' },
  rpc: { type: 'string' },
  asset: { type: 'string', multiple: true },
  registry: { type: 'string' },
  receipts: { type: 'string' },
  'allow-http': { type: 'boolean' },
  http: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
} as const

/** `tollgate mcp`: an MCP server whose tools pay x402 APIs within the configured policy. */
export async function runMcp(argv: readonly string[], io: CliIo): Promise<number> {
  // stdout may be the MCP channel: nothing but MCP messages is written there over stdio.
  const output = createOutput({ ...io, stdout: io.stderr }, { json: false })
  try {
    const { values } = parseArgs(argv, options, { positionals: false })
    if (values.help) {
      io.stdout.write(help)
      return exitCodes.ok
    }
    const config = await loadMcpConfig({ flags: values, env: io.env, cwd: io.cwd })
    const agent = await prepareAgent(config, { io, output })
    output.progress(
      `paying from ${agent.address}: at most ${config.maxPerCall} a call, ${config.budget.limit} per ${config.budget.windowMs} ms`,
    )
    const build = () => createAgentServer(agent, { config, redact: output.redact })
    if (config.transport === 'http') {
      const stdout = createOutput(io, { json: false })
      await serveHttp(build, {
        io,
        output: { ...output, stdout: (text) => stdout.stdout(output.redact(text)) },
        host: config.host,
        port: config.port,
      })
    } else await serveStdio(build(), { io, output })
    return exitCodes.ok
  } catch (error) {
    return reportError(output, 'mcp', error)
  }
}

export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'an MCP server whose tools let a model pay x402 APIs within a budget',
  run: runMcp,
}
