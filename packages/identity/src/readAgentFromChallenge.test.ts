import { agentReferenceKey, InvalidAgentReferenceError, readAgentReference } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { readAgentFromChallenge } from './readAgentFromChallenge.js'

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
    expect(agentReferenceKey).toBe('erc8004')
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

describe("readAgentFromChallenge: core's rule, one rule", () => {
  // Each entry is accepted or refused exactly as core's readAgentReference decides.
  const entries: unknown[] = [
    { info: { agentRegistry, agentId: 42 } },
    { info: { agentRegistry, agentId: '42' } },
    // A mixed-case address whose checksum is wrong: core takes it (the address is data, not a key).
    {
      info: {
        agentRegistry: 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9E',
        agentId: 1,
      },
    },
    {
      info: { agentRegistry: 'eip155:012:0x8004a818bfb912233c491871b3d84c89a494bd9e', agentId: 1 },
    },
    { info: { agentRegistry: `eip155:${2 ** 53}:${registry}`, agentId: 1 } },
    { info: { agentRegistry, agentId: '007' } },
    { info: { agentRegistry, agentId: (2n ** 256n).toString() } },
    { info: { agentRegistry, agentId: (2n ** 256n - 1n).toString() } },
  ]
  test.each(entries.map((entry, index) => [index, entry]))('entry %i', (_index, entry) => {
    const extensions = { erc8004: entry }
    const outcome = (read: () => unknown) => {
      try {
        const value = read() as { agentRegistry: string; agentId: bigint } | undefined
        return value && { agentRegistry: value.agentRegistry.toLowerCase(), agentId: value.agentId }
      } catch (error) {
        return error instanceof InvalidAgentReferenceError ? 'invalid' : error
      }
    }
    expect(outcome(() => readAgentFromChallenge({ extensions }))).toEqual(
      outcome(() => readAgentReference(extensions)),
    )
  })
})
