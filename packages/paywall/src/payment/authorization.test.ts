import { expect, test } from 'vitest'
import { authorizationKey, validBeforeMs } from './authorization.js'

test('the key is chain, token, payer and nonce, case-insensitive', () => {
  const payload = {
    signature: '0x',
    authorization: {
      from: '0xAbCd000000000000000000000000000000000001',
      to: '0x0000000000000000000000000000000000000002',
      value: '1',
      validAfter: '0',
      validBefore: '1',
      nonce: `0x${'AB'.repeat(32)}`,
    },
  }
  const key = authorizationKey(
    { network: 'eip155:1', asset: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' },
    payload,
  )
  expect(key).toBe(
    `eip155:1|0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48|0xabcd000000000000000000000000000000000001|0x${'ab'.repeat(32)}`,
  )
})

test('validBefore (unix seconds, the EIP-3009 edge) on the millisecond clock', () => {
  const at = (validBefore: string) =>
    validBeforeMs({ signature: '0x', authorization: { validBefore } as never })
  expect(at('1700000000')).toBe(1_700_000_000_000)
  // The largest uint256 still compares as later than any clock.
  expect(at((2n ** 256n - 1n).toString()) > Date.now()).toBe(true)
})
