import { testUsdcAbi } from '@tollgate/contracts'
import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { afterEach, expect, test } from 'vitest'
import { runExample, stopExamples } from './runExample.js'

const devnet = useDevnet({ accounts: 3 })
afterEach(stopExamples)

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

test('charges $0.01 for /weather and $0.01 a page for /reports/:pages, settling in process', async () => {
  const [buyer, seller, settler] = devnet.accounts as [
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
  ]
  const server = runExample('paid-api/src/server.ts', {
    RPC_URL: devnet.rpcUrl,
    PAY_TO: seller.address,
    USDC_ADDRESS: devnet.usdc.address,
    SETTLER_PRIVATE_KEY: settler.privateKey,
    PORT: '0',
  })
  const [, url] = await server.waitFor(/paid-api listening on (http:\S+)/)
  const before = { buyer: await balanceOf(buyer.address), seller: await balanceOf(seller.address) }

  // Without a payment: a 402 naming both prices; a bad page count is a free 400.
  const challenge = await fetch(`${url}/reports/3`)
  expect(challenge.status).toBe(402)
  const required = JSON.parse(
    Buffer.from(challenge.headers.get('payment-required')!, 'base64').toString(),
  )
  expect(required.accepts[0]).toMatchObject({ amount: '30000', payTo: seller.address })
  expect((await fetch(`${url}/reports/eleven`)).status).toBe(400)

  const pay = wrapFetch(fetch, { account: buyer.account, assets: [devnet.usdc] })
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
  expect(await balanceOf(seller.address)).toBe(before.seller + 40_000n)
  expect(await balanceOf(buyer.address)).toBe(before.buyer - 40_000n)
  await server.waitFor(/settled GET \/reports\/:pages: \$0\.03 in 0x[0-9a-f]{64}/)

  // SIGTERM: the server closes and the process exits cleanly.
  expect(await server.stop()).toBe(0)
  expect(server.output()).not.toContain(settler.privateKey.slice(2))
})

test('refuses to start without a way to settle, naming the missing setting', async () => {
  const server = runExample('paid-api/src/server.ts', {
    RPC_URL: devnet.rpcUrl,
    PAY_TO: devnet.accounts[1]!.address,
    FACILITATOR_URL: '',
    SETTLER_PRIVATE_KEY: '',
  })
  expect(await server.exited).not.toBe(0)
  expect(server.output()).toContain('Set FACILITATOR_URL, or SETTLER_PRIVATE_KEY')
})
