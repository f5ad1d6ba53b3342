import { type Address, getAddress, type Hex, isHex } from 'viem'

/** The server's settings, from the environment (see `.env.example`). */
export type ServerConfig = {
  rpcUrl: string
  payTo: Address
  usdcAddress: Address
  settlerKey: Hex
  host: string
  port: number
}

/** The agent's settings, from the environment. */
export type AgentConfig = {
  mcpUrl: string
  privateKey: Hex
  rpcUrl: string
  usdcAddress: Address
  calls: number
  maxPerCall: string
  budget: string
}

function reader(env: NodeJS.ProcessEnv) {
  return (name: string, fallback?: string) => {
    const value = env[name]?.trim() || fallback
    if (!value) throw new Error(`${name} is not set (see .env.example).`)
    return value
  }
}

function key(name: string, value: string): Hex {
  if (!(isHex(value) && value.length === 66))
    throw new Error(`${name} must be 0x and 64 hex digits.`)
  return value
}

/** Reads the server's settings; says which one is missing or wrong. */
export function readServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const read = reader(env)
  const port = Number(read('PORT', '3001'))
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error('PORT must be a port number.')
  return {
    rpcUrl: read('RPC_URL'),
    payTo: getAddress(read('PAY_TO')),
    usdcAddress: getAddress(read('USDC_ADDRESS')),
    settlerKey: key('SETTLER_PRIVATE_KEY', read('SETTLER_PRIVATE_KEY')),
    host: read('HOST', '127.0.0.1'),
    port,
  }
}

/** Reads the agent's settings; says which one is missing or wrong. */
export function readAgentConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const read = reader(env)
  const calls = Number(read('CALLS', '3'))
  if (!Number.isInteger(calls) || calls < 1) throw new Error('CALLS must be a whole number.')
  return {
    mcpUrl: read('MCP_URL'),
    privateKey: key('AGENT_PRIVATE_KEY', read('AGENT_PRIVATE_KEY')),
    rpcUrl: read('RPC_URL'),
    usdcAddress: getAddress(read('USDC_ADDRESS')),
    calls,
    maxPerCall: read('MAX_PER_CALL', '$0.02'),
    budget: read('BUDGET', '$0.05'),
  }
}
