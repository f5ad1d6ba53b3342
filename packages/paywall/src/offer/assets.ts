import { type Asset, getAsset, getDefaultAsset } from '@tollgate/evm'

/** Looks a token up in the caller's registry first, then the built-in one. */
export function findAsset(
  network: string,
  address: string,
  registry: readonly Asset[] | undefined,
): Asset | undefined {
  return (
    (registry ? getAsset({ network, address, assets: registry }) : undefined) ??
    getAsset({ network, address })
  )
}

/** The network's default token (USDC), from the caller's registry first. */
export function findDefaultAsset(network: string, registry: readonly Asset[] | undefined) {
  return (
    (registry ? getDefaultAsset(network, { assets: registry }) : undefined) ??
    getDefaultAsset(network)
  )
}
