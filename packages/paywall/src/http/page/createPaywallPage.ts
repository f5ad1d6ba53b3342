import type { Chain } from 'viem'
import { layout } from './layout.js'
import { buildPageData, scriptJson } from './pageData.js'
import { paywallPageScriptHash } from './pageScript.generated.js'
import type { PaywallPage, PaywallPageContext, PaywallPageRenderer } from './types.js'

/** The parameters of {@link createPaywallPage}. */
export type CreatePaywallPageParameters = {
  /**
   * The wire the page pays with: v2 `PAYMENT-SIGNATURE`, or v1 `X-PAYMENT` for a provider whose
   * facilitator verifies only v1 payments. @default 2
   */
  x402Version?: 1 | 2 | undefined
  /**
   * Chains the page may add to a wallet that does not know a route's chain
   * (`wallet_addEthereumChain`), as viem chains. Their name, native currency, explorer and
   * DEFAULT RPC URLs are written into the page for anyone to read: give chains whose default RPC
   * is public, never one with an API key in its URL. Without the route's chain here, a wallet that
   * lacks it is told to add the network itself. @default []
   */
  chains?: readonly Chain[] | undefined
}

// The page's Content Security Policy: its one inline script allowed by hash and no other script
// (the paid HTML shown in its place included), no plugins, no `<base>` rewriting. Styles, images
// and fetches stay open, so paid HTML still renders.
const contentSecurityPolicy = `script-src ${paywallPageScriptHash}; object-src 'none'; base-uri 'none'`

/**
 * A paywall page a person can pay with a browser wallet (EIP-1193, found through EIP-6963 or
 * `window.ethereum`): what is for sale, for how much, on which network, to whom, and a button per
 * option that connects the wallet, switches it to the option's chain, has it sign the EIP-3009
 * authorization (`eth_signTypedData_v4`), requests the same URL again with the payment and shows
 * what was bought. One small inline script (about 3 KB gzipped), no external resource, no secret:
 * the page holds only the challenge every client gets and the chains given here. Sent with a
 * Content Security Policy that allows that script by its hash.
 *
 * @example
 * ```ts
 * import { createHttpPaywall, createPaywallPage } from '@tollgate/paywall/http'
 * import { baseSepolia } from 'viem/chains'
 *
 * const paywall = createHttpPaywall(facilitator, {
 *   routes: { 'GET /report': { price: '$0.01', payTo: '0xYourAddress', network: 'base-sepolia' } },
 *   paywallPage: createPaywallPage({ chains: [baseSepolia] }),
 * })
 * ```
 */
export function createPaywallPage({
  x402Version = 2,
  chains = [],
}: CreatePaywallPageParameters = {}): PaywallPageRenderer {
  return (context: PaywallPageContext): PaywallPage => {
    const { paymentRequired, paymentRequiredV1, options } = context
    const { resource } = paymentRequired
    const data = buildPageData(context, { x402Version, chains })
    const html = layout({
      title: resource.description || 'Payment required',
      description: resource.description || 'This resource',
      resourceUrl: resource.url,
      options,
      payable: data.chains.map((chain) => chain !== null),
      challengeJson: scriptJson(x402Version === 1 ? paymentRequiredV1 : paymentRequired),
      dataJson: scriptJson(data),
    })
    return { html, headers: { 'Content-Security-Policy': contentSecurityPolicy } }
  }
}

/** The built-in paywall page: {@link createPaywallPage} with its defaults (v2, no chains to add). */
export const renderPaywallPage: PaywallPageRenderer = /*#__PURE__*/ createPaywallPage()
