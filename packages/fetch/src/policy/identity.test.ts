import type { PaymentRequirements } from '@tollgate/core'
import { expect, test } from 'vitest'
import type { Challenge } from './candidate.js'
import { agentIdentityExtension, readAgentIdentity } from './identity.js'

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

test('reads the agent a 402 names in its extensions', () => {
  expect(agentIdentityExtension).toBe('erc8004')
  expect(
    readAgentIdentity(challenge({ erc8004: { info: { agentRegistry: registry, agentId: 22 } } })),
  ).toEqual({ kind: 'named', agent: { registry, agentId: '22' } })
  expect(
    readAgentIdentity(
      challenge({
        erc8004: { info: { agentRegistry: registry, agentId: '123456789012345678901' } },
      }),
    ),
  ).toEqual({ kind: 'named', agent: { registry, agentId: '123456789012345678901' } })
})

test('no extension, or another one, names no agent', () => {
  expect(readAgentIdentity(challenge())).toEqual({ kind: 'none' })
  expect(readAgentIdentity(challenge({ bazaar: { info: {} } }))).toEqual({ kind: 'none' })
})

test('a malformed claim is reported as such', () => {
  expect(
    readAgentIdentity(challenge({ erc8004: { info: { agentRegistry: '0x8004', agentId: 1 } } })),
  ).toEqual({ kind: 'malformed', reason: 'its agentRegistry is not eip155:<chainId>:<address>' })
  expect(
    readAgentIdentity(challenge({ erc8004: { info: { agentRegistry: registry, agentId: -1 } } })),
  ).toEqual({ kind: 'malformed', reason: 'its agentId is not a number' })
  expect(readAgentIdentity(challenge({ erc8004: { info: null } })).kind).toBe('malformed')
})
