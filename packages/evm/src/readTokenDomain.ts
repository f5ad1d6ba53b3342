import type { Address, Chain, Client, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { erc20Abi } from './abis.js'
import { isContractFailure } from './contractFailure.js'

/** A token's EIP-712 `name()` and `version()`; a field is `undefined` when the token lacks the getter. */
export type TokenDomain = { name: string | undefined; version: string | undefined }

export type ReadTokenDomainParameters = {
  asset: Address
  /** Reuse a previous answer for this client and asset (names and versions do not change). @default true */
  cache?: boolean | undefined
}

type Entry = { expires: number; value: Promise<TokenDomain> }

// Per client (so two chains never share an answer), per asset. An answer is kept for an hour; a
// token without the getters is asked again after a minute in case that was a passing RPC fault.
const caches = new WeakMap<object, Map<string, Entry>>()
const ttl = 3_600_000
const failureTtl = 60_000
const maxEntries = 4096

/**
 * Reads a token's EIP-712 `name()` and `version()` (two reads in parallel), cached per client and
 * asset, so verification can tell a wrong `extra.name`/`extra.version` without an RPC per request.
 */
export async function readTokenDomain(
  client: Client<Transport, Chain | undefined>,
  { asset, cache = true }: ReadTokenDomainParameters,
): Promise<TokenDomain> {
  if (!cache) return read(client, asset)
  let entries = caches.get(client)
  if (!entries) {
    entries = new Map()
    caches.set(client, entries)
  }
  const key = asset.toLowerCase()
  const now = Date.now()
  const hit = entries.get(key)
  if (hit && hit.expires > now) return hit.value
  if (entries.size >= maxEntries) entries.clear()
  const value = read(client, asset)
  const entry: Entry = { expires: now + ttl, value }
  entries.set(key, entry)
  value.then(
    (domain) => {
      if (domain.name === undefined || domain.version === undefined)
        entry.expires = Date.now() + failureTtl
    },
    () => entries.delete(key),
  )
  return value
}

async function read(
  client: Client<Transport, Chain | undefined>,
  asset: Address,
): Promise<TokenDomain> {
  const [name, version] = await Promise.all([
    readOptional(() =>
      readContract(client, { address: asset, abi: erc20Abi, functionName: 'name' }),
    ),
    readOptional(() =>
      readContract(client, { address: asset, abi: erc20Abi, functionName: 'version' }),
    ),
  ])
  return { name, version }
}

async function readOptional(fn: () => Promise<string>): Promise<string | undefined> {
  try {
    return await fn()
  } catch (error) {
    if (isContractFailure(error)) return undefined
    throw error
  }
}
