import { type Address, getAddress, type Hex, isHex } from 'viem'

export type Config = {
  rpcUrl: string
  payTo: Address
  usdcAddress: Address | undefined
  facilitatorUrl: string | undefined
  facilitatorApiKey: string | undefined
  settlerKey: Hex | undefined
  host: string
  port: number
}

/** Reads the settings from the environment (see `.env.example`); says which one is wrong. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const required = (name: string) => {
    const value = env[name]?.trim()
    if (!value) throw new Error(`${name} is not set (see .env.example).`)
    return value
  }
  const facilitatorUrl = env.FACILITATOR_URL?.trim() || undefined
  const settlerKey = env.SETTLER_PRIVATE_KEY?.trim() || undefined
  if (!facilitatorUrl && !settlerKey)
    throw new Error('Set FACILITATOR_URL, or SETTLER_PRIVATE_KEY to settle in this process.')
  if (settlerKey && !(isHex(settlerKey) && settlerKey.length === 66))
    throw new Error('SETTLER_PRIVATE_KEY must be 0x and 64 hex digits.')
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error('PORT must be a port number.')
  return {
    rpcUrl: required('RPC_URL'),
    payTo: getAddress(required('PAY_TO')),
    usdcAddress: env.USDC_ADDRESS?.trim() ? getAddress(env.USDC_ADDRESS.trim()) : undefined,
    facilitatorUrl,
    facilitatorApiKey: env.FACILITATOR_API_KEY?.trim() || undefined,
    settlerKey: settlerKey as Hex | undefined,
    host: env.HOST?.trim() || '127.0.0.1',
    port,
  }
}
