import { describe, expect, test } from 'vitest'
import * as spec from '../../test/specExamples.js'
import { exactEvmPayloadSchema } from './exact-evm.js'

const { authorization } = spec.exactEvmPayload

describe('exactEvmPayloadSchema', () => {
  test('accepts the specification payload unchanged', () => {
    expect(exactEvmPayloadSchema.parse(spec.exactEvmPayload)).toEqual(spec.exactEvmPayload)
  })

  test('accepts a long (ERC-6492 / ERC-1271) signature', () => {
    const signature = `0x${'ab'.repeat(300)}`
    expect(exactEvmPayloadSchema.safeParse({ ...spec.exactEvmPayload, signature }).success).toBe(
      true,
    )
  })

  test.each<[string, unknown]>([
    ['signature without 0x', { signature: spec.exactEvmPayload.signature.slice(2) }],
    ['signature with odd length', { signature: `${spec.exactEvmPayload.signature}0` }],
    ['empty signature', { signature: '0x' }],
    ['non-hex signature', { signature: '0xzz' }],
    ['placeholder from the /verify example', { signature: '0x...' }],
    ['short from', { authorization: { ...authorization, from: '0x1234' } }],
    ['to without 0x', { authorization: { ...authorization, to: authorization.to.slice(2) } }],
    ['value as a number', { authorization: { ...authorization, value: 10000 } }],
    ['value with decimals', { authorization: { ...authorization, value: '1.5' } }],
    ['value in hex', { authorization: { ...authorization, value: '0x10' } }],
    [
      'value above uint256',
      { authorization: { ...authorization, value: (2n ** 256n).toString() } },
    ],
    ['validBefore negative', { authorization: { ...authorization, validBefore: '-1' } }],
    ['nonce of 31 bytes', { authorization: { ...authorization, nonce: `0x${'ab'.repeat(31)}` } }],
    ['nonce as decimal', { authorization: { ...authorization, nonce: '12345' } }],
    ['no authorization', { authorization: undefined }],
  ])('rejects %s', (_, change) => {
    expect(
      exactEvmPayloadSchema.safeParse({ ...spec.exactEvmPayload, ...(change as object) }).success,
    ).toBe(false)
  })

  test('drops unknown keys (the type is exact)', () => {
    const value = { ...spec.exactEvmPayload, authorization: { ...authorization, memo: 'x' }, v: 1 }
    expect(exactEvmPayloadSchema.parse(value)).toEqual(spec.exactEvmPayload)
  })
})
