import type { Address } from 'viem'

/**
 * The canonical addresses x402 clients and facilitators hard-code (the same on every chain): Uniswap's Permit2, the
 * x402 `exact` and `upto` Permit2 proxies, and Multicall3.
 */
export const permit2Addresses = {
  permit2: '0x000000000022D473030F116dDEE9F6B43aC78BA3',
  exactProxy: '0x402085c248EeA27D92E8b30b2C58ed07f9E20001',
  uptoProxy: '0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002',
  multicall3: '0xcA11bde05977b3631167028862bE2a173976CA11',
} as const satisfies Record<string, Address>
