import { expect, test } from 'vitest'
import { callFor, createWork, standInFacilitator, wireTestEngine } from '../../test/engine.js'
import { priceCall } from './price.js'

const payTo = '0x1111111111111111111111111111111111111111'

test("a price function of the call's request prices each call", async () => {
  const { engine, offers } = wireTestEngine(standInFacilitator(), {
    offers: {
      item: { payTo, network: 'base-sepolia', price: (request) => `$0.0${request.name.length}` },
    },
  })
  const call = { ...callFor(offers[0]!, undefined, createWork().run), request: { name: 'abc' } }
  expect(await priceCall(engine, call)).toMatchObject([{ amount: '30000' }])
})

test('a price function that throws: refused (server error), reported, never thrown', async () => {
  const logged: { message: string; context: Record<string, unknown> }[] = []
  const { engine, offers } = wireTestEngine(standInFacilitator(), {
    offers: {
      broken: {
        payTo,
        network: 'base-sepolia',
        price: () => {
          throw new Error('no price today')
        },
      },
    },
    logger: { error: (message, context) => logged.push({ message, context }) },
  })
  const outcome = await priceCall(engine, callFor(offers[0]!, undefined, createWork().run))
  expect(outcome).toEqual({
    kind: 'refused',
    failure: 'server_error',
    reason: 'price_unavailable',
    message: 'The price of this resource could not be computed.',
  })
  expect(logged.map(({ message }) => message)).toEqual([
    'tollgate paywall: a price function failed',
  ])
  expect(logged[0]?.context).toMatchObject({ route: 'broken' })
})
