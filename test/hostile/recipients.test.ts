import { PolicyRefusedError, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { beforeAll, expect, test } from 'vitest'
import { createWorld, paymentRequired, recordingAccount, useServers } from './fixtures.js'

// Recipients: denied payees are never paid, allow-lists (everywhere or per host) are kept, and a
// route that was paid to one payee is not paid to another because its next 402 says so.

const devnet = useDevnet()
const serve = useServers()
let world: ReturnType<typeof createWorld>

beforeAll(() => {
  world = createWorld(devnet)
})

async function refusal(promise: Promise<unknown>): Promise<PolicyRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PolicyRefusedError)
  return error as PolicyRefusedError
}

/** A server whose 402 names `payTo()` as the payee, and settles what it is paid. */
function payeeServer(payTo: () => string) {
  return serve((exchange) =>
    exchange.payment
      ? world.deliver(exchange)
      : paymentRequired(exchange.url, [world.option({ payTo: payTo() })]),
  )
}

test('a denied payee is refused', async () => {
  const server = await payeeServer(() => world.otherPayee.address)
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({
    account,
    assets: [world.usdc],
    policy: { payees: { deny: [world.otherPayee.address] } },
  })
  const error = await refusal(pay(server.url))
  expect(error).toMatchObject({ guard: 'payee', code: 'TOLLGATE_POLICY_PAYEE' })
  expect(signed).toEqual([])
})

test("a host's allow-list is kept for that host only", async () => {
  const strict = await payeeServer(() => world.otherPayee.address)
  const lax = await payeeServer(() => world.otherPayee.address)
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({
    account,
    assets: [world.usdc],
    policy: { payees: { hosts: { [strict.host]: { allow: [world.payee.address] } } } },
  })
  const error = await refusal(pay(strict.url))
  expect(error.reason).toBe(
    `payee ${world.otherPayee.address} is not on the allow-list of ${strict.host}`,
  )
  expect(signed).toEqual([])
  expect((await pay(lax.url)).status).toBe(200)
  expect(signed.map((m) => m.to)).toEqual([world.otherPayee.address])
})

test('a route paid to one payee is not paid to another; nothing is signed', async () => {
  let payTo = world.payee.address as string
  const server = await payeeServer(() => payTo)
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc] })
  const before = await world.balanceOf(world.otherPayee.address)
  expect((await pay(`${server.url}/report`)).status).toBe(200)
  payTo = world.otherPayee.address
  const error = await refusal(pay(`${server.url}/report`))
  expect(error).toMatchObject({ guard: 'payeeChange', code: 'TOLLGATE_POLICY_PAYEE_CHANGE' })
  expect(error.refusal.values).toMatchObject({
    pinned: world.payee.address.toLowerCase(),
    payTo: world.otherPayee.address.toLowerCase(),
  })
  // Another route of the same server has no payee yet.
  expect((await pay(`${server.url}/other`)).status).toBe(200)
  expect(signed.map((m) => m.to)).toEqual([world.payee.address, world.otherPayee.address])
  expect((await world.balanceOf(world.otherPayee.address)) - before).toBe(10_000n)
})

test('a payee change is paid when allowed: pin off, or the new payee on an allow-list', async () => {
  let payTo = world.payee.address as string
  const server = await payeeServer(() => payTo)
  const unpinned = recordingAccount(world.payer.account)
  const pay = wrapFetch({
    account: unpinned.account,
    assets: [world.usdc],
    policy: { pin: { payee: false } },
  })
  await pay(server.url)
  payTo = world.otherPayee.address
  expect((await pay(server.url)).status).toBe(200)
  expect(unpinned.signed.map((m) => m.to)).toEqual([world.payee.address, world.otherPayee.address])

  payTo = world.payee.address
  const listed = recordingAccount(world.payer.account)
  const payListed = wrapFetch({
    account: listed.account,
    assets: [world.usdc],
    policy: { payees: { allow: [world.payee.address, world.otherPayee.address] } },
  })
  await payListed(server.url)
  payTo = world.otherPayee.address
  expect((await payListed(server.url)).status).toBe(200)
  expect(listed.signed).toHaveLength(2)
})
