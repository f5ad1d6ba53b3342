// What a newcomer checks on each framework's paid-api example (Hono, Fastify, Web, Next): the
// example's own process, on a fresh devnet, charges $0.01 for /weather and $0.01 a page for
// /reports/:pages, answers a bad page count with a free 400, settles on-chain exactly what it
// printed, and never prints the settlement key. Shared so the four examples are held to one bar.
import { testUsdcAbi } from '@tollgate/contracts'
import { getReceipt, wrapFetch } from '@tollgate/fetch'
import type { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { expect } from 'vitest'

type Devnet = ReturnType<typeof useDevnet>

/** The settings every example reads (see its `.env.example`), for local settlement on `devnet`. */
export function exampleEnv(devnet: Devnet): Record<string, string> {
  const [, seller, settler] = devnet.accounts
  return {
    RPC_URL: devnet.rpcUrl,
    PAY_TO: seller!.address,
    USDC_ADDRESS: devnet.usdc.address,
    SETTLER_PRIVATE_KEY: settler!.privateKey,
    FACILITATOR_URL: '',
  }
}

/** Pays both routes of the example at `url` as a buyer would, checking every transfer on-chain. */
export async function expectPaidApi(devnet: Devnet, url: string): Promise<void> {
  const [buyer, seller] = devnet.accounts
  const balanceOf = (address: Address) =>
    devnet.publicClient.readContract({
      address: devnet.usdc.address,
      abi: testUsdcAbi,
      functionName: 'balanceOf',
      args: [address],
    })
  const before = {
    buyer: await balanceOf(buyer!.address),
    seller: await balanceOf(seller!.address),
  }

  // Without a payment: a 402 with the price, never cached; a bad page count is a free 400.
  const challenge = await fetch(`${url}/reports/3`)
  expect(challenge.status).toBe(402)
  expect(challenge.headers.get('cache-control')).toBe('no-store')
  const required = JSON.parse(atob(challenge.headers.get('payment-required')!))
  expect(required.accepts[0]).toMatchObject({ amount: '30000', payTo: seller!.address })
  expect((await fetch(`${url}/reports/eleven`)).status).toBe(400)

  const pay = wrapFetch(fetch, { account: buyer!.account, assets: [devnet.usdc] })
  const weather = await pay(`${url}/weather`)
  expect(weather.status).toBe(200)
  expect(await weather.json()).toMatchObject({ sky: 'clear' })
  const report = await pay(`${url}/reports/3`)
  expect(report.status).toBe(200)
  expect((await report.json()).pages).toHaveLength(3)

  const receipts = [getReceipt(weather)!, getReceipt(report)!]
  expect(receipts.map((receipt) => [receipt.status, receipt.amount])).toEqual([
    ['settled', 10_000n],
    ['settled', 30_000n],
  ])
  for (const receipt of receipts) {
    const onChain = await devnet.publicClient.getTransactionReceipt({
      hash: receipt.transaction as `0x${string}`,
    })
    expect(onChain.status).toBe('success')
  }
  expect(await balanceOf(seller!.address)).toBe(before.seller + 40_000n)
  expect(await balanceOf(buyer!.address)).toBe(before.buyer - 40_000n)
}
