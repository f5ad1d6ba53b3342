import type { PaymentRequirements } from '@tollgate/core'
import { defineChain } from 'viem'
import { describe, expect, test } from 'vitest'
import { resolveOffer } from '../../offer/resolveOffer.js'
import { buildPaymentRequired } from '../../stages/challenge.js'
import { buildChallenge } from '../challenge.js'
import { createPaywallPage, renderPaywallPage } from './createPaywallPage.js'
import type { PageData } from './pageData.js'
import { paywallPageScriptHash } from './pageScript.generated.js'
import type { PaywallPageRenderer } from './types.js'

const offer = resolveOffer('GET /r', {
  price: '$0.01',
  payTo: '0x1111111111111111111111111111111111111111',
  network: 'base-sepolia',
})
const evm = offer.options[0]!.requirements!
const solana: PaymentRequirements = {
  ...evm,
  network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp',
  asset: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
  payTo: '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin',
}
const paymentRequired = buildPaymentRequired({
  accepts: [evm, solana],
  resource: { url: 'http://127.0.0.1/r', description: '</script><b>x</b>', mimeType: '' },
  error: 'payment_required',
})
const publicChain = defineChain({
  id: 84532,
  name: 'Base Sepolia',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['https://sepolia.base.org'] } },
  blockExplorers: { default: { name: 'Basescan', url: 'https://sepolia.basescan.org' } },
})

function render(renderer: PaywallPageRenderer) {
  const response = buildChallenge({
    paymentRequired,
    page: { render: renderer, assets: undefined },
  })
  const html = String(response.body)
  const json = (id: string) => {
    const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`).exec(html)
    return JSON.parse(match![1]!)
  }
  return { response, html, json }
}

describe('createPaywallPage', () => {
  test('a 402 page with a pay button per EVM option, its script allowed by hash', () => {
    const { response, html, json } = render(renderPaywallPage)
    expect(response.status).toBe(402)
    expect(response.headers).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': `script-src ${paywallPageScriptHash}; object-src 'none'; base-uri 'none'`,
    })
    expect(response.headers['PAYMENT-REQUIRED']).toBeTruthy()
    // One button, for the EVM option (index 0); the Solana option is shown without one.
    expect(html.match(/<button type="button" data-pay="(\d)" disabled>/g)).toEqual([
      '<button type="button" data-pay="0" disabled>',
    ])
    expect(json('x402-payment-required')).toEqual(paymentRequired)
    expect(json('tollgate-paywall')).toEqual({
      x402Version: 2,
      chains: [{ chainId: '0x14a34', name: 'Base Sepolia' }, null],
    } satisfies PageData)
    // The description cannot close the script element or inject markup.
    expect(html).not.toContain('</script><b>')
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;')
    expect(html.match(/<script>/g)).toHaveLength(1)
  })

  test('v1: the page embeds and pays the v1 challenge, the same the JSON 402 gives', () => {
    const { json } = render(createPaywallPage({ x402Version: 1 }))
    const json402 = JSON.parse(String(buildChallenge({ paymentRequired }).body))
    expect(json('x402-payment-required')).toEqual(json402)
    expect(json('x402-payment-required').accepts[0]).toMatchObject({
      network: 'base-sepolia',
      maxAmountRequired: '10000',
    })
    expect(json('tollgate-paywall').x402Version).toBe(1)
  })

  test('a chain the provider gives is offered to wallets that lack it, with its public RPC', () => {
    const { json } = render(createPaywallPage({ chains: [publicChain] }))
    expect(json('tollgate-paywall').chains[0]).toEqual({
      chainId: '0x14a34',
      name: 'Base Sepolia',
      add: {
        chainId: '0x14a34',
        chainName: 'Base Sepolia',
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        rpcUrls: ['https://sepolia.base.org'],
        blockExplorerUrls: ['https://sepolia.basescan.org'],
      },
    })
  })

  test("a custom renderer's headers never override the 402's own", () => {
    const renderer: PaywallPageRenderer = () => ({
      html: '<p>pay</p>',
      headers: { 'Cache-Control': 'max-age=60', 'X-Frame-Options': 'DENY' },
    })
    const { response } = render(renderer)
    expect(response.headers['Cache-Control']).toBe('no-store')
    expect(response.headers['X-Frame-Options']).toBe('DENY')
    expect(render(() => '<p>plain</p>').response.body).toBe('<p>plain</p>')
  })
})
