import type { PaymentRequirements } from '@tollgate/core'
import { PolicyRefusedError, wrapFetch } from '@tollgate/fetch'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { expect, test } from 'vitest'
import { paymentRequired, recordingAccount, useServers } from './fixtures.js'

// Units: amounts are read with the registry's decimals and signed under its EIP-712 domain. A
// server that names a token the agent does not know, or describes a known one differently (another
// domain, other decimals), is refused before anything is signed. Nothing here reaches a chain.

const serve = useServers()
const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const payTo = '0x1111111111111111111111111111111111111111'

function usdc(overrides: Partial<PaymentRequirements> = {}): PaymentRequirements {
  return {
    scheme: 'exact',
    network: 'eip155:84532',
    amount: '10000',
    asset: baseSepoliaUsdc,
    payTo,
    maxTimeoutSeconds: 60,
    extra: { name: 'USDC', version: '2' },
    ...overrides,
  }
}

async function refused(accepts: PaymentRequirements[], policy = {}) {
  const server = await serve((exchange) => paymentRequired(exchange.url, accepts))
  const { account, signed } = recordingAccount(privateKeyToAccount(generatePrivateKey()))
  const error = await wrapFetch({ account, policy })(`${server.url}/report`).catch(
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PolicyRefusedError)
  expect(signed).toEqual([])
  expect(server.payments()).toEqual([])
  return error as PolicyRefusedError
}

test('a token outside the registry is refused', async () => {
  const unknown = '0x4444444444444444444444444444444444444444'
  const error = await refused([usdc({ asset: unknown, extra: { name: 'USDC', version: '2' } })])
  expect(error).toMatchObject({ guard: 'asset', code: 'TOLLGATE_POLICY_ASSET' })
  expect(error.reason).toBe(`asset ${unknown} on eip155:84532 is not in the asset registry`)
})

test('a known token under another EIP-712 domain is refused', async () => {
  const error = await refused([usdc({ extra: { name: 'USD Coin', version: '2' } })])
  expect(error).toMatchObject({ guard: 'units', code: 'TOLLGATE_POLICY_UNITS' })
  expect(error.refusal.values).toMatchObject({ name: 'USD Coin', expectedName: 'USDC' })
})

test('a server claiming other decimals for a known token is refused', async () => {
  // 10^16 atomic units "at 18 decimals" would be 10 000 000 000 USDC at 6.
  const error = await refused([
    usdc({ amount: '10000000000000000', extra: { name: 'USDC', version: '2', decimals: 18 } }),
  ])
  expect(error.guard).toBe('units')
  expect(error.reason).toBe(
    `the server says asset ${baseSepoliaUsdc} has 18 decimals, the registry 6`,
  )
})

test('a policy rule whose decimals disagree with the registry refuses rather than guess', async () => {
  const error = await refused([usdc()], {
    assets: [{ network: 'eip155:84532', address: baseSepoliaUsdc, decimals: 18 }],
  })
  expect(error.guard).toBe('units')
})

test('an allowed token outside the registry with no EIP-712 domain anywhere is refused', async () => {
  const unknown = '0x4444444444444444444444444444444444444444'
  const error = await refused([usdc({ asset: unknown, extra: {} })], {
    assets: [{ network: 'eip155:84532', address: unknown, decimals: 6 }],
  })
  expect(error.guard).toBe('units')
  expect(error.reason).toBe(`the EIP-712 domain of asset ${unknown} is unknown`)
})

test('an allowed token outside the registry is paid under the domain the policy gives', async () => {
  const unknown = '0x4444444444444444444444444444444444444444'
  const server = await serve((exchange) =>
    exchange.payment
      ? new Response('ok')
      : paymentRequired(exchange.url, [
          usdc({ asset: unknown, extra: { name: 'Made Up', version: '1' } }),
        ]),
  )
  const { account, signed } = recordingAccount(privateKeyToAccount(generatePrivateKey()))
  const rule = { network: 'eip155:84532', address: unknown, decimals: 6 }
  // The server's domain must be the one the policy names.
  await expect(
    wrapFetch({ account, policy: { assets: [{ ...rule, eip712: { name: 'X', version: '1' } }] } })(
      server.url,
    ),
  ).rejects.toMatchObject({ guard: 'units' })
  expect(signed).toEqual([])
  const pay = wrapFetch({
    account,
    policy: { assets: [{ ...rule, eip712: { name: 'Made Up', version: '1' } }] },
  })
  expect((await pay(server.url)).status).toBe(200)
  expect(signed).toHaveLength(1)
})
