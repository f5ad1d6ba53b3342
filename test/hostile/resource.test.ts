import { getReceipt, PolicyRefusedError, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { beforeAll, describe, expect, test } from 'vitest'
import { createWorld, paymentRequired, recordingAccount, useServers } from './fixtures.js'

// Resource binding: a 402 is paid only for the URL that was requested (after redirects, origin
// checked). A redirect to another origin is not paid unless that origin is allowed, and a payment
// header never follows a redirect.

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

/** An honest paywall: its 402 names the URL requested; it settles what it is paid. */
function paywall(body = 'paid content') {
  return serve((exchange) =>
    exchange.payment
      ? world.deliver(exchange, body)
      : paymentRequired(exchange.url, [world.option()]),
  )
}

function redirect(location: string, status = 302) {
  return new Response(null, { status, headers: { location } })
}

describe('the resource of the challenge', () => {
  test('a challenge for another origin is refused', async () => {
    const server = await serve(() =>
      paymentRequired('https://api.elsewhere.example/report', [world.option()]),
    )
    const { account, signed } = recordingAccount(world.payer.account)
    const error = await refusal(
      wrapFetch({ account, assets: [world.usdc] })(`${server.url}/report`),
    )
    expect(error).toMatchObject({ guard: 'resource', code: 'TOLLGATE_POLICY_RESOURCE' })
    expect(error.reason).toBe(
      `the resource https://api.elsewhere.example is another origin than ${server.url}, which was requested`,
    )
    expect(signed).toEqual([])
    expect(server.payments()).toEqual([])
  })

  test('a challenge for another path of the same origin is refused unless bound by origin', async () => {
    const server = await serve((exchange) =>
      exchange.payment
        ? world.deliver(exchange)
        : paymentRequired(`${server.url}/expensive`, [world.option()]),
    )
    const { account, signed } = recordingAccount(world.payer.account)
    const error = await refusal(wrapFetch({ account, assets: [world.usdc] })(`${server.url}/cheap`))
    expect(error.reason).toBe('the resource path /expensive is not /cheap, which was requested')
    expect(signed).toEqual([])
    const lenient = wrapFetch({
      account,
      assets: [world.usdc],
      policy: { resourceBinding: 'origin' },
    })
    expect((await lenient(`${server.url}/cheap`)).status).toBe(200)
    expect(signed).toHaveLength(1)
  })

  test('the query may differ (servers often leave it out)', async () => {
    const server = await serve((exchange) =>
      exchange.payment
        ? world.deliver(exchange)
        : paymentRequired(`${server.url}/report`, [world.option()]),
    )
    const { account } = recordingAccount(world.payer.account)
    const response = await wrapFetch({ account, assets: [world.usdc] })(`${server.url}/report?q=1`)
    expect(response.status).toBe(200)
  })
})

describe('redirects before payment', () => {
  test('a redirect to another origin that asks for payment is refused; nothing reaches it', async () => {
    const target = await paywall()
    const origin = await serve((exchange) =>
      redirect(`${target.url}${new URL(exchange.url).pathname}`),
    )
    const { account, signed } = recordingAccount(world.payer.account)
    const error = await refusal(
      wrapFetch({ account, assets: [world.usdc] })(`${origin.url}/report`),
    )
    expect(error).toMatchObject({ guard: 'redirect', code: 'TOLLGATE_POLICY_REDIRECT' })
    expect(error.refusal.values).toEqual({ requested: origin.url, redirectedTo: target.url })
    expect(signed).toEqual([])
    expect(target.payments()).toEqual([])
    expect(origin.payments()).toEqual([])
  })

  test('an allowed origin is paid where it answered, and the redirecting origin gets nothing', async () => {
    const target = await paywall()
    const origin = await serve((exchange) =>
      redirect(`${target.url}${new URL(exchange.url).pathname}`),
    )
    const { account, signed } = recordingAccount(world.payer.account)
    const pay = wrapFetch({
      account,
      assets: [world.usdc],
      policy: { allowRedirectTo: [target.url] },
    })
    const before = await world.balanceOf(world.payee.address)
    const response = await pay(`${origin.url}/report`)
    expect(await response.text()).toBe('paid content')
    expect(signed).toHaveLength(1)
    expect(target.payments()).toHaveLength(1)
    expect(origin.exchanges.map((e) => e.payment)).toEqual([undefined])
    expect(getReceipt(response)?.url).toBe(`${target.url}/report`)
    expect((await world.balanceOf(world.payee.address)) - before).toBe(10_000n)
  })

  test('a redirect within the origin is paid at the new path', async () => {
    const server = await serve((exchange) => {
      const { pathname } = new URL(exchange.url)
      if (pathname === '/old') return redirect('/new', 301)
      return exchange.payment
        ? world.deliver(exchange)
        : paymentRequired(exchange.url, [world.option()])
    })
    const { account, signed } = recordingAccount(world.payer.account)
    const response = await wrapFetch({ account, assets: [world.usdc] })(`${server.url}/old`)
    expect(response.status).toBe(200)
    expect(signed).toHaveLength(1)
    expect(server.exchanges.map((e) => [new URL(e.url).pathname, Boolean(e.payment)])).toEqual([
      ['/old', false],
      ['/new', false],
      ['/new', true],
    ])
  })
})

describe('redirects after payment', () => {
  test('the payment header and credentials never follow a redirect to another origin', async () => {
    const elsewhere = await serve(() => new Response('from elsewhere'))
    const server = await serve(async (exchange) => {
      if (!exchange.payment) return paymentRequired(exchange.url, [world.option()])
      const settled = await world.deliver(exchange)
      return new Response(null, {
        status: 307,
        headers: {
          location: `${elsewhere.url}/content`,
          'payment-response': settled.headers.get('payment-response')!,
        },
      })
    })
    const { account, signed } = recordingAccount(world.payer.account)
    const response = await wrapFetch({ account, assets: [world.usdc] })(`${server.url}/report`, {
      headers: { authorization: 'Bearer agent-secret', 'x-trace': 't1' },
    })
    expect(await response.text()).toBe('from elsewhere')
    expect(signed).toHaveLength(1)
    expect(elsewhere.exchanges).toHaveLength(1)
    const followed = elsewhere.exchanges[0]!
    expect(followed.payment).toBeUndefined()
    expect(followed.headers.get('payment-signature')).toBeNull()
    expect(followed.headers.get('authorization')).toBeNull()
    expect(followed.headers.get('x-trace')).toBe('t1')
    expect(getReceipt(response)).toMatchObject({ status: 'settled', url: `${server.url}/report` })
  })

  test('a paid request redirected to a 402 is not paid again', async () => {
    const elsewhere = await paywall()
    const server = await serve(async (exchange) =>
      exchange.payment
        ? redirect(`${elsewhere.url}/report`, 302)
        : paymentRequired(exchange.url, [world.option()]),
    )
    const { account, signed } = recordingAccount(world.payer.account)
    const pay = wrapFetch({ account, assets: [world.usdc], policy: { allowRedirectTo: '*' } })
    const response = await pay(`${server.url}/report`)
    expect(response.status).toBe(402)
    expect(signed).toHaveLength(1)
    expect(elsewhere.payments()).toEqual([])
  })

  test("a caller's own payment header does not follow a redirect either", async () => {
    const elsewhere = await serve(() => new Response('from elsewhere'))
    const server = await serve(() => redirect(`${elsewhere.url}/content`, 307))
    const { account, signed } = recordingAccount(world.payer.account)
    const response = await wrapFetch({ account, assets: [world.usdc] })(`${server.url}/report`, {
      headers: { 'X-PAYMENT': 'c29tZXRoaW5n' },
    })
    expect(await response.text()).toBe('from elsewhere')
    expect(server.exchanges[0]!.headers.get('x-payment')).toBe('c29tZXRoaW5n')
    expect(elsewhere.exchanges[0]!.headers.get('x-payment')).toBeNull()
    expect(signed).toEqual([])
  })

  test("with redirect: 'manual' the caller gets the redirect itself", async () => {
    const server = await serve(async (exchange) =>
      exchange.payment
        ? redirect('/content', 303)
        : paymentRequired(exchange.url, [world.option()]),
    )
    const { account } = recordingAccount(world.payer.account)
    const response = await wrapFetch({ account, assets: [world.usdc] })(`${server.url}/report`, {
      redirect: 'manual',
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/content')
    expect(server.exchanges).toHaveLength(2)
  })
})
