import { NotEvmNetworkError, UnknownNetworkError } from './errors/network.js'

/**
 * The x402 v1 network names and their CAIP-2 ids. Sources: the legacy `x402` package
 * (`typescript/packages/legacy/x402/src/types/shared/network.ts`), the v1 table of `@x402/evm`
 * 2.27 (`EVM_NETWORK_CHAIN_ID_MAP`, which adds ethereum, sepolia, megaeth, monad, stable, celo,
 * flare), and the v1 maps of the reference SVM (`V1_TO_V2_NETWORK_MAP`) and AVM mechanisms.
 */
export const v1Networks = {
  // EVM
  ethereum: 'eip155:1',
  sepolia: 'eip155:11155111',
  abstract: 'eip155:2741',
  'abstract-testnet': 'eip155:11124',
  'base-sepolia': 'eip155:84532',
  base: 'eip155:8453',
  'avalanche-fuji': 'eip155:43113',
  avalanche: 'eip155:43114',
  iotex: 'eip155:4689',
  sei: 'eip155:1329',
  'sei-testnet': 'eip155:1328',
  polygon: 'eip155:137',
  'polygon-amoy': 'eip155:80002',
  peaq: 'eip155:3338',
  story: 'eip155:1514',
  educhain: 'eip155:41923',
  'skale-base-sepolia': 'eip155:324705682',
  megaeth: 'eip155:4326',
  monad: 'eip155:143',
  stable: 'eip155:988',
  'stable-testnet': 'eip155:2201',
  celo: 'eip155:42220',
  flare: 'eip155:14',
  // Solana (the reference is the genesis hash, truncated to 32 characters by CAIP-30)
  solana: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
  'solana-devnet': 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
  'solana-testnet': 'solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z',
  // Algorand (the reference is the base64 genesis hash)
  'algorand-mainnet': 'algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73ktiC1qzkkit8=',
  'algorand-testnet': 'algorand:SGO1GKSzyE7IEPItTxCByw9x8FmnrCDexi9/cOUJOiI=',
} as const

/** An x402 v1 network name. */
export type V1Network = keyof typeof v1Networks

/** A network resolved from a CAIP-2 id or a v1 name. */
export type ParsedNetwork = {
  /** The CAIP-2 id, e.g. `eip155:84532`. */
  caip2: string
  /** The CAIP-2 namespace. */
  namespace: 'eip155' | 'solana' | (string & {})
  /** The CAIP-2 reference, e.g. `84532`. */
  reference: string
  /** The EVM chain id, for `eip155` networks. */
  chainId?: number | undefined
  /** The v1 name, when the network has one. */
  v1Name?: V1Network | undefined
}

/** The error {@link parseNetwork} throws. */
export type ParseNetworkErrorType = UnknownNetworkError

let caip2ToV1: Map<string, V1Network> | undefined
function getV1Name(caip2: string): V1Network | undefined {
  if (!caip2ToV1) {
    caip2ToV1 = new Map()
    for (const name of Object.keys(v1Networks) as V1Network[]) caip2ToV1.set(v1Networks[name], name)
  }
  return caip2ToV1.get(caip2)
}

/**
 * Resolves a CAIP-2 id (`eip155:84532`) or an x402 v1 name (`base-sepolia`) to its parts;
 * throws `UnknownNetworkError` for anything else.
 *
 * @example
 * ```ts
 * import { parseNetwork } from '@tollgate/core'
 * parseNetwork('base-sepolia') // { caip2: 'eip155:84532', namespace: 'eip155', reference: '84532', chainId: 84532, v1Name: 'base-sepolia' }
 * ```
 */
export function parseNetwork(network: string): ParsedNetwork {
  if (typeof network !== 'string') throw new UnknownNetworkError({ network })
  const caip2 = Object.hasOwn(v1Networks, network) ? v1Networks[network as V1Network] : network
  const colon = caip2.indexOf(':')
  if (colon < 0) throw new UnknownNetworkError({ network })
  const namespace = caip2.slice(0, colon)
  const reference = caip2.slice(colon + 1)
  if (!isNamespace(namespace) || !isReference(reference)) throw new UnknownNetworkError({ network })

  const v1Name = getV1Name(caip2)
  if (namespace !== 'eip155') {
    return v1Name ? { caip2, namespace, reference, v1Name } : { caip2, namespace, reference }
  }
  const chainId = parseChainId(reference)
  if (chainId === undefined) throw new UnknownNetworkError({ network })
  return v1Name
    ? { caip2, namespace, reference, chainId, v1Name }
    : { caip2, namespace, reference, chainId }
}

/** The CAIP-2 id of a network given as CAIP-2 or as a v1 name. */
export function toCaip2(network: string): string {
  return parseNetwork(network).caip2
}

/** The v1 name of a network, or `undefined` when it has none (e.g. `eip155:31337`). */
export function toV1Network(network: string): V1Network | undefined {
  return parseNetwork(network).v1Name
}

/** The EVM chain id of a network; throws `NotEvmNetworkError` outside `eip155`. */
export function getEvmChainId(network: string): number {
  const parsed = parseNetwork(network)
  if (parsed.chainId === undefined) throw new NotEvmNetworkError({ network: parsed.caip2 })
  return parsed.chainId
}

// CAIP-2: namespace [-a-z0-9]{3,8}.
function isNamespace(value: string): boolean {
  if (value.length < 3 || value.length > 8) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45)) return false
  }
  return true
}

// CAIP-2 allows [-_a-zA-Z0-9]{1,32}; x402 also uses base64 genesis hashes (Algorand), so
// "+", "/", "=" and "." are let through and the length raised to 64.
function isReference(value: string): boolean {
  if (value.length < 1 || value.length > 64) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    const ok =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 45 || // -
      c === 95 || // _
      c === 43 || // +
      c === 47 || // /
      c === 61 || // =
      c === 46 // .
    if (!ok) return false
  }
  return true
}

// A canonical decimal chain id: no sign, no leading zero, a positive safe integer.
function parseChainId(reference: string): number | undefined {
  if (reference.length > 16 || reference.charCodeAt(0) === 48) return undefined
  for (let i = 0; i < reference.length; i++) {
    const c = reference.charCodeAt(i)
    if (c < 48 || c > 57) return undefined
  }
  const chainId = Number(reference)
  return Number.isSafeInteger(chainId) && chainId > 0 ? chainId : undefined
}
