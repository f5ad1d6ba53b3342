import { createLocalFacilitator } from '@tollgate/express'
import { listen, useDevnet } from '@tollgate/test'
import { erc20Abi } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMeteredApi } from '../src/createMeteredApi.js'
import { runAgent } from '../src/runAgent.js'

const devnet = useDevnet({ accounts: 3 })
let server: Awaited<ReturnType<typeof listen>>

const asset = () => ({ ...devnet.plainToken, assetTransferMethod: 'permit2' as const })
const balanceOf = (owner: `0x${string}`) =>
  devnet.publicClient.readContract({
    address: devnet.plainToken.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })

beforeAll(async () => {
  await devnet.approvePermit2(devnet.accounts[0]!.address, 'plain')
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets: [asset()],
  })
  const app = createMeteredApi({
    facilitator,
    asset: asset(),
    payTo: devnet.accounts[1]!.address,
    pricePerToken: 100n,
    maxTokens: 50,
  })
  server = await listen(app)
})
afterAll(() => server?.close())

test('an agent pays per generated token; its budget holds each maximum until the charge is known', async () => {
  const payee = devnet.accounts[1]!.address
  const before = await balanceOf(payee)
  const twenty = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ')
  // A budget of 0.007. Each call holds its maximum (50 tokens: 0.005) until it settles, then keeps
  // only its charge. After 3 + 10 + 0 + 20 tokens (0.0033 spent) the fifth call would use one
  // token, but its 0.005 maximum does not fit what is left: it is refused before anything is signed.
  const { results, usage } = await runAgent({
    url: server.url,
    account: devnet.accounts[0]!.account,
    asset: asset(),
    budget: '0.007',
    prompts: ['one two three', 'a b c d e f g h i j', '', twenty, 'one'],
  })
  expect(results.map((r) => r.tokens?.length ?? r.refused)).toEqual([
    3,
    10,
    0,
    20,
    'BudgetExceededError',
  ])
  expect(results.slice(0, 4).map((r) => r.receipt?.amount)).toEqual([300n, 1_000n, 0n, 2_000n])
  expect(results.slice(0, 4).every((r) => r.receipt?.status === 'settled')).toBe(true)
  // The payee got exactly the tokens generated, 100 units each.
  expect((await balanceOf(payee)) - before).toBe(3_300n)
  expect(usage[0]).toMatchObject({ used: '0.0033', reserved: 0n })
})
