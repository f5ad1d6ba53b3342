import { describe, expect, test } from 'vitest'
import { InvalidAgentReferenceError } from './errors.js'
import { agentIdentityExtension, readAgentFromChallenge } from './readAgentFromChallenge.js'

const registry = '0x8004a818bfb912233c491871b3d84c89a494bd9e'
const agentRegistry = `eip155:84532:${registry}`

describe('readAgentFromChallenge', () => {
  test('a challenge that names no agent', () => {
    expect(readAgentFromChallenge({})).toBeUndefined()
    expect(readAgentFromChallenge({ extensions: null })).toBeUndefined()
    expect(
      readAgentFromChallenge({
        extensions: { 'payment-identifier': { info: { required: false } } },
      }),
    ).toBeUndefined()
  })

  test('the erc8004 entry: registry checksummed, id as a bigint (number or digit string)', () => {
    expect(agentIdentityExtension).toBe('erc8004')
    expect(
      readAgentFromChallenge({
        x402Version: 2,
        extensions: { erc8004: { info: { agentRegistry, agentId: 42 }, schema: {} } },
      } as { extensions: unknown }),
    ).toEqual({
      agentRegistry: 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e',
      agentId: 42n,
    })
    const big = (2n ** 200n).toString()
    expect(
      readAgentFromChallenge({ extensions: { erc8004: { info: { agentRegistry, agentId: big } } } })
        ?.agentId,
    ).toBe(2n ** 200n)
  })

  test('a malformed entry is an error, not "no agent"', () => {
    const messages = [
      { erc8004: true },
      { erc8004: { info: 'agent 42' } },
      { erc8004: { info: { agentRegistry: registry, agentId: 42 } } },
      { erc8004: { info: { agentRegistry, agentId: -1 } } },
      { erc8004: { info: { agentRegistry, agentId: 1.5 } } },
      { erc8004: { info: { agentRegistry } } },
    ].map((extensions) => {
      try {
        readAgentFromChallenge({ extensions })
        return 'no error'
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidAgentReferenceError)
        return `${(error as InvalidAgentReferenceError).shortMessage} ${(error as InvalidAgentReferenceError).metaMessages?.join(' ')}`
      }
    })
    expect(messages).toMatchInlineSnapshot(`
      [
        "Expected extensions.erc8004.info to be { agentRegistry, agentId }. Got: true",
        "Expected extensions.erc8004.info to be { agentRegistry, agentId }. Got: {"info":"agent 42"}",
        "Expected an agent registry "eip155:<chainId>:<address>". Got: 0x8004a818bfb912233c491871b3d84c89a494bd9e",
        "Expected an agent id (a non-negative integer below 2^256). Got: -1",
        "Expected an agent id (a non-negative integer below 2^256). Got: 1.5",
        "Expected an agent id (a non-negative integer below 2^256). Got: undefined",
      ]
    `)
  })
})
