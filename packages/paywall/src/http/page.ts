import { formatMoney, type PaymentRequired, parseNetwork } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { findAsset } from '../offer/assets.js'

/** One way to pay, ready to show a person. */
export type PaywallPageOption = {
  /** `"0.01"`: the amount in token units, exact (no floats). */
  amount: string
  /** `"USDC"`, or the token address when the registry does not know it. */
  symbol: string
  /** `"Base Sepolia"`, or the CAIP-2 id on a chain without a name. */
  networkName: string
  /** CAIP-2 id. */
  network: string
  asset: string
  payTo: string
}

/** What a paywall page renderer receives. */
export type PaywallPageContext = {
  paymentRequired: PaymentRequired
  options: readonly PaywallPageOption[]
}

/** Renders the HTML sent to browsers instead of the JSON 402. */
export type PaywallPageRenderer = (context: PaywallPageContext) => string

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEscapes[char]!)
}

/** `base-sepolia` -> `Base Sepolia`; a chain without a v1 name keeps its CAIP-2 id. */
function networkName(network: string): string {
  try {
    const { v1Name } = parseNetwork(network)
    if (v1Name)
      return v1Name
        .split('-')
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join(' ')
  } catch {}
  return network
}

/** The options of a challenge in human units. */
export function describeOptions(
  paymentRequired: PaymentRequired,
  registry: readonly Asset[] | undefined,
): PaywallPageOption[] {
  return paymentRequired.accepts.map((requirement) => {
    const asset = findAsset(requirement.network, requirement.asset, registry)
    return {
      amount: asset
        ? formatMoney(BigInt(requirement.amount), { decimals: asset.decimals })
        : `${requirement.amount} (atomic units)`,
      symbol: asset?.symbol ?? requirement.asset,
      networkName: networkName(requirement.network),
      network: requirement.network,
      asset: requirement.asset,
      payTo: requirement.payTo,
    }
  })
}

/**
 * The built-in paywall page: what is for sale, for how much, on which network, paid to whom, and
 * the challenge itself as JSON for a wallet script. Plain HTML, no script, no external resource.
 */
export function renderPaywallPage({ paymentRequired, options }: PaywallPageContext): string {
  const { resource } = paymentRequired
  const title = resource.description ? resource.description : 'Payment required'
  const rows = options
    .map(
      (option) => `
      <li class="option">
        <p class="price"><span data-testid="amount">${escapeHtml(option.amount)}</span> <span data-testid="symbol">${escapeHtml(option.symbol)}</span></p>
        <dl>
          <dt>Network</dt><dd data-testid="network">${escapeHtml(option.networkName)}${option.networkName === option.network ? '' : ` <small>(${escapeHtml(option.network)})</small>`}</dd>
          <dt>Pay to</dt><dd data-testid="pay-to"><code>${escapeHtml(option.payTo)}</code></dd>
          <dt>Token</dt><dd><code>${escapeHtml(option.asset)}</code></dd>
        </dl>
      </li>`,
    )
    .join('')
  // `<` is escaped inside the JSON so the challenge cannot close the script element.
  const json = JSON.stringify(paymentRequired).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - payment required</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
  .option { list-style: none; border: 1px solid #ccc; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
  .price { font-size: 2rem; font-weight: 600; margin: 0 0 .5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
  dt { color: #555; } dd { margin: 0; word-break: break-all; }
  ul { padding: 0; }
</style>
</head>
<body>
<main>
  <h1>Payment required</h1>
  <p>${escapeHtml(resource.description || 'This resource')} costs:</p>
  <ul>${rows}
  </ul>
  <p>Pay with an x402 client: it signs a transfer authorization for the token and retries with a <code>PAYMENT-SIGNATURE</code> header. Resource: <code>${escapeHtml(resource.url)}</code></p>
</main>
<script type="application/json" id="x402-payment-required">${json}</script>
</body>
</html>
`
}
