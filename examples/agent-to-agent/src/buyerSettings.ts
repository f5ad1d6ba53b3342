// What both buyers (over HTTP and over A2A) read from the environment, and the chain, token and
// account they pay with.
import { formatMoney } from '@tollgate/core'
import { getAddress, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain.js'
import { readToken } from './token.js'

export const fail = (message: string): never => {
  console.error(`buyer: ${message}`)
  process.exit(1)
}
export const env = (name: string) => process.env[name]?.trim() || undefined
export const rpcUrl = env('RPC_URL') ?? fail('RPC_URL is not set (see .env.example).')
export const key =
  env('BUYER_PRIVATE_KEY') ?? fail('BUYER_PRIVATE_KEY is not set (see .env.example).')
if (!(isHex(key) && key.length === 66)) fail('BUYER_PRIVATE_KEY must be 0x and 64 hex digits.')
export const identityRegistry =
  env('IDENTITY_REGISTRY') ?? fail('IDENTITY_REGISTRY is not set (see .env.example).')
export const reputationRegistry = getAddress(
  env('REPUTATION_REGISTRY') ?? fail('REPUTATION_REGISTRY is not set (see .env.example).'),
)
export const calls = Number(env('CALLS') ?? 3)
// Agents serve https; plain http is for a local devnet only.
export const fetchOptions = { allowHttp: env('ALLOW_HTTP') === '1' }

export const publicClient = await connect(rpcUrl)
export const usdcAddress = env('USDC_ADDRESS')
export const token = await readToken(
  publicClient,
  usdcAddress ? getAddress(usdcAddress) : undefined,
)
export const account = privateKeyToAccount(key as `0x${string}`)
export const usd = (amount: bigint) => `$${formatMoney(amount, { decimals: token.decimals })}`
