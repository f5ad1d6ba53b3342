import { describe, expect, test } from 'vitest'
import { formatAgentRegistry, parseAgentRegistry, sameAgentId, toAgentId } from './agentRegistry.js'
import { InvalidAgentReferenceError } from './errors.js'

describe('agent registry names', () => {
  test('format checksums and parse inverts it', () => {
    const name = formatAgentRegistry({
      chainId: 8453,
      address: '0x8004a169fb4a3325136eb29fa0ceb6d2e539a432',
    })
    expect(name).toBe('eip155:8453:0x8004A169FB4a3325136EB29fA0ceB6D2e539a432')
    expect(parseAgentRegistry(name)).toEqual({
      chainId: 8453,
      address: '0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
    })
  })

  test.each([
    'eip155:0:0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
    'solana:1:0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
    'eip155:8453:0x8004',
    'eip155:8453',
  ])('rejects %s', (value) => {
    expect(() => parseAgentRegistry(value)).toThrow(InvalidAgentReferenceError)
  })
})

describe('agent ids', () => {
  test('accepts numbers, digit strings and bigints', () => {
    expect(toAgentId(22)).toBe(22n)
    expect(toAgentId('22')).toBe(22n)
    expect(toAgentId(22n)).toBe(22n)
    expect(sameAgentId('22', 22)).toBe(true)
    expect(sameAgentId('022', 22)).toBe(false)
  })

  test.each([-1, 1.5, Number.NaN, '-1', '1e3', '0x10', '', 2n ** 256n, -1n])('rejects %s', (id) => {
    expect(() => toAgentId(id)).toThrow(InvalidAgentReferenceError)
  })
})
