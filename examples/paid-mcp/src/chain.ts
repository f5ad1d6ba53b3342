import {
  type Chain,
  createPublicClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
} from 'viem'

/** A client for the chain behind `rpcUrl`, whichever it is (its id is asked from the node). */
export async function connect(rpcUrl: string): Promise<PublicClient<Transport, Chain>> {
  const chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId()
  const chain = defineChain({
    id: chainId,
    name: `eip155:${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  return createPublicClient({ chain, transport: http(rpcUrl) })
}
