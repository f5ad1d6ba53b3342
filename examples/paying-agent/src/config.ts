import { getDefaultAsset } from '@tollgate/evm'
import { type Address, getAddress, type Hex, isHex } from 'viem'

export type Config = {
  privateKey: Hex
  apiUrl: string
  calls: number
  network: string
  asset: Address
  assetDecimals: number
  maxPerRequest: string
  hostBudget: string
  receiptsFile: string
  /** The network's RPC, where payments are checked; unset: its public one (a registry network). */
  rpcUrl: string | undefined
}

/** Reads the settings from the environment (see `.env.example`); exits naming a wrong one. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  try {
    return parseConfig(env)
  } catch (error) {
    console.error(`paying-agent: ${(error as Error).message}`)
    process.exit(1)
  }
}

/** The settings of `.env.example`; throws naming the one that is wrong. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const read = (name: string) => env[name]?.trim() || undefined
  const required = (name: string) => {
    const value = read(name)
    if (!value) throw new Error(`${name} is not set (see .env.example).`)
    return value
  }
  const privateKey = required('AGENT_PRIVATE_KEY')
  if (!(isHex(privateKey) && privateKey.length === 66))
    throw new Error('AGENT_PRIVATE_KEY must be 0x and 64 hex digits.')
  const network = read('NETWORK') ?? 'eip155:8453'
  const usdc = getDefaultAsset(network)
  const asset = read('ASSET') ?? usdc?.address
  if (!asset) throw new Error(`No USDC known on ${network}: set ASSET.`)
  const calls = Number(read('CALLS') ?? 1)
  if (!Number.isInteger(calls) || calls < 1)
    throw new Error('CALLS must be a whole number above 0.')
  const assetDecimals = Number(read('ASSET_DECIMALS') ?? usdc?.decimals ?? 6)
  if (!Number.isInteger(assetDecimals) || assetDecimals < 0)
    throw new Error('ASSET_DECIMALS must be a whole number.')
  return {
    privateKey: privateKey as Hex,
    apiUrl: new URL(required('API_URL')).href,
    calls,
    network,
    asset: getAddress(asset),
    assetDecimals,
    maxPerRequest: read('MAX_PER_REQUEST') ?? '$0.02',
    hostBudget: read('HOST_BUDGET') ?? '$0.05',
    receiptsFile: read('RECEIPTS_FILE') ?? 'receipts.jsonl',
    rpcUrl: read('RPC_URL') && new URL(read('RPC_URL')!).href,
  }
}
