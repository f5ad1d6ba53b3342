import { type SettlementMode, type SupportedResponse, toV1Network } from '@tollgate/core'
import type { Address } from 'viem'

export type SupportedKindsParameters = {
  chains: readonly { chainId: number; signers: readonly Address[] }[]
  /**
   * Whether `queued` is honoured: a `queued` answer serves before anything is on-chain, so it
   * needs a ledger that outlives the process and the payer's balance checked before it.
   */
  queued: boolean
  /** Only the v1 kinds (`GET /supported?x402Version=1`). */
  x402Version?: 1 | undefined
}

/**
 * The `/supported` answer: each chain in v2 (CAIP-2) and, where it has one, its v1 name; each
 * kind's `extra.settlementModes` lists the `/settle` modes honoured there (reference clients ignore
 * `extra` of a kind). v2 answers also name the signers.
 */
export function supportedKinds({
  chains,
  queued,
  x402Version,
}: SupportedKindsParameters): SupportedResponse {
  const settlementModes: SettlementMode[] = [
    'confirmed',
    'submitted',
    ...(queued ? ['queued' as const] : []),
  ]
  const kinds: SupportedResponse['kinds'] = []
  for (const chain of chains) {
    const network = `eip155:${chain.chainId}`
    const extra = { settlementModes }
    if (x402Version !== 1) kinds.push({ x402Version: 2, scheme: 'exact', network, extra })
    // `upto` (Permit2): the payer names the account that settles it, the chain's first signer.
    const facilitatorAddress = chain.signers[0]
    if (x402Version !== 1 && facilitatorAddress)
      kinds.push({
        x402Version: 2,
        scheme: 'upto',
        network,
        extra: { ...extra, facilitatorAddress },
      })
    const v1 = toV1Network(network)
    if (v1) kinds.push({ x402Version: 1, scheme: 'exact', network: v1, extra })
  }
  if (x402Version === 1) return { kinds } as SupportedResponse
  const signers = new Set<string>()
  for (const chain of chains) for (const signer of chain.signers) signers.add(signer)
  return { kinds, extensions: [], signers: { 'eip155:*': [...signers] } }
}
