import { describe, expect, test } from 'vitest'
import {
  agentIdToJson,
  declareAgentReference,
  parseAgentId,
  readAgentReference,
} from './agentReference.js'
import { InvalidAgentReferenceError } from './errors/agent.js'

const agentRegistry = 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e'

describe('readAgentReference', () => {
  test('no extensions or no entry is no claim', () => {
    expect(readAgentReference(undefined)).toBeUndefined()
    expect(readAgentReference({ other: {} })).toBeUndefined()
  })

  test('reads numbers and digit strings up to 2^256 - 1, and round-trips what it declares', () => {
    expect(readAgentReference({ erc8004: { info: { agentRegistry, agentId: 42 } } })).toEqual({
      agentRegistry,
      agentId: 42n,
    })
    const big = 2n ** 256n - 1n
    const declared = declareAgentReference({ agentRegistry, agentId: big })
    expect(declared.info).toEqual({ agentRegistry, agentId: big.toString() })
    expect(readAgentReference({ erc8004: declared })?.agentId).toBe(big)
    expect(agentIdToJson(2n ** 53n - 1n)).toBe(2 ** 53 - 1)
    expect(agentIdToJson(2n ** 53n)).toBe('9007199254740992')
  })

  test('one rule for ids: leading zeros, negatives, fractions and 2^256 are refused', () => {
    const refused = ['007', '-1', '1.5', (2n ** 256n).toString(), '', ' 1', -1, 1.5, 2 ** 53, null]
    for (const agentId of refused) {
      expect(() => parseAgentId(agentId), String(agentId)).toThrow(InvalidAgentReferenceError)
    }
  })

  test('a malformed entry is an error, not "no agent"', () => {
    const messages = [
      { erc8004: true },
      {
        erc8004: {
          info: { agentRegistry: '0x8004a818bfb912233c491871b3d84c89a494bd9e', agentId: 1 },
        },
      },
      {
        erc8004: {
          info: {
            agentRegistry: 'eip155:0:0x8004a818bfb912233c491871b3d84c89a494bd9e',
            agentId: 1,
          },
        },
      },
      { erc8004: { info: { agentRegistry } } },
    ].map((extensions) => {
      try {
        readAgentReference(extensions)
        return 'no error'
      } catch (error) {
        return (error as InvalidAgentReferenceError).message.split('\n').join(' ')
      }
    })
    expect(messages).toMatchInlineSnapshot(`
      [
        "Expected extensions.erc8004.info to be { agentRegistry, agentId }.  Got: true",
        "Expected an agent registry "eip155:<chainId>:<address>".  Got: 0x8004a818bfb912233c491871b3d84c89a494bd9e",
        "Expected an agent registry "eip155:<chainId>:<address>".  Got: eip155:0:0x8004a818bfb912233c491871b3d84c89a494bd9e",
        "Expected an agent id (a non-negative integer below 2^256).  Got: undefined",
      ]
    `)
  })
})
