import { describe, expect, test } from 'vitest'
import * as spec from '../../test/specExamples.js'
import { settleRequestSchema, verifyRequestSchema } from './facilitator.js'

const v2 = {
  x402Version: 2,
  paymentPayload: spec.paymentPayload,
  paymentRequirements: spec.paymentRequired.accepts[0],
}
const v1Requirements = spec.paymentRequiredV1.accepts[0]
const v1 = {
  x402Version: 1,
  paymentPayload: {
    x402Version: 1,
    scheme: 'exact',
    network: 'base-sepolia',
    payload: spec.exactEvmPayload,
  },
  paymentRequirements: { ...v1Requirements, network: 'base-sepolia' },
}

describe('facilitator request bodies', () => {
  test.each([
    ['verify', verifyRequestSchema],
    ['settle', settleRequestSchema],
  ])('%s: v2 and v1 bodies parse unchanged', (_, schema) => {
    expect(schema.parse(v2)).toEqual(v2)
    expect(schema.parse(v1)).toEqual(v1)
  })

  test('the specification /verify example (no x402Version) parses', () => {
    expect(verifyRequestSchema.parse(spec.verifyRequest)).toEqual(spec.verifyRequest)
  })

  test.each<[string, unknown]>([
    ['a version that contradicts the payload', { ...v2, x402Version: 1 }],
    ['v1 payload with v2 requirements', { ...v1, paymentRequirements: v2.paymentRequirements }],
    ['v2 payload with v1 requirements', { ...v2, paymentRequirements: v1.paymentRequirements }],
    ['no requirements', { x402Version: 2, paymentPayload: spec.paymentPayload }],
    ['x402Version 3', { ...v2, x402Version: 3 }],
  ])('rejects %s', (_, value) => {
    expect(verifyRequestSchema.safeParse(value).success).toBe(false)
    expect(settleRequestSchema.safeParse(value).success).toBe(false)
  })
})
