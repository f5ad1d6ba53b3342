import { InvalidAgentReferenceError } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import {
  type AgentRegistrationFile,
  type PaywallAgent,
  type ResolvedAgentOption,
  resolveAgentOption,
} from './agent.js'
import { AgentConfigurationError } from './errors.js'

const agentRegistry = 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e'

const resolved = (option: PaywallAgent): ResolvedAgentOption => resolveAgentOption(option)

/** What `resolveAgentOption` throws for an option, as `[reason, cause name]`. */
function refusal(option: PaywallAgent): [string, string | undefined] {
  try {
    resolveAgentOption(option)
  } catch (error) {
    expect(error).toBeInstanceOf(AgentConfigurationError)
    const { reason, cause } = error as AgentConfigurationError
    return [reason, (cause as Error | undefined)?.name]
  }
  throw new AgentConfigurationError({ reason: 'expected a refusal' })
}

describe('resolveAgentOption', () => {
  test("the 402 extension is core's: the registry and the id as a JSON number", () => {
    expect(resolved({ agentRegistry, agentId: 7n }).extension.info).toEqual({
      agentRegistry,
      agentId: 7,
    })
    expect(resolved({ agentRegistry, agentId: '7' }).reference.agentId).toBe(7n)
    expect(resolved({ agentRegistry, agentId: 7 }).reference.agentId).toBe(7n)
  })

  test('an id beyond 2^53 stays exact, as a decimal string', () => {
    const big = 2n ** 200n + 1n
    expect(resolved({ agentRegistry, agentId: big }).extension.info).toMatchObject({
      agentId: big.toString(),
    })
  })

  test('a malformed option throws AgentConfigurationError saying what is wrong, core error as cause', () => {
    expect(
      [
        { agentRegistry: '0x8004A818BFB912233c491871b3d84c89A494BD9e', agentId: 1n },
        { agentRegistry: 'eip155:0:0x8004A818BFB912233c491871b3d84c89A494BD9e', agentId: 1n },
        { agentRegistry, agentId: -1n },
        { agentRegistry, agentId: 1.5 },
        { agentRegistry, agentId: '01' },
        { agentRegistry, agentId: 2n ** 256n },
        { agentRegistry, agentId: 1n, registrationFile: [] as unknown as AgentRegistrationFile },
      ].map(refusal),
    ).toMatchInlineSnapshot(`
      [
        [
          "agentRegistry: expected an agent registry "eip155:<chainId>:<address>", got 0x8004A818BFB912233c491871b3d84c89A494BD9e",
          "InvalidAgentReferenceError",
        ],
        [
          "agentRegistry: expected an agent registry "eip155:<chainId>:<address>", got eip155:0:0x8004A818BFB912233c491871b3d84c89A494BD9e",
          "InvalidAgentReferenceError",
        ],
        [
          "agentId: expected an agent id (a non-negative integer below 2^256), got -1",
          "InvalidAgentReferenceError",
        ],
        [
          "agentId: expected an agent id (a non-negative integer below 2^256), got 1.5",
          "InvalidAgentReferenceError",
        ],
        [
          "agentId: expected an agent id (a non-negative integer below 2^256), got 01",
          "InvalidAgentReferenceError",
        ],
        [
          "agentId: expected an agent id (a non-negative integer below 2^256), got 115792089237316195423570985008687907853269984665640564039457584007913129639936",
          "InvalidAgentReferenceError",
        ],
        [
          "registrationFile must be a JSON object or a function returning one",
          undefined,
        ],
      ]
    `)
    expect(refusal({ agentRegistry, agentId: -1n })[1]).toBe(InvalidAgentReferenceError.name)
  })
})

describe('the registration file', () => {
  test('without a file: the registration alone, which is what domain verification reads', async () => {
    expect(await resolved({ agentRegistry, agentId: 3n }).registrationFile()).toEqual({
      registrations: [{ agentId: 3, agentRegistry }],
    })
  })

  test('a file naming the agent (any address case, id as a string) is served as it is', async () => {
    const file = {
      type: 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1',
      name: 'weather',
      services: [{ name: 'web', endpoint: 'https://weather.example/report' }],
      registrations: [{ agentId: '3', agentRegistry: agentRegistry.toLowerCase() }],
    }
    expect(
      await resolved({ agentRegistry, agentId: 3n, registrationFile: file }).registrationFile(),
    ).toBe(file)
  })

  test('a file that does not name the agent gets its registration added once', async () => {
    const other = {
      agentId: 3,
      agentRegistry: 'eip155:1:0x8004A169FB4a3325136EB29fA0ceB6D2e539a432',
    }
    const file = { name: 'weather', registrations: [other] }
    const served = await resolved({
      agentRegistry,
      agentId: 3n,
      registrationFile: file,
    }).registrationFile()
    expect(served).toEqual({
      name: 'weather',
      registrations: [other, { agentId: 3, agentRegistry }],
    })
    // The caller's object is not changed.
    expect(file.registrations).toHaveLength(1)
    // A file without `registrations` gets the array.
    expect(
      await resolved({
        agentRegistry,
        agentId: 3n,
        registrationFile: { name: 'w' },
      }).registrationFile(),
    ).toEqual({ name: 'w', registrations: [{ agentId: 3, agentRegistry }] })
  })

  test('a function is called for every request', async () => {
    let calls = 0
    const agent = resolved({
      agentRegistry,
      agentId: 3n,
      registrationFile: async () => ({ name: `v${++calls}` }),
    })
    expect((await agent.registrationFile()).name).toBe('v1')
    expect((await agent.registrationFile()).name).toBe('v2')
    const broken = resolved({
      agentRegistry,
      agentId: 3n,
      registrationFile: () => 'nope' as unknown as AgentRegistrationFile,
    })
    await expect(broken.registrationFile()).rejects.toThrow(AgentConfigurationError)
  })
})
