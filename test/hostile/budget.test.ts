import { BudgetExceededError, createPolicy, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { beforeAll, expect, test } from 'vitest'
import { createWorld, paymentRequired, recordingAccount, useServers } from './fixtures.js'

// Budget splitting: budgets count per host and per payee over a window, so many small payments
// cannot add up to what one large one could not be. Payments are settled on anvil.

const devnet = useDevnet()
const serve = useServers()
let world: ReturnType<typeof createWorld>

beforeAll(() => {
  world = createWorld(devnet)
})

/** An honest server charging `amount` to `payTo`. */
function charging(amount: string, payTo?: string) {
  return serve((exchange) =>
    exchange.payment
      ? world.deliver(exchange)
      : paymentRequired(exchange.url, [world.option({ amount, ...(payTo ? { payTo } : {}) })]),
  )
}

async function budgetRefusal(promise: Promise<unknown>): Promise<BudgetExceededError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(BudgetExceededError)
  return error as BudgetExceededError
}

test('by default a host gets at most $5 an hour, however it splits its price', async () => {
  const server = await charging('900000') // 0.90, under the $1 cap
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc] })
  const before = await world.balanceOf(world.payee.address)
  for (let i = 0; i < 5; i++) expect((await pay(`${server.url}/part/${i}`)).status).toBe(200)
  const error = await budgetRefusal(pay(`${server.url}/part/5`))
  expect(error).toMatchObject({
    guard: 'budget',
    scope: 'host',
    host: server.host,
    limit: 5_000_000n,
    spent: 4_500_000n,
    requested: 900_000n,
    windowMs: 3_600_000,
  })
  expect(signed).toHaveLength(5)
  expect((await world.balanceOf(world.payee.address)) - before).toBe(4_500_000n)
})

test('a payee is budgeted across hosts', async () => {
  const a = await charging('20000')
  const b = await charging('20000')
  const c = await charging('20000', world.otherPayee.address)
  const { account, signed } = recordingAccount(world.payer.account)
  const policy = createPolicy({
    budgets: [{ limit: '$0.05', scope: 'payee', windowMs: 3_600_000 }],
  })
  const pay = wrapFetch({ account, assets: [world.usdc], policy })
  await pay(a.url)
  await pay(`${a.url}/again`)
  const error = await budgetRefusal(pay(b.url))
  expect(error).toMatchObject({ scope: 'payee', payee: world.payee.address.toLowerCase() })
  // Another payee has its own allowance.
  expect((await pay(c.url)).status).toBe(200)
  expect(signed.map((m) => m.to)).toEqual([
    world.payee.address,
    world.payee.address,
    world.otherPayee.address,
  ])
  expect(policy.usage()).toEqual([
    expect.objectContaining({ key: world.payee.address.toLowerCase(), committed: 4n * 10n ** 16n }),
    expect.objectContaining({
      key: world.otherPayee.address.toLowerCase(),
      committed: 2n * 10n ** 16n,
    }),
  ])
})

test('what the cap refuses in one payment, a host budget refuses in pieces', async () => {
  const whole = await charging('300000')
  const pieces = await charging('40000')
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({
    account,
    assets: [world.usdc],
    policy: {
      maxPerRequest: '$0.10',
      budgets: [{ limit: '$0.10', scope: 'host', windowMs: 3_600_000 }],
    },
  })
  await expect(pay(whole.url)).rejects.toMatchObject({ guard: 'maxPerRequest' })
  await pay(`${pieces.url}/1`)
  await pay(`${pieces.url}/2`)
  await budgetRefusal(pay(`${pieces.url}/3`))
  expect(signed.map((m) => m.value)).toEqual([40_000n, 40_000n])
})
