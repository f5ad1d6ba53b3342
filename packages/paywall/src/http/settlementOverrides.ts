/** The response header an `upto` handler reports its usage in (the reference's name and JSON). */
export const settlementOverridesHeader = 'Settlement-Overrides'

/** What an `upto` handler used: atomic units as a `bigint`, or `"50%"` of the maximum, or `"$0.05"`. */
export type SettlementOverrides = { amount: bigint | string }

/**
 * Reports what an `upto` call used, from inside its handler: the paywall charges that amount (never
 * above the maximum the payer signed; `0n` charges nothing) when it settles after the handler, and
 * takes the header off the response. The same header and JSON as `@x402/express`'s
 * `setSettlementOverrides`, so a handler written for one works with the other.
 *
 * @example
 * import { setSettlementOverrides } from '@tollgate/express'
 *
 * app.post('/generate', (req, res) => {
 *   const tokens = generate(req.body.prompt)
 *   setSettlementOverrides(res, { amount: BigInt(tokens.length) * 100n })
 *   res.json({ tokens })
 * })
 */
export function setSettlementOverrides(
  response: { setHeader(name: string, value: string): unknown },
  { amount }: SettlementOverrides,
): void {
  response.setHeader(
    settlementOverridesHeader,
    JSON.stringify({ amount: typeof amount === 'bigint' ? amount.toString() : amount }),
  )
}
