import { expect, test } from 'vitest'
import { resolveOffer } from './resolveOffer.js'
import { getResource, toV1Requirement } from './resource.js'

const payTo = '0x1111111111111111111111111111111111111111'
const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'

test('resource and the v1 form of a requirement', () => {
  const route = resolveOffer('GET /report', {
    price: '$0.01',
    payTo,
    network: 'base-sepolia',
    description: 'A report',
    outputSchema: { type: 'object' },
  })
  const resource = getResource(route, 'http://127.0.0.1/report')
  expect(resource).toEqual({
    url: 'http://127.0.0.1/report',
    description: 'A report',
    mimeType: '',
  })
  expect(toV1Requirement(route.options[0]!.requirements!, resource, route.outputSchema)).toEqual({
    scheme: 'exact',
    network: 'base-sepolia',
    maxAmountRequired: '10000',
    resource: 'http://127.0.0.1/report',
    description: 'A report',
    mimeType: '',
    outputSchema: { type: 'object' },
    payTo,
    maxTimeoutSeconds: 300,
    asset: baseSepoliaUsdc,
    extra: { name: 'USDC', version: '2' },
  })
  const custom = resolveOffer('GET /r', {
    price: '$1',
    payTo,
    network: 'base',
    resource: 'https://api.example/r',
  })
  expect(getResource(custom, 'http://127.0.0.1/r').url).toBe('https://api.example/r')
})
