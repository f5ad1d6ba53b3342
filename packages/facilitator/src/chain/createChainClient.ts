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
import { createRpcFetch } from './createRpcFetch.js'
import { observeRpcFetch, type RpcObservation } from './observeRpc.js'

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
  /** Told of every exchange with a node: method, endpoint, duration, outcome. */
  onRpc?: ((observation: RpcObservation) => void) | undefined
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
  onRpc,
}: CreateChainClientParameters): ChainClient {
  if (rpcUrls.length === 0)
    throw new FacilitatorConfigError({
      field: 'rpcUrls',
      chainId,
      reason: 'no RPC URL.',
      hint: 'Give each chain at least one entry in `rpcUrls`.',
    })
  for (const [index, url] of rpcUrls.entries())
    if (!/^https?:$/.test(safeProtocol(url)))
      throw new FacilitatorConfigError({
        field: 'rpcUrls',
        chainId,
        reason: `RPC URL ${index + 1} is not an http(s) URL.`,
      })
  // viem names the URL in its errors, and an RPC URL often carries an API key: the transports
  // are given a redacted URL (origin only) and fetch the real one, so errors never hold the key.
  const urls = rpcUrls.map((url) => ({ url, shown: redactUrl(url) }))
  const chain = defineChain({
    id: chainId,
    name: `eip155:${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: urls.map((u) => u.shown) } },
  })
  const fetchFor = (url: string, index: number) =>
    onRpc ? observeRpcFetch(createRpcFetch(url), index + 1, onRpc) : createRpcFetch(url)
  const transportFor = ({ url, shown }: (typeof urls)[number], index: number, retries: number) =>
    http(shown, {
      timeout: timeoutMs,
      retryCount: retries,
      retryDelay: retryDelayMs,
      batch: { wait: 0, batchSize: 100 },
      fetchFn: fetchFor(url, index),
    })
  const transport =
    urls.length === 1
      ? transportFor(urls[0]!, 0, retryCount)
      : fallback(
          urls.map((u, index) => transportFor(u, index, 0)),
          { rank: false, retryCount, retryDelay: retryDelayMs },
        )
  return createPublicClient({ chain, transport, pollingInterval: 250 }) as ChainClient
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol
  } catch {
    return ''
  }
}

/** `https://host:port/...`: the URL without credentials, path or query (where keys live). */
export function redactUrl(url: string): string {
  const parsed = new URL(url)
  const hidden = parsed.pathname.length > 1 || parsed.search || parsed.username || parsed.password
  return `${parsed.protocol}//${parsed.host}${hidden ? '/...' : '/'}`
}
