import { describe, expect, test } from 'vitest'
import * as spec from '../test/specExamples.js'
import { InvalidBase64Error, InvalidJsonError, SchemaValidationError } from './errors/header.js'
import { UnknownNetworkError } from './errors/network.js'
import { PaymentRequiredNotFoundError, UnsupportedX402VersionError } from './errors/version.js'
import { paymentRequirementsV1Schema } from './schemas/v1.js'
import { paymentRequirementsSchema } from './schemas/v2.js'
import {
  parsePaymentRequiredResponse,
  requirementsFromV1,
  requirementsToV1,
  resourceFromV1,
} from './version.js'

const v1Requirement = { ...spec.paymentRequiredV1.accepts[0], network: 'base-sepolia' }

describe('parsePaymentRequiredResponse', () => {
  test('v2: the PAYMENT-REQUIRED header (the body is ignored)', () => {
    const result = parsePaymentRequiredResponse({
      header: spec.paymentRequiredHeader,
      body: {},
    })
    expect(result.x402Version).toBe(2)
    expect(result.paymentRequired.accepts[0]?.network).toBe('eip155:84532')
  })

  test('v2 header wins over a v1 body', () => {
    const result = parsePaymentRequiredResponse({
      header: spec.paymentRequiredHeader,
      body: spec.paymentRequiredV1,
    })
    expect(result.x402Version).toBe(2)
  })

  test('v1: a JSON body, parsed or as text', () => {
    const parsed = parsePaymentRequiredResponse({ header: null, body: spec.paymentRequiredV1 })
    expect(parsed).toEqual({ x402Version: 1, paymentRequired: spec.paymentRequiredV1 })
    const text = parsePaymentRequiredResponse({ body: JSON.stringify(spec.paymentRequiredV1) })
    expect(text).toEqual({ x402Version: 1, paymentRequired: spec.paymentRequiredV1 })
    // An empty header counts as absent.
    expect(
      parsePaymentRequiredResponse({ header: '', body: spec.paymentRequiredV1 }).x402Version,
    ).toBe(1)
  })

  test('typed errors otherwise', () => {
    expect(() => parsePaymentRequiredResponse({})).toThrow(PaymentRequiredNotFoundError)
    expect(() => parsePaymentRequiredResponse({ body: {} })).toThrow(PaymentRequiredNotFoundError)
    expect(() => parsePaymentRequiredResponse({ body: '' })).toThrow(PaymentRequiredNotFoundError)
    expect(() => parsePaymentRequiredResponse({ body: 42 })).toThrow(PaymentRequiredNotFoundError)
    expect(() => parsePaymentRequiredResponse({ body: '<html>402</html>' })).toThrow(
      InvalidJsonError,
    )
    // A v2 challenge belongs in the header; in the body it is not read (as the reference).
    expect(() => parsePaymentRequiredResponse({ body: spec.paymentRequired })).toThrow(
      UnsupportedX402VersionError,
    )
    expect(() => parsePaymentRequiredResponse({ body: { x402Version: '1', accepts: [] } })).toThrow(
      UnsupportedX402VersionError,
    )
    expect(() =>
      parsePaymentRequiredResponse({ body: { ...spec.paymentRequiredV1, accepts: [] } }),
    ).toThrow(SchemaValidationError)
    expect(() => parsePaymentRequiredResponse({ header: 'not base64!' })).toThrow(
      InvalidBase64Error,
    )
    // A v1 challenge in the v2 header is a schema error.
    const v1InHeader = Buffer.from(JSON.stringify(spec.paymentRequiredV1)).toString('base64')
    expect(() => parsePaymentRequiredResponse({ header: v1InHeader })).toThrow(
      SchemaValidationError,
    )
  })

  test('the header size limit can be set', () => {
    const header = spec.paymentRequiredHeader
    expect(() => parsePaymentRequiredResponse({ header }, { maxBytes: 10 })).toThrow(
      'more than the 10 allowed',
    )
    expect(parsePaymentRequiredResponse({ header }, { maxBytes: header.length }).x402Version).toBe(
      2,
    )
  })
})

describe('requirements between v1 and v2', () => {
  test('requirementsFromV1', () => {
    const v2 = requirementsFromV1(v1Requirement)
    expect(v2).toEqual({
      scheme: 'exact',
      network: 'eip155:84532',
      amount: '10000',
      asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
      maxTimeoutSeconds: 60,
      extra: { name: 'USDC', version: '2' },
    })
    expect(paymentRequirementsSchema.safeParse(v2).success).toBe(true)
    expect(resourceFromV1(v1Requirement)).toEqual(spec.paymentRequired.resource)
  })

  test('requirementsFromV1 rejects an unknown v1 network', () => {
    expect(() => requirementsFromV1({ ...v1Requirement, network: 'kairos-testnet' })).toThrow(
      UnknownNetworkError,
    )
  })

  test('requirementsToV1', () => {
    const v1 = requirementsToV1(spec.paymentRequired.accepts[0], spec.paymentRequired.resource)
    const { outputSchema: _, ...expected } = v1Requirement
    expect(v1).toEqual(expected)
    expect(paymentRequirementsV1Schema.safeParse(v1).success).toBe(true)
  })

  test('round trip v2 -> v1 -> v2 is the identity', () => {
    const v2 = spec.paymentRequired.accepts[0]
    expect(requirementsFromV1(requirementsToV1(v2, spec.paymentRequired.resource))).toEqual(v2)
  })

  test('requirementsToV1: no v1 name keeps the CAIP-2 id; null extra and missing fields', () => {
    const v1 = requirementsToV1(
      { ...spec.paymentRequired.accepts[0], network: 'eip155:31337', extra: null },
      { url: 'http://127.0.0.1/x' },
    )
    expect(v1.network).toBe('eip155:31337')
    expect(v1).not.toHaveProperty('extra')
    expect(v1.description).toBe('')
    expect(v1.mimeType).toBe('')
  })
})
