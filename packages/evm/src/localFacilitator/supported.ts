import { type SettlementMode, type SupportedResponse, toV1Network } from '@tollgate/core'
import type { Address } from 'viem'
import { getChainId } from 'viem/actions'
import type { LocalFacilitatorContext } from './context.js'

/**
 * The modes a local facilitator honours, as its `/supported` lists them. `queued` is not among
 * them: there is no durable queue in a process. Asked for `queued` anyway, it answers once the
 * transaction is broadcast, as for `submitted` (a later answer, never an earlier one).
 */
const honouredModes: readonly SettlementMode[] = ['confirmed', 'submitted']

/** `exact` (v2, and v1 where the chain has a v1 name) and `upto` on the client's chain. */
export async function localSupported({
  publicClient,
  walletClient,
}: LocalFacilitatorContext): Promise<SupportedResponse> {
  const chainId = publicClient.chain?.id ?? (await getChainId(publicClient))
  const network = `eip155:${chainId}`
  const v1 = toV1Network(network)
  const extra = { settlementModes: [...honouredModes] }
  const facilitatorAddress = walletClient.account.address as Address
  return {
    kinds: [
      { x402Version: 2, scheme: 'exact', network, extra },
      { x402Version: 2, scheme: 'upto', network, extra: { ...extra, facilitatorAddress } },
      ...(v1 ? [{ x402Version: 1, scheme: 'exact', network: v1, extra }] : []),
    ],
    extensions: [],
    signers: { 'eip155:*': [facilitatorAddress] },
  }
}
