import type { PaymentRequired, PaymentRequiredV1 } from '@tollgate/core'

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
  /** The v2 challenge, as in the `PAYMENT-REQUIRED` header. */
  paymentRequired: PaymentRequired
  /** The same challenge in v1 form, as the JSON body of the 402 gives it to legacy clients. */
  paymentRequiredV1: PaymentRequiredV1
  /** The options of `paymentRequired.accepts`, in the same order, in human units. */
  options: readonly PaywallPageOption[]
}

/** A rendered page with the headers it needs (its Content Security Policy). */
export type PaywallPage = {
  html: string
  /** Sent with the page besides the 402's own (`PAYMENT-REQUIRED`, `Cache-Control`, `Content-Type`), which win. */
  headers?: Readonly<Record<string, string>> | undefined
}

/** Renders the HTML sent to browsers instead of the JSON 402: the HTML alone, or with headers. */
export type PaywallPageRenderer = (context: PaywallPageContext) => string | PaywallPage
