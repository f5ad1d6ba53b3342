import type { Address } from 'viem'
import { getChainId } from './network.js'
import type { AssetTransferMethod } from './permit2.js'

/** A token the exact scheme can pay with, with the EIP-712 domain its `transferWithAuthorization` checks. */
export type Asset = {
  chainId: number
  network: `eip155:${number}`
  address: Address
  symbol: string
  decimals: number
  /** The token's on-chain EIP-712 domain `name()` / `version()`; both differ between chains. */
  eip712: { name: string; version: string }
  /**
   * How the token is paid: `eip3009` (its own `transferWithAuthorization`, USDC) or `permit2`
   * (through Permit2 and the x402 proxies, for any ERC-20). @default 'eip3009'
   */
  assetTransferMethod?: AssetTransferMethod | undefined
}

/**
 * USDC per chain, with the EIP-712 domain each deployment really uses (the name is "USD Coin" on
 * some chains and "USDC" on others; a wrong one gives signatures that only fail on-chain).
 *
 * Sources, checked against each other:
 * - [ref] coinbase/x402 `typescript/packages/mechanisms/evm/src/shared/defaultAssets.ts`
 *   (as shipped in `@x402/evm` 2.27.0, `DEFAULT_ASSETS`);
 * - [legacy] `x402` 1.2.0 `src/types/shared/evm/config.ts` (`usdcName`);
 * - [onchain] `name()` read on-chain as reported in x402-foundation/x402#3105 (Monad) and
 *   DROOdotFOO/raxol#261 (Ethereum, Base, OP, Arbitrum, Polygon mainnets; Ethereum, Base, OP
 *   Sepolia; Arbitrum Sepolia), and x402-rs's deployment table (Sepolia, OP Sepolia).
 * Where a third-party table disagrees (x402-rs forks list Polygon and Arbitrum Sepolia as "USDC"),
 * the reference and the on-chain reports win: both are "USD Coin".
 */
export const assets = [
  // Mainnets
  {
    // [ref] [legacy] [onchain]
    chainId: 8453,
    network: 'eip155:8453',
    address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
  {
    // [ref] [onchain]
    chainId: 1,
    network: 'eip155:1',
    address: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
  {
    // [ref] [onchain]
    chainId: 42161,
    network: 'eip155:42161',
    address: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
  {
    // [onchain] (not in the reference tables)
    chainId: 10,
    network: 'eip155:10',
    address: '0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
  {
    // [ref] [legacy] [onchain]
    chainId: 137,
    network: 'eip155:137',
    address: '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
  {
    // [ref] [legacy]
    chainId: 43114,
    network: 'eip155:43114',
    address: '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
  {
    // [ref] (fixed from "USD Coin" in x402-foundation/x402#3105)
    chainId: 143,
    network: 'eip155:143',
    address: '0x754704Bc059F8C67012fEd69BC8A327a5aafb603',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  {
    // [ref]
    chainId: 42220,
    network: 'eip155:42220',
    address: '0xcebA9300f2b948710d2653dD7B07f33A8B32118C',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  {
    // [ref] [legacy]
    chainId: 1329,
    network: 'eip155:1329',
    address: '0xe15fC38F6D8c56aF07bbCBe3BAf5708A2Bf42392',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  // Testnets
  {
    // [ref] [legacy] [onchain]
    chainId: 84532,
    network: 'eip155:84532',
    address: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  {
    // [onchain] (not in the reference tables)
    chainId: 11155111,
    network: 'eip155:11155111',
    address: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  {
    // [ref] [onchain]: "USD Coin", unlike the other Sepolia deployments
    chainId: 421614,
    network: 'eip155:421614',
    address: '0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
  {
    // [onchain] (not in the reference tables)
    chainId: 11155420,
    network: 'eip155:11155420',
    address: '0x5fd84259d66Cd46123540766Be93DFE6D43130D7',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  {
    // [legacy]
    chainId: 80002,
    network: 'eip155:80002',
    address: '0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  {
    // [legacy]
    chainId: 43113,
    network: 'eip155:43113',
    address: '0x5425890298aed601595a70AB815c96711a31Bc65',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
  {
    // [ref]
    chainId: 11142220,
    network: 'eip155:11142220',
    address: '0x01C5C0122039549AD1493B8220cABEdD739BC44E',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
  {
    // [ref] [legacy]
    chainId: 1328,
    network: 'eip155:1328',
    address: '0x4fCF1784B31630811181f670Aea7A7bEF803eaED',
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USDC', version: '2' },
  },
] as const satisfies readonly Asset[]

// Lookups run on the verification hot path, so each registry is indexed once, on first use.
const indexes = new WeakMap<readonly Asset[], Map<string, Asset>>()

function indexOf(registry: readonly Asset[]): Map<string, Asset> {
  let index = indexes.get(registry)
  if (index) return index
  index = new Map()
  for (const asset of registry) {
    const key = `${asset.chainId}:${asset.address.toLowerCase()}`
    if (!index.has(key)) index.set(key, asset)
    // The first asset of a chain is its default.
    if (!index.has(`${asset.chainId}:`)) index.set(`${asset.chainId}:`, asset)
  }
  indexes.set(registry, index)
  return index
}

export type GetAssetParameters = {
  /** CAIP-2 (`eip155:8453`) or a v1 name (`base`). */
  network: string
  address: string
  /** The registry to search. @default assets */
  assets?: readonly Asset[] | undefined
}

/** Finds the registry entry for a token on a network, or `undefined`. */
export function getAsset({
  network,
  address,
  assets: registry = assets,
}: GetAssetParameters): Asset | undefined {
  const chainId = getChainId(network)
  if (chainId === undefined) return undefined
  return indexOf(registry).get(`${chainId}:${address.toLowerCase()}`)
}

/** The default token (USDC) of a network, or `undefined` when the registry has none. */
export function getDefaultAsset(
  network: string,
  { assets: registry = assets }: { assets?: readonly Asset[] | undefined } = {},
): Asset | undefined {
  const chainId = getChainId(network)
  if (chainId === undefined) return undefined
  return indexOf(registry).get(`${chainId}:`)
}
