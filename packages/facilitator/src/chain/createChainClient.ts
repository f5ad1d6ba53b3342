import {
  type Chain,
  createPublicClient,
  defineChain,
  fallback,
  http,
  type PublicClient,
  type Transport,
} from 'viem'
import { FacilitatorConfigError } from '../errors.js'

export type CreateChainClientParameters = {
  chainId: number
  /** Tried in order: a URL that fails (network error, 5xx, timeout) hands the request to the next. */
  rpcUrls: readonly string[]
  /** Per-request timeout, in ms. @default 10_000 */
  timeoutMs?: number | undefined
  /** Rounds over every URL before a request fails. @default 2 */
  retryCount?: number | undefined
  /** Delay before a new round, in ms (doubles each time). @default 150 */
  retryDelayMs?: number | undefined
}

/** The facilitator's view of one chain: a public client over its RPC URLs, with failover. */
export type ChainClient = PublicClient<Transport, Chain>

/**
 * A viem public client whose transport fails over between `rpcUrls` (viem `fallback`, in the
 * given order, no ranking); concurrent requests to one URL share an HTTP request (JSON-RPC
 * batching), so a verification's nonce and balance reads cost one round trip.
 */
export function createChainClient({
  chainId,
  rpcUrls,
  timeoutMs = 10_000,
  retryCount = 2,
  retryDelayMs = 150,
}: CreateChainClientParameters): ChainClient {
  if (rpcUrls.length === 0)
    throw new FacilitatorConfigError(`Chain ${chainId} has no RPC URL.`, {
      metaMessages: ['Give each chain at least one entry in `rpcUrls`.'],
    })
  const chain = defineChain({
    id: chainId,
    name: `eip155:${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [...rpcUrls] } },
  })
  const transports = rpcUrls.map((url) =>
    http(url, { timeout: timeoutMs, retryCount: 0, batch: { wait: 0, batchSize: 100 } }),
  )
  const transport =
    transports.length === 1
      ? http(rpcUrls[0], {
          timeout: timeoutMs,
          retryCount,
          retryDelay: retryDelayMs,
          batch: { wait: 0, batchSize: 100 },
        })
      : fallback(transports, { rank: false, retryCount, retryDelay: retryDelayMs })
  return createPublicClient({ chain, transport, pollingInterval: 250 }) as ChainClient
}
