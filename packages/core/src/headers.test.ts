import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import * as spec from '../test/specExamples.js'
import {
  HeaderTooLargeError,
  InvalidBase64Error,
  InvalidJsonError,
  SchemaValidationError,
} from './errors/header.js'
import {
  decodeHeader,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  decodeXPaymentHeader,
  encodeHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
  headerNames,
} from './headers.js'
import { paymentPayloadSchema } from './schemas/v2.js'

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

describe('headerNames', () => {
  test('the wire names', () => {
    expect(headerNames).toMatchInlineSnapshot(`
      {
        "paymentRequired": "PAYMENT-REQUIRED",
        "paymentResponse": "PAYMENT-RESPONSE",
        "paymentSignature": "PAYMENT-SIGNATURE",
        "xPayment": "X-PAYMENT",
        "xPaymentResponse": "X-PAYMENT-RESPONSE",
      }
    `)
  })
})

describe('the specification headers', () => {
  test('PAYMENT-REQUIRED decodes, and re-encodes byte for byte', () => {
    const decoded = decodePaymentRequiredHeader(spec.paymentRequiredHeader)
    const { extensions: _, ...expected } = spec.paymentRequired
    expect(decoded).toEqual(expected)
    expect(encodePaymentRequiredHeader(decoded)).toBe(spec.paymentRequiredHeader)
  })

  test('PAYMENT-SIGNATURE decodes, and re-encodes byte for byte', () => {
    const decoded = decodePaymentSignatureHeader(spec.paymentSignatureHeader)
    const { extensions: _, ...expected } = spec.paymentPayload
    expect(decoded).toEqual(expected)
    expect(encodePaymentSignatureHeader(decoded)).toBe(spec.paymentSignatureHeader)
  })

  test('PAYMENT-RESPONSE success and failure', () => {
    const success = decodePaymentResponseHeader(spec.paymentResponseHeader)
    expect(success.success).toBe(true)
    expect(success.transaction).toBe(
      '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
    )
    // Same content; zod emits schema keys in schema order, so the bytes may differ.
    expect(decodePaymentResponseHeader(encodePaymentResponseHeader(success))).toEqual(success)
    const failure = decodePaymentResponseHeader(spec.paymentResponseFailureHeader)
    expect(failure).toEqual({
      success: false,
      errorReason: 'insufficient_funds',
      network: 'eip155:84532',
      transaction: '',
    })
  })

  test('X-PAYMENT and X-PAYMENT-RESPONSE (v1)', () => {
    const payment = decodeXPaymentHeader(spec.xPaymentHeader)
    expect(payment).toMatchObject({ x402Version: 1, scheme: 'exact', network: 'base-sepolia' })
    expect(encodeXPaymentHeader(payment)).toBe(spec.xPaymentHeader)
    const response = decodePaymentResponseHeader(spec.xPaymentResponseFailureHeader)
    expect(response).toMatchObject({ success: false, network: 'base-sepolia', transaction: '' })
  })

  test('a v1 payment is not a v2 one, and the reverse', () => {
    expect(() => decodePaymentSignatureHeader(spec.xPaymentHeader)).toThrow(SchemaValidationError)
    expect(() => decodeXPaymentHeader(spec.paymentSignatureHeader)).toThrow(SchemaValidationError)
  })
})

describe('encodeHeader', () => {
  test('standard padded base64 of UTF-8 JSON', () => {
    expect(encodeHeader({ success: true })).toBe('eyJzdWNjZXNzIjp0cnVlfQ==')
    const unicode = { note: 'café ☕ 𝄞 \u0000' }
    const encoded = encodeHeader(unicode)
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(JSON.stringify(unicode))
    expect(encoded.length % 4).toBe(0)
    expect(encoded).toMatch(/^[A-Za-z0-9+/]*={0,2}$/)
  })

  test('uses "+" and "/", never the url-safe alphabet', () => {
    // 0xfb 0xff encode to "+/"-bearing base64.
    const encoded = encodeHeader({ s: '\u00ff\u00fe\u00fb\u00ff?>' })
    expect(encoded).toMatch(/[+/]/)
    expect(encoded).not.toMatch(/[-_]/)
  })

  test('values that are not JSON throw InvalidJsonError', () => {
    expect(() => encodeHeader(undefined)).toThrow(InvalidJsonError)
    expect(() => encodeHeader(() => 1)).toThrow(InvalidJsonError)
    expect(() => encodeHeader({ amount: 1n })).toThrow(InvalidJsonError)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => encodeHeader(cyclic)).toThrow(InvalidJsonError)
  })

  test('PAYMENT-RESPONSE leaves out the server-side extensionResponses', () => {
    const header = encodePaymentResponseHeader({
      ...spec.settleResponses[0],
      extensionResponses: { bazaar: { status: 'ok' } },
    })
    expect(decodePaymentResponseHeader(header)).toEqual(spec.settleResponses[0])
  })
})

