import { registrationType } from '@tollgate/contracts'
import { describe, expect, test } from 'vitest'
import { InvalidRegistrationFileError } from './errors.js'
import {
  createRegistrationFile,
  findService,
  hasRegistration,
  normalizeRegistrationFile,
  parseRegistrationFile,
  withRegistration,
} from './registrationFile.js'

const registry = 'eip155:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3'

describe('createRegistrationFile', () => {
  test('writes the type constant first and defaults active/x402Support', () => {
    const file = createRegistrationFile({
      name: 'weather',
      description: 'Paid weather',
      services: [{ name: 'web', endpoint: 'https://weather.example/api', version: '1' }],
      x402Support: true,
      supportedTrust: ['reputation'],
    })
    expect(JSON.stringify(file)).toMatchInlineSnapshot(
      `"{"type":"https://eips.ethereum.org/EIPS/eip-8004#registration-v1","name":"weather","description":"Paid weather","services":[{"name":"web","endpoint":"https://weather.example/api","version":"1"}],"x402Support":true,"active":true,"registrations":[],"supportedTrust":["reputation"]}"`,
    )
    expect(createRegistrationFile({ name: 'x' })).toEqual({
      type: registrationType,
      name: 'x',
      services: [],
      x402Support: false,
      active: true,
      registrations: [],
    })
  })

  test('rejects an empty name and a malformed registration', () => {
    expect(() => createRegistrationFile({ name: '' })).toThrow(InvalidRegistrationFileError)
    const error = (() => {
      try {
        createRegistrationFile({
          name: 'a',
          registrations: [{ agentId: 1, agentRegistry: 'base:0x1' }],
        })
      } catch (e) {
        return e as InvalidRegistrationFileError
      }
    })()
    expect(error?.code).toBe('TOLLGATE_IDENTITY_INVALID_REGISTRATION_FILE')
    expect(error?.shortMessage).toBe('The agent registration file is invalid.')
    expect(error?.metaMessages).toEqual([
      'registrations.0.agentRegistry: Expected "eip155:<chainId>:<address>"',
    ])
  })
})

describe('A2A and MCP endpoints', () => {
  test('are written as the ERC spells them, after the other services', () => {
    const file = createRegistrationFile({
      name: 'two-doors',
      services: [{ name: 'web', endpoint: 'https://a.example/api' }],
      a2a: { endpoint: 'https://a.example/.well-known/agent-card.json', version: '1.0' },
      mcp: { endpoint: 'https://a.example/mcp' },
    })
    expect(file.services).toEqual([
      { name: 'web', endpoint: 'https://a.example/api' },
      { name: 'A2A', endpoint: 'https://a.example/.well-known/agent-card.json', version: '1.0' },
      { name: 'MCP', endpoint: 'https://a.example/mcp' },
    ])
    expect(findService(parseRegistrationFile(JSON.stringify(file)).services, 'a2a')?.version).toBe(
      '1.0',
    )
  })
})

describe('parseRegistrationFile', () => {
  test('reads the legacy endpoints and x402support spellings', () => {
    const legacy = {
      type: registrationType,
      name: 'old',
      endpoints: [
        {
          name: 'A2A',
          endpoint: 'https://old.example/.well-known/agent-card.json',
          version: '0.3.0',
        },
        { name: 'agentWallet', endpoint: 'eip155:1:0x0000000000000000000000000000000000000001' },
      ],
      x402support: true,
    }
    const { file, legacyFields } = normalizeRegistrationFile(JSON.stringify(legacy))
    expect(legacyFields).toEqual(['endpoints', 'x402support'])
    expect(file.services).toHaveLength(2)
    expect(file.x402Support).toBe(true)
    expect(file.registrations).toEqual([])
    expect(file).not.toHaveProperty('endpoints')
    expect(findService(file.services, 'a2a')?.version).toBe('0.3.0')
  })

  test('prefers services when both are present and keeps unknown fields', () => {
    const file = parseRegistrationFile({
      type: registrationType,
      name: 'both',
      services: [{ name: 'web', endpoint: 'https://a.example', skills: ['x'] }],
      endpoints: [{ name: 'MCP', endpoint: 'https://b.example' }],
      registrations: [],
      extra: { kept: true },
    })
    expect(file.services).toEqual([{ name: 'web', endpoint: 'https://a.example', skills: ['x'] }])
    expect(file.extra).toEqual({ kept: true })
  })

  test('accepts bytes and rejects non-JSON, arrays and a wrong type', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(createRegistrationFile({ name: 'b' })))
    expect(parseRegistrationFile(bytes).name).toBe('b')
    expect(() => parseRegistrationFile('{')).toThrow(InvalidRegistrationFileError)
    expect(() => parseRegistrationFile(new Uint8Array([0xff, 0xfe]))).toThrow(
      InvalidRegistrationFileError,
    )
    expect(() => parseRegistrationFile([])).toThrow(InvalidRegistrationFileError)
    expect(() =>
      parseRegistrationFile({ type: 'https://example.com/agent', name: 'x', services: [] }),
    ).toThrow(InvalidRegistrationFileError)
  })
})

describe('registrations', () => {
  test('withRegistration adds once; hasRegistration ignores case and id spelling', () => {
    const file = withRegistration(createRegistrationFile({ name: 'r' }), {
      agentRegistry: registry,
      agentId: 7n,
    })
    expect(file.registrations).toEqual([{ agentId: 7, agentRegistry: registry }])
    expect(withRegistration(file, { agentRegistry: registry, agentId: 7n })).toBe(file)
    expect(hasRegistration(file, { agentRegistry: registry.toLowerCase(), agentId: '7' })).toBe(
      true,
    )
    expect(hasRegistration(file, { agentRegistry: registry, agentId: 8n })).toBe(false)
    expect(
      hasRegistration(file, { agentRegistry: registry.replace('31337', '1'), agentId: 7n }),
    ).toBe(false)
    const stringId = parseRegistrationFile({
      ...file,
      registrations: [{ agentId: '7', agentRegistry: registry }],
    })
    expect(hasRegistration(stringId, { agentRegistry: registry, agentId: 7 })).toBe(true)
  })

  test('an id beyond 2^53 is written as a string', () => {
    const big = 2n ** 60n
    const file = withRegistration(createRegistrationFile({ name: 'r' }), {
      agentRegistry: registry,
      agentId: big,
    })
    expect(file.registrations[0]?.agentId).toBe(big.toString())
    expect(hasRegistration(file, { agentRegistry: registry, agentId: big })).toBe(true)
  })
})
