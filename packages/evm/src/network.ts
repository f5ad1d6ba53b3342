import { parseNetwork } from '@tollgate/core'

const caip2Pattern = /^eip155:([1-9][0-9]{0,15})$/

/**
 * The EVM chain id of a network (`eip155:8453` or a v1 name such as `base`), or `undefined` when
 * the network is not an EVM network we know. Never throws: verification turns `undefined` into a
 * reason string.
 */
export function getChainId(network: string): number | undefined {
  // The CAIP-2 form is the common case on the verification hot path: no lookup.
  const match = caip2Pattern.exec(network)
  if (match) {
    const id = Number(match[1])
    return Number.isSafeInteger(id) ? id : undefined
  }
  try {
    const parsed = parseNetwork(network)
    return parsed.namespace === 'eip155' ? parsed.chainId : undefined
  } catch {
    return undefined
  }
}
