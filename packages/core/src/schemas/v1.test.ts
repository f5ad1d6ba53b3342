import { describe, expect, test } from 'vitest'
import * as spec from '../../test/specExamples.js'
import {
  paymentPayloadV1Schema,
  paymentRequiredV1Schema,
  paymentRequirementsV1Schema,
  supportedResponseV1Schema,
} from './v1.js'

const requirements = spec.paymentRequiredV1.accepts[0]

describe('v1 schemas', () => {
  test('accept the specification 402 body (outputSchema: null) unchanged', () => {
    expect(paymentRequiredV1Schema.parse(spec.paymentRequiredV1)).toEqual(spec.paymentRequiredV1)
  })

  test('accept the specification X-PAYMENT payload', () => {
    const payload = JSON.parse(Buffer.from(spec.xPaymentHeader, 'base64').toString('utf8'))
    expect(paymentPayloadV1Schema.parse(payload)).toEqual(payload)
    expect(payload.network).toBe('base-sepolia')
  })

  test('keep unknown keys', () => {
    const value = { ...requirements, extra: { ...requirements.extra, feePayer: 'x' }, newKey: 1 }
    expect(paymentRequirementsV1Schema.parse(value)).toEqual(value)
  })

  test('mimeType may be absent (the reference core makes it optional)', () => {
    const { mimeType: _, ...noMime } = requirements
    expect(paymentRequirementsV1Schema.safeParse(noMime).success).toBe(true)
  })

  test.each<[string, unknown]>([
    ['x402Version 2', { ...spec.paymentRequiredV1, x402Version: 2 }],
    ['empty accepts', { ...spec.paymentRequiredV1, accepts: [] }],
    [
      'v2 amount field',
      {
        ...spec.paymentRequiredV1,
        accepts: [{ ...requirements, maxAmountRequired: undefined, amount: '1' }],
      },
    ],
    [
      'no description',
      { ...spec.paymentRequiredV1, accepts: [{ ...requirements, description: undefined }] },
    ],
    ['no resource', { ...spec.paymentRequiredV1, accepts: [{ ...requirements, resource: '' }] }],
    [
      'decimal maxAmountRequired',
      { ...spec.paymentRequiredV1, accepts: [{ ...requirements, maxAmountRequired: '0.01' }] },
    ],
  ])('reject a 402 body with %s', (_, value) => {
    expect(paymentRequiredV1Schema.safeParse(value).success).toBe(false)
  })

  test('reject a payload with no network or a non-object payload', () => {
    const payload = { x402Version: 1, scheme: 'exact', network: 'base', payload: {} }
    expect(paymentPayloadV1Schema.safeParse(payload).success).toBe(true)
    expect(paymentPayloadV1Schema.safeParse({ ...payload, network: '' }).success).toBe(false)
    expect(paymentPayloadV1Schema.safeParse({ ...payload, payload: [] }).success).toBe(false)
    expect(paymentPayloadV1Schema.safeParse({ ...payload, x402Version: 2 }).success).toBe(false)
  })

  test('v1 /supported', () => {
    const supported = { kinds: [{ x402Version: 1, scheme: 'exact', network: 'base-sepolia' }] }
    expect(supportedResponseV1Schema.parse(supported)).toEqual(supported)
    expect(supportedResponseV1Schema.safeParse({}).success).toBe(false)
  })
})