describe('decodeHeader rejects, with the typed errors', () => {
  const valid = spec.paymentSignatureHeader

  const base64Cases: [string, string, string][] = [
    ['padding removed', valid.replace(/=+$/, ''), 'length'],
    [
      'base64url alphabet',
      valid.replaceAll('+', '-').replaceAll('/', '_').replace(/[A-M]/, '-'),
      'alphabet',
    ],
    ['a space inside', `${valid.slice(0, 8)} ${valid.slice(9)}`, 'alphabet'],
    ['a leading space', ` ${valid.slice(1)}`, 'alphabet'],
    ['a trailing newline', `${valid.slice(0, -1)}\n`, 'alphabet'],
    ['a tab', `${valid.slice(0, -4)}\tAAA`, 'alphabet'],
    ['"=" inside', `${valid.slice(0, 4)}=${valid.slice(5)}`, 'alphabet'],
    ['three "="', 'QQ===', 'length'],
    ['"===" after 1 char', 'Q===', 'alphabet'],
    ['"===="', '====', 'alphabet'],
    ['non-ASCII', `${valid.slice(0, -4)}AAé=`, 'alphabet'],
    ['a full-width letter', `${valid.slice(0, -4)}ＡAA=`, 'alphabet'],
    ['a NUL', `${valid.slice(0, -4)}\u0000AAA`, 'alphabet'],
    ['unused bits set before "=="', 'QR==', 'non_canonical'],
    ['unused bits set before "="', 'QUJ=', 'non_canonical'],
  ]
  test.each(base64Cases)('%s -> InvalidBase64Error', (_, raw, reason) => {
    let thrown: unknown
    try {
      decodeHeader(raw, z.unknown())
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InvalidBase64Error)
    expect((thrown as InvalidBase64Error).reason).toBe(reason)
  })

  test('not a string -> InvalidBase64Error', () => {
    expect(() => decodeHeader(undefined as unknown as string, z.unknown())).toThrow(
      InvalidBase64Error,
    )
    expect(() => decodeHeader(['QQ=='] as unknown as string, z.unknown())).toThrow(
      InvalidBase64Error,
    )
  })

  test('oversized -> HeaderTooLargeError, before any decoding', () => {
    const big = 'A'.repeat(16_388)
    let thrown: unknown
    try {
      decodeHeader(big, z.unknown())
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(HeaderTooLargeError)
    expect((thrown as HeaderTooLargeError).size).toBe(16_388)
    // Over the limit wins over bad characters: the value is not even scanned.
    expect(() => decodeHeader(`${'!'.repeat(20_000)}`, z.unknown())).toThrow(HeaderTooLargeError)
    // The default limit admits a 16 KiB header; a custom limit applies.
    expect(() => decodeHeader(encodeHeader('x'.repeat(12_000)), z.unknown())).not.toThrow()
    expect(() => decodeHeader(valid, paymentPayloadSchema, { maxBytes: 100 })).toThrow(
      HeaderTooLargeError,
    )
    expect(decodeHeader(valid, paymentPayloadSchema, { maxBytes: valid.length }).x402Version).toBe(
      2,
    )
  })

  test('a 10 MB hostile value is refused at once', () => {
    const start = performance.now()
    expect(() => decodeHeader('{'.repeat(10_000_000), z.unknown())).toThrow(HeaderTooLargeError)
    expect(performance.now() - start).toBeLessThan(50)
  })

  test.each<[string, string]>([
    ['not JSON', b64('hello world')],
    ['empty', ''],
    ['truncated JSON', b64('{"x402Version":2,')],
    ['JSON with a BOM', b64('\ufeff{"a":1}')],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('base64')],
    [
      'a lone surrogate in UTF-8 (CESU)',
      Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]).toString('base64'),
    ],
    ['a __proto__ key', b64('{"accepted":{"__proto__":{"isAdmin":true}}}')],
  ])('%s -> InvalidJsonError', (_, raw) => {
    expect(() => decodeHeader(raw, z.unknown())).toThrow(InvalidJsonError)
  })

  test('"__proto__" as a value (not a key) is fine', () => {
    expect(decodeHeader(b64('{"a":"__proto__"}'), z.unknown())).toEqual({ a: '__proto__' })
    expect(decodeHeader(b64('["__proto__"]'), z.unknown())).toEqual(['__proto__'])
  })

  test('schema-invalid -> SchemaValidationError with the issues', () => {
    let thrown: unknown
    try {
      decodePaymentSignatureHeader(b64(JSON.stringify({ x402Version: 2, payload: {} })))
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(SchemaValidationError)
    const paths = (thrown as SchemaValidationError).issues.map((issue) => issue.path.join('.'))
    expect(paths).toContain('accepted')
    expect(() => decodeHeader(b64('null'), paymentPayloadSchema)).toThrow(SchemaValidationError)
    expect(() => decodeHeader(b64('[1,2]'), paymentPayloadSchema)).toThrow(SchemaValidationError)
  })

  test('a refinement that throws still gives SchemaValidationError', () => {
    const schema = z.unknown().refine(() => {
      throw new TypeError('boom')
    })
    expect(() => decodeHeader(b64('1'), schema)).toThrow(SchemaValidationError)
  })

  test('deeply nested JSON is handled without a stack overflow', () => {
    const deep = b64(`${'['.repeat(4000)}${']'.repeat(4000)}`)
    expect(() => decodeHeader(deep, z.unknown())).not.toThrow()
    const deepProto = b64(`${'['.repeat(4000)}{"__proto__":1}${']'.repeat(4000)}`)
    expect(() => decodeHeader(deepProto, z.unknown())).toThrow(InvalidJsonError)
  })
})

