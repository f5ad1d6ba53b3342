import { describe, expect, test } from 'vitest'
import * as spec from '../../test/specExamples.js'
import {
  caip2NetworkSchema,
  paymentPayloadSchema,
  paymentRequiredSchema,
  paymentRequirementsSchema,
  resourceInfoSchema,
  settleResponseSchema,
  supportedResponseSchema,
  verifyResponseSchema,
} from './v2.js'

const requirements = spec.paymentRequired.accepts[0]

describe('v2 schemas accept the specification examples', () => {
  test('PaymentRequired', () => {
    expect(paymentRequiredSchema.parse(spec.paymentRequired)).toEqual(spec.paymentRequired)
  })
  test('PaymentPayload', () => {
    expect(paymentPayloadSchema.parse(spec.paymentPayload)).toEqual(spec.paymentPayload)
  })
  test('VerifyResponse', () => {
    for (const response of spec.verifyResponses) {
      expect(verifyResponseSchema.parse(response)).toEqual(response)
    }
  })
  test('SettleResponse', () => {
    for (const response of spec.settleResponses) {
      expect(settleResponseSchema.parse(response)).toEqual(response)
    }
  })
  test('SupportedResponse', () => {
    expect(supportedResponseSchema.parse(spec.supportedResponse)).toEqual(spec.supportedResponse)
  })
})

describe('unknown keys survive unchanged', () => {
  test('in accepted, its extra, the resource and the payload', () => {
    const payload = {
      ...spec.paymentPayload,
      accepted: {
        ...requirements,
        extra: { ...requirements.extra, assetTransferMethod: 'eip3009', nested: { a: [1, 2] } },
        futureField: { x: 1 },
      },
      resource: { ...spec.paymentRequired.resource, serviceName: 'Weather', tags: ['a'] },
      payload: { ...spec.exactEvmPayload, somethingNew: true },
      topLevelNew: 'kept',
    }
    const parsed = paymentPayloadSchema.parse(payload)
    expect(parsed).toEqual(payload)
    expect(JSON.stringify(parsed)).toBe(JSON.stringify(payload))
  })

  test('in responses', () => {
    const verify = { isValid: true, payer: '0x1', extensionResponses: { bazaar: { ok: 1 } } }
    expect(verifyResponseSchema.parse(verify)).toEqual(verify)
    const settle = { ...spec.settleResponses[0], amount: '5000', extra: { batch: 3 }, other: 1 }
    expect(settleResponseSchema.parse(settle)).toEqual(settle)
  })
})

describe('optional fields', () => {
  test('null is accepted where other implementations send it', () => {
    expect(paymentRequirementsSchema.parse({ ...requirements, extra: null }).extra).toBeNull()
    expect(
      resourceInfoSchema.parse({ url: 'https://x', description: null, mimeType: null }),
    ).toEqual({ url: 'https://x', description: null, mimeType: null })
    expect(verifyResponseSchema.parse({ isValid: true, invalidReason: null }).isValid).toBe(true)
  })

  test('extra may be absent', () => {
    const { extra: _, ...withoutExtra } = requirements
    expect(paymentRequirementsSchema.parse(withoutExtra)).toEqual(withoutExtra)
  })

  test('a failed settlement without transaction reads as ""', () => {
    const parsed = settleResponseSchema.parse({
      success: false,
      errorReason: 'insufficient_funds',
      network: 'eip155:84532',
    })
    expect(parsed.transaction).toBe('')
  })

  test('a v1-style /supported (kinds only) gets empty extensions and signers', () => {
    expect(supportedResponseSchema.parse({ kinds: [] })).toEqual({
      kinds: [],
      extensions: [],
      signers: {},
    })
  })
})

describe('v2 schemas reject bad values', () => {
  const bad: [string, unknown][] = [
    ['x402Version 1', { ...spec.paymentRequired, x402Version: 1 }],
    ['x402Version "2" (a string)', { ...spec.paymentRequired, x402Version: '2' }],
    ['empty accepts', { ...spec.paymentRequired, accepts: [] }],
    ['no resource', { ...spec.paymentRequired, resource: undefined }],
    ['empty resource url', { ...spec.paymentRequired, resource: { url: '' } }],
    [
      'v1 network name',
      { ...spec.paymentRequired, accepts: [{ ...requirements, network: 'base' }] },
    ],
    ['number amount', { ...spec.paymentRequired, accepts: [{ ...requirements, amount: 10000 }] }],
    ['decimal amount', { ...spec.paymentRequired, accepts: [{ ...requirements, amount: '0.01' }] }],
    ['negative amount', { ...spec.paymentRequired, accepts: [{ ...requirements, amount: '-1' }] }],
    [
      'amount above uint256',
      { ...spec.paymentRequired, accepts: [{ ...requirements, amount: (2n ** 256n).toString() }] },
    ],
    [
      'maxTimeoutSeconds 0',
      { ...spec.paymentRequired, accepts: [{ ...requirements, maxTimeoutSeconds: 0 }] },
    ],
    [
      'maxTimeoutSeconds 1.5',
      { ...spec.paymentRequired, accepts: [{ ...requirements, maxTimeoutSeconds: 1.5 }] },
    ],
    ['extra a string', { ...spec.paymentRequired, accepts: [{ ...requirements, extra: 'x' }] }],
    ['extensions an array', { ...spec.paymentRequired, extensions: [] }],
    ['extension value a string', { ...spec.paymentRequired, extensions: { bazaar: 'x' } }],
  ]
  test.each(bad)('PaymentRequired: %s', (_, value) => {
    expect(paymentRequiredSchema.safeParse(value).success).toBe(false)
  })

  test('PaymentPayload without accepted, or with a non-object payload', () => {
    const { accepted: _, ...noAccepted } = spec.paymentPayload
    expect(paymentPayloadSchema.safeParse(noAccepted).success).toBe(false)
    expect(paymentPayloadSchema.safeParse({ ...spec.paymentPayload, payload: 'x' }).success).toBe(
      false,
    )
    expect(paymentPayloadSchema.safeParse({ ...spec.paymentPayload, accepted: null }).success).toBe(
      false,
    )
  })

  test('responses missing their required field', () => {
    expect(verifyResponseSchema.safeParse({ invalidReason: 'x' }).success).toBe(false)
    expect(verifyResponseSchema.safeParse({ isValid: 'true' }).success).toBe(false)
    expect(settleResponseSchema.safeParse({ success: true, transaction: '0x1' }).success).toBe(
      false,
    )
    expect(supportedResponseSchema.safeParse({ kinds: [{ scheme: 'exact' }] }).success).toBe(false)
  })

  test('CAIP-2 network', () => {
    expect(caip2NetworkSchema.safeParse('eip155:8453').success).toBe(true)
    expect(caip2NetworkSchema.safeParse(':8453').success).toBe(false)
    expect(caip2NetworkSchema.safeParse('base').success).toBe(false)
  })
})
