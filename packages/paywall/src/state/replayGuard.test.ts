import { expect, test } from 'vitest'
import { authorizationKey, createReplayGuard, validBeforeMs } from './replayGuard.js'

test('an authorization is taken once, until its validBefore, unless released', () => {
  let now = 1_000_000
  const guard = createReplayGuard({ now: () => now })
  expect(guard.reserve('a', 1_100_000)).toBe(true)
  expect(guard.reserve('a', 1_100_000)).toBe(false)
  expect(guard.has('a')).toBe(true)
  guard.release('a')
  expect(guard.has('a')).toBe(false)
  expect(guard.reserve('a', 1_100_000)).toBe(true)
  now = 1_099_999
  expect(guard.has('a')).toBe(true)
  now = 1_100_000
  // Expired: no facilitator can settle it any more, so the entry is gone.
  expect(guard.has('a')).toBe(false)
  expect(guard.size).toBe(0)
})

test('expired entries are pruned as the map grows', () => {
  let now = 0
  const guard = createReplayGuard({ now: () => now })
  for (let i = 0; i < 1024; i++) guard.reserve(`old-${i}`, 10_000)
  now = 20_000
  guard.reserve('new', 30_000)
  expect(guard.size).toBe(1)
})

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
