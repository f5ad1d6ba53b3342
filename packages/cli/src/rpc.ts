import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { UsageError } from './errors.js'

/** The variable read when `--rpc` is not given. */
export const rpcVariable = 'TOLLGATE_RPC_URL'

/**
 * The JSON-RPC URL: `--rpc`, else `TOLLGATE_RPC_URL` (flags before the environment), or
 * `undefined` when neither is set. A malformed one is a `UsageError`.
 */
export function readRpcUrl(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>> | undefined,
): string | undefined {
  const rpc = flag ?? env?.[rpcVariable]
  if (rpc === undefined || rpc === '') return undefined
  if (!/^(https?|wss?):\/\//.test(rpc) || !URL.canParse(rpc))
    throw new UsageError({ message: `Bad --rpc "${rpc}": expected an http(s) URL.` })
  return rpc
}

/** What `connect` returns: clients bound to the RPC's chain. */
export type Connection = {
  chainId: number
  /** `eip155:<chainId>`. */
  network: `eip155:${number}`
  publicClient: PublicClient<Transport, Chain>
  walletClient: WalletClient<Transport, Chain, Account> | undefined
}

/** A public client on `rpc` (its chain read once), and a wallet client for `account` on it. */
export async function connect(rpc: string, account?: Account | undefined): Promise<Connection> {
  const chainId = await createPublicClient({ transport: http(rpc) }).getChainId()
  const chain = defineChain({
    id: chainId,
    name: `eip155:${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  })
  const publicClient = createPublicClient({ chain, transport: http(rpc) })
  const walletClient = account
    ? createWalletClient({ chain, account, transport: http(rpc) })
    : undefined
  return { chainId, network: `eip155:${chainId}`, publicClient, walletClient }
}