describe('decodeHeader returns the schema output', () => {
  test('generic over the schema', () => {
    const value = decodeHeader(b64('{"n":1}'), z.object({ n: z.number() }))
    expect(value.n).toBe(1)
  })

  test('unknown keys survive a decode', () => {
    const payload = {
      ...spec.paymentPayload,
      accepted: { ...spec.paymentPayload.accepted, futureField: [1, { a: null }] },
      topLevel: 'x',
    }
    expect(decodePaymentSignatureHeader(encodeHeader(payload))).toEqual(payload)
  })
})

describe('without Buffer (browsers, workers): atob/btoa and TextEncoder', () => {
  // Run synchronously with the global hidden, so nothing else observes its absence.
  function withoutBuffer<T>(fn: () => T): T {
    const saved = globalThis.Buffer
    ;(globalThis as { Buffer?: unknown }).Buffer = undefined
    try {
      return fn()
    } finally {
      globalThis.Buffer = saved
    }
  }

  test('same results as with Buffer', () => {
    const unicode = { note: 'café ☕ 𝄞', big: 'x'.repeat(70_000) }
    const results = withoutBuffer(() => ({
      payload: decodePaymentSignatureHeader(spec.paymentSignatureHeader),
      encoded: encodeHeader(unicode),
      required: encodePaymentRequiredHeader(
        decodePaymentRequiredHeader(spec.paymentRequiredHeader),
      ),
    }))
    expect(results.payload).toEqual(decodePaymentSignatureHeader(spec.paymentSignatureHeader))
    expect(results.encoded).toBe(encodeHeader(unicode))
    expect(results.required).toBe(spec.paymentRequiredHeader)
  })

  test.each<[string, string, string]>([
    ['padding removed', 'QUI', 'length'],
    ['base64url', 'Q-I=', 'alphabet'],
    ['whitespace', 'QU I', 'alphabet'],
    ['unused bits', 'QUJ=', 'non_canonical'],
  ])('%s -> InvalidBase64Error(%s)', (_, raw, reason) => {
    const thrown = withoutBuffer(() => {
      try {
        decodeHeader(raw, z.unknown())
      } catch (error) {
        return error
      }
    })
    expect(thrown).toBeInstanceOf(InvalidBase64Error)
    expect((thrown as InvalidBase64Error).reason).toBe(reason)
  })

  test('invalid UTF-8 -> InvalidJsonError', () => {
    const raw = Buffer.from([0x22, 0xff, 0x22]).toString('base64')
    expect(() => withoutBuffer(() => decodeHeader(raw, z.unknown()))).toThrow(InvalidJsonError)
  })
})
