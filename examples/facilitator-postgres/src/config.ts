import { type Address, getAddress, type Hex, isHex } from 'viem'

export type Config = {
  databaseUrl: string
  rpcUrls: string[]
  settlerKey: Hex
  usdcAddress: Address | undefined
  batchSettler: Address | undefined
  mode: 'confirmed' | 'submitted' | 'queued'
  instanceId: string
  apiKeys: string[]
  host: string
  port: number
}

/** Reads the settings from the environment (see `.env.example`); says which one is wrong. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const read = (name: string) => env[name]?.trim() || undefined
  const required = (name: string) => {
    const value = read(name)
    if (!value) throw new Error(`${name} is not set (see .env.example).`)
    return value
  }
  const list = (name: string) =>
    (read(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
  const databaseUrl = required('DATABASE_URL')
  if (!/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new Error('DATABASE_URL must be a postgres:// connection string.')
  const rpcUrls = list('RPC_URLS')
  if (rpcUrls.length === 0) throw new Error('RPC_URLS is not set (see .env.example).')
  const settlerKey = required('SETTLER_PRIVATE_KEY')
  if (!(isHex(settlerKey) && settlerKey.length === 66))
    throw new Error('SETTLER_PRIVATE_KEY must be 0x and 64 hex digits.')
  const mode = read('MODE') ?? 'submitted'
  if (mode !== 'confirmed' && mode !== 'submitted' && mode !== 'queued')
    throw new Error('MODE must be confirmed, submitted or queued.')
  const port = Number(read('PORT') ?? 4020)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error('PORT must be a port number.')
  const address = (name: string) => {
    const value = read(name)
    return value ? getAddress(value) : undefined
  }
  return {
    databaseUrl,
    rpcUrls,
    settlerKey: settlerKey as Hex,
    usdcAddress: address('USDC_ADDRESS'),
    batchSettler: address('BATCH_SETTLER'),
    mode,
    instanceId: required('INSTANCE_ID'),
    apiKeys: list('API_KEYS'),
    host: read('HOST') ?? '127.0.0.1',
    port,
  }
}
