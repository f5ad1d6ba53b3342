import { type Address, getContractAddress } from 'viem'
import type { DevnetPlainToken, DevnetToken, DevnetTokenRef } from './startDevnet.js'

/** The devnet's three tokens. */
export type DevnetTokens = {
  usdc: DevnetToken<'USD Coin'>
  usdcAlt: DevnetToken<'USDC'>
  plainToken: DevnetPlainToken
}

/** The tokens the deployer's first three transactions create, at the addresses they will have. */
export function devnetTokens(deployer: Address, chainId: number): DevnetTokens {
  const network = `eip155:${chainId}` as const
  const testUsdc = <name extends string>(name: name, nonce: bigint): DevnetToken<name> => ({
    address: getContractAddress({ from: deployer, nonce }),
    name,
    version: '2',
    decimals: 6,
    symbol: 'USDC',
    chainId,
    network,
    eip712: { name, version: '2' },
  })
  return {
    usdc: testUsdc('USD Coin', 0n),
    usdcAlt: testUsdc('USDC', 1n),
    plainToken: {
      address: getContractAddress({ from: deployer, nonce: 2n }),
      name: 'Plain Dollar',
      version: '1',
      decimals: 6,
      symbol: 'PLAIN',
      chainId,
      network,
      eip712: { name: 'Plain Dollar', version: '1' },
      assetTransferMethod: 'permit2',
    },
  }
}

/** A token named by reference (`'usdc'`, `'usdcAlt'`, `'plain'`) or by address. */
export function tokenAddressOf(tokens: DevnetTokens, token: DevnetTokenRef | Address): Address {
  if (token === 'usdc') return tokens.usdc.address
  if (token === 'usdcAlt') return tokens.usdcAlt.address
  if (token === 'plain') return tokens.plainToken.address
  return token
}
