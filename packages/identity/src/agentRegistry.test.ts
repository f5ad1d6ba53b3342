import { InvalidAgentReferenceError } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { formatAgentRegistry, parseAgentRegistry, sameAgentId } from './agentRegistry.js'

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
  test("the same id whatever its spelling; core's rule for what an id is", () => {
    expect(sameAgentId('22', 22)).toBe(true)
    expect(sameAgentId(22n, '22')).toBe(true)
    expect(sameAgentId('022', 22)).toBe(false)
    expect(sameAgentId(-1, -1)).toBe(false)
  })
})

describe("core's rule for registry names", () => {
  test('an address in any case is taken (as core takes it) and checksummed', () => {
    // The last letter's case is wrong for the checksum: core accepts it, so identity does too.
    const name = 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9E'
    expect(parseAgentRegistry(name)).toEqual({
      chainId: 84532,
      address: '0x8004A818BFB912233c491871b3d84c89A494BD9e',
    })
  })
})
