import type { PaymentRequirements } from '@tollgate/core'
import { type Asset, getAsset, readAsset } from '@tollgate/evm'
import { type Address, isAddress } from 'viem'
import { AssetUnreadableError, UsageError } from '../errors.js'
import type { Connection } from '../rpc.js'

/** The variable read when no `--asset` is given: the test USDC `tollgate dev --keep` prints. */
export const assetVariable = 'TOLLGATE_USDC'

/**
 * The token addresses to accept besides the built-in registry: the `--asset` flags, else
 * `TOLLGATE_USDC` (flags before the environment; the flags replace the variable, they do not add
 * to it).
 */
export function readAssetAddresses(
  flags: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>> | undefined,
): Address[] {
  const fromFlags = flags !== undefined && flags.length > 0
  const texts = fromFlags ? flags : env?.[assetVariable] ? [env[assetVariable]] : []
  return texts.map((text) => {
    if (!isAddress(text, { strict: false }))
      throw new UsageError({
        message: `Bad ${fromFlags ? '--asset' : assetVariable} "${text}": expected a token address.`,
      })
    return text
  })
}

export type ReadPayAssetsParameters = {
  /** From `readAssetAddresses`. */
  addresses: readonly Address[]
  /** The 402's options: only tokens it offers are read. */
  accepts: readonly PaymentRequirements[]
  /** The `--rpc` connection, `{ unreachable }` when it could not be reached, or `undefined`. */
  connection: Connection | Unreachable | undefined
}

/** An RPC that did not answer, with why. */
export type Unreachable = { unreachable: unknown }

/**
 * The named tokens the 402 offers and the registry does not know, read on-chain (`readAsset`): their
 * decimals decide what `--max` means, their EIP-712 domain what is signed. Without an RPC, or when
 * the read fails, nothing can be paid in them: the error says so before anything is signed.
 */
export async function readPayAssets({
  addresses,
  accepts,
  connection,
}: ReadPayAssetsParameters): Promise<Asset[]> {
  const wanted = addresses.filter((address) =>
    accepts.some(
      (accept) =>
        accept.asset.toLowerCase() === address.toLowerCase() &&
        getAsset({ network: accept.network, address }) === undefined,
    ),
  )
  if (wanted.length === 0) return []
  if (connection && 'unreachable' in connection)
    throw new AssetUnreadableError({ asset: wanted[0]!, cause: connection.unreachable })
  if (!connection)
    throw new UsageError({
      message: `The token ${wanted[0]} is not in the built-in registry: its decimals must be read on-chain.`,
      hint: 'Pass --rpc <url> or set TOLLGATE_RPC_URL (the chain the 402 asks to pay on).',
    })
  return Promise.all(wanted.map((address) => readOffered(connection, address, accepts)))
}

async function readOffered(
  connection: Connection,
  address: Address,
  accepts: readonly PaymentRequirements[],
): Promise<Asset> {
  const asked = accepts
    .filter((accept) => accept.asset.toLowerCase() === address.toLowerCase())
    .map((accept) => accept.network)
  if (!asked.includes(connection.network))
    throw new UsageError({
      message: `--rpc serves ${connection.network}; the 402 asks for ${address} on ${asked.join(', ')}.`,
    })
  try {
    return await readAsset(connection.publicClient, { address })
  } catch (cause) {
    throw new AssetUnreadableError({ asset: address, cause })
  }
}
