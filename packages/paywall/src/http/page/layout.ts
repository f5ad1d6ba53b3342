import { pageScript } from './pageScript.generated.js'
import type { PaywallPageOption } from './types.js'

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text as HTML (element content or a quoted attribute). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEscapes[char]!)
}

/** What the page shows and carries. */
export type LayoutParameters = {
  title: string
  description: string
  resourceUrl: string
  options: readonly PaywallPageOption[]
  /** Per option: whether a browser wallet can pay it here (an `exact` option on an EVM chain). */
  payable: readonly boolean[]
  /** The challenge the script pays (v2 or v1), as script-safe JSON. */
  challengeJson: string
  /** The page data the script reads, as script-safe JSON. */
  dataJson: string
}

const style = `
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
  .option { list-style: none; border: 1px solid #ccc; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
  .price { font-size: 2rem; font-weight: 600; margin: 0 0 .5rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
  dt { color: #555; } dd { margin: 0; word-break: break-all; }
  ul { padding: 0; }
  button { font: inherit; padding: .5rem 1rem; border-radius: 6px; border: 1px solid #1a1a1a; background: #1a1a1a; color: #fff; cursor: pointer; }
  button:disabled { opacity: .5; cursor: default; }
  [data-state=error] { color: #b00020; }
  pre { background: #f5f5f5; padding: 1rem; overflow: auto; }
  .hint { color: #555; font-size: .9rem; }`

function optionRow(option: PaywallPageOption, index: number, payable: boolean): string {
  const network = `${escapeHtml(option.networkName)}${option.networkName === option.network ? '' : ` <small>(${escapeHtml(option.network)})</small>`}`
  // Disabled until the script runs: without it (no JavaScript, a blocking policy) nothing happens.
  const button = payable
    ? `\n        <button type="button" data-pay="${index}" disabled>Pay with a browser wallet</button>`
    : ''
  return `
      <li class="option">
        <p class="price"><span data-testid="amount">${escapeHtml(option.amount)}</span> <span data-testid="symbol">${escapeHtml(option.symbol)}</span></p>
        <dl>
          <dt>Network</dt><dd data-testid="network">${network}</dd>
          <dt>Pay to</dt><dd data-testid="pay-to"><code>${escapeHtml(option.payTo)}</code></dd>
          <dt>Token</dt><dd><code>${escapeHtml(option.asset)}</code></dd>
        </dl>${button}
      </li>`
}

/** The paywall page: the options, a pay button per payable one, the challenge and the script. */
export function layout(parameters: LayoutParameters): string {
  const { title, description, resourceUrl, options, payable } = parameters
  const rows = options.map((option, index) => optionRow(option, index, payable[index] === true))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - payment required</title>
<style>${style}
</style>
</head>
<body>
<main>
  <h1>Payment required</h1>
  <p>${escapeHtml(description)} costs:</p>
  <ul>${rows.join('')}
  </ul>
  <p hidden><label>Wallet <select id="tollgate-wallet"></select></label></p>
  <p id="tollgate-status" role="status" aria-live="polite"></p>
  <div id="tollgate-result"></div>
  <noscript><p>Paying from this page needs JavaScript and a browser wallet.</p></noscript>
  <p class="hint">Agents pay with an x402 client: it signs a transfer authorization for the token and retries with a <code>PAYMENT-SIGNATURE</code> header. Resource: <code>${escapeHtml(resourceUrl)}</code></p>
</main>
<script type="application/json" id="x402-payment-required">${parameters.challengeJson}</script>
<script type="application/json" id="tollgate-paywall">${parameters.dataJson}</script>
<script>${pageScript}</script>
</body>
</html>
`
}
