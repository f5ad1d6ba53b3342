import type { PaymentRequirements } from '@tollgate/core'
import { agentReferenceKey } from '@tollgate/core'
import { expect, test } from 'vitest'
import type { Challenge } from './candidate.js'
import { readAgentClaim } from './identity.js'

const requirement: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x1111111111111111111111111111111111111111',
  maxTimeoutSeconds: 60,
}
const registry = 'eip155:8453:0x8004A169FB4a3325136EB29fA0ceB6D2e539a432'

function challenge(extensions?: Record<string, unknown>): Challenge {
  return {
    x402Version: 2,
    paymentRequired: {
      x402Version: 2,
      resource: { url: 'https://api.example.com/report' },
      accepts: [requirement],
      ...(extensions ? { extensions: extensions as never } : {}),
    },
  }
}

test("reads the agent a 402 names in its extensions, as core's AgentReference", () => {
  expect(agentReferenceKey).toBe('erc8004')
  expect(
    readAgentClaim(challenge({ erc8004: { info: { agentRegistry: registry, agentId: 22 } } })),
  ).toEqual({
    kind: 'named',
    agent: { agentRegistry: registry, registry, agentId: 22n },
  })
  expect(
    readAgentClaim(
      challenge({
        erc8004: { info: { agentRegistry: registry, agentId: '123456789012345678901' } },
      }),
    ),
  ).toEqual({
    kind: 'named',
    agent: { agentRegistry: registry, registry, agentId: 123456789012345678901n },
  })
})

test('no extension, or another one, names no agent', () => {
  expect(readAgentClaim(challenge())).toEqual({ kind: 'none' })
  expect(readAgentClaim(challenge({ bazaar: { info: {} } }))).toEqual({ kind: 'none' })
})

test('a malformed claim is reported as such', () => {
  expect(
    readAgentClaim(challenge({ erc8004: { info: { agentRegistry: '0x8004', agentId: 1 } } })),
  ).toEqual({
    kind: 'malformed',
    reason: 'Expected an agent registry "eip155:<chainId>:<address>".',
  })
  expect(
    readAgentClaim(challenge({ erc8004: { info: { agentRegistry: registry, agentId: -1 } } })),
  ).toMatchObject({ kind: 'malformed' })
  expect(readAgentClaim(challenge({ erc8004: { info: null } })).kind).toBe('malformed')
})

test('ids the old reader took are malformed: leading zeros, and 2^256 or more', () => {
  for (const agentId of ['007', (2n ** 256n).toString()])
    expect(
      readAgentClaim(challenge({ erc8004: { info: { agentRegistry: registry, agentId } } })),
    ).toMatchObject({ kind: 'malformed' })
})
