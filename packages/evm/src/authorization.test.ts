import type { Address, Hex } from 'viem'
import { hashDomain, hashTypedData, keccak256, stringToHex } from 'viem'
import { describe, expect, test } from 'vitest'
import {
  type Authorization,
  type AuthorizationDomain,
  createAuthorization,
  createNonce,
  fromWireAuthorization,
  getAuthorizationDomain,
  getDomainSeparator,
  getTransferWithAuthorizationTypedData,
  hashTransferWithAuthorization,
  toWireAuthorization,
} from './authorization.js'
import { InvalidAuthorizationError, MissingEip712DomainError } from './errors.js'

const from = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const to = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

const authorization: Authorization = {
  from,
  to,
  value: 10_000n,
  validAfter: 1_700_000_000n,
  validBefore: 1_700_000_300n,
  nonce: `0x${'ab'.repeat(32)}`,
}

// "USD Coin" (Base, Ethereum, Arbitrum, Polygon) and "USDC" (Base Sepolia, Sepolia, a devnet).
const domains: AuthorizationDomain[] = [
  {
    name: 'USD Coin',
    version: '2',
    chainId: 8453,
    verifyingContract: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  },
  {
    name: 'USDC',
    version: '2',
    chainId: 84532,
    verifyingContract: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  },
  {
    name: 'USD Coin',
    version: '2',
    chainId: 1,
    verifyingContract: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
  },
  {
    name: 'USDC',
    version: '2',
    chainId: 11155111,
    verifyingContract: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
  },
  {
    name: 'USD Coin',
    version: '2',
    chainId: 42161,
    verifyingContract: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831',
  },
  {
    name: 'USDC',
    version: '2',
    chainId: 31337,
    verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  },
]

describe('hashTransferWithAuthorization', () => {
  test('the precomputed type hashes are the keccak of the EIP-712 type strings', () => {
    const typeHashOf = (type: string) => keccak256(stringToHex(type))
    expect(
      typeHashOf(
        'TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)',
      ),
    ).toBe('0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267')
    expect(
      typeHashOf(
        'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
      ),
    ).toBe('0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f')
  })

  test.each(domains)('equals viem hashTypedData: "$name" on chain $chainId', (domain) => {
    const viemDigest = hashTypedData(
      getTransferWithAuthorizationTypedData({ authorization, domain }),
    )
    expect(hashTransferWithAuthorization({ authorization, domain })).toBe(viemDigest)
    // Twice: the second call uses the cached domain separator.
    expect(hashTransferWithAuthorization({ authorization, domain })).toBe(viemDigest)
    expect(getDomainSeparator(domain)).toBe(
      hashDomain({
        domain: { ...domain, chainId: BigInt(domain.chainId) },
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'version', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
        },
      }),
    )
  })

  test('golden digests (Base "USD Coin", Base Sepolia "USDC")', () => {
    expect(
      hashTransferWithAuthorization({ authorization, domain: domains[0]! }),
    ).toMatchInlineSnapshot(`"0x08172571484f7d12ec59ced2e148eefb8da6102a8afbf613550b954bd2a7fbf8"`)
    expect(
      hashTransferWithAuthorization({ authorization, domain: domains[1]! }),
    ).toMatchInlineSnapshot(`"0xdc36ab2e8310e1c17fd79c6df814bba5b76554e8b0f10cd05ddc513ed5d7eb3c"`)
  })

  test('the domain name, version, chain and contract all change the digest', () => {
    const base = domains[0]!
    const digests = new Set(
      [
        base,
        { ...base, name: 'USDC' },
        { ...base, version: '1' },
        { ...base, chainId: 84532 },
        { ...base, verifyingContract: domains[1]!.verifyingContract },
      ].map((domain) => hashTransferWithAuthorization({ authorization, domain })),
    )
    expect(digests.size).toBe(5)
  })

  test('address case does not change the digest', () => {
    const lower = {
      ...authorization,
      from: from.toLowerCase() as Address,
      to: to.toLowerCase() as Address,
    }
    const domain = domains[0]!
    expect(hashTransferWithAuthorization({ authorization: lower, domain })).toBe(
      hashTransferWithAuthorization({ authorization, domain }),
    )
  })

  test('equals viem for extreme values (0 and 2^256 - 1)', () => {
    const max = (1n << 256n) - 1n
    const edge = { ...authorization, value: max, validAfter: 0n, validBefore: max }
    const domain = domains[1]!
    expect(hashTransferWithAuthorization({ authorization: edge, domain })).toBe(
      hashTypedData(getTransferWithAuthorizationTypedData({ authorization: edge, domain })),
    )
  })

  test('rejects malformed fields with InvalidAuthorizationError', () => {
    const domain = domains[0]!
    const bad: Partial<Authorization>[] = [
      { from: '0x1234' as Address },
      { to: `0x${'g'.repeat(40)}` as Address },
      { value: -1n },
      { validBefore: 1n << 256n },
      { nonce: '0x1234' as Hex },
    ]
    for (const patch of bad)
      expect(() =>
        hashTransferWithAuthorization({ authorization: { ...authorization, ...patch }, domain }),
      ).toThrow(InvalidAuthorizationError)
  })
})

describe('createAuthorization', () => {
  const requirements = { payTo: to.toLowerCase(), amount: '10000', maxTimeoutSeconds: 300 }

  test('validAfter = now - 600, validBefore = now + maxTimeoutSeconds, value = amount', () => {
    const result = createAuthorization({ from, requirements, now: () => 1_700_000_000_000 })
    expect(result).toMatchObject({
      from,
      to,
      value: 10_000n,
      validAfter: 1_699_999_400n,
      validBefore: 1_700_000_300n,
    })
  })

  test('the skew is configurable and validAfter never goes below 0', () => {
    expect(
      createAuthorization({ from, requirements, now: () => 1_000_000, validAfterSkewSeconds: 30 })
        .validAfter,
    ).toBe(970n)
    expect(createAuthorization({ from, requirements, now: () => 100_999 }).validAfter).toBe(0n)
  })

  test('defaults to the current time', () => {
    const before = Math.floor(Date.now() / 1000)
    const result = createAuthorization({ from, requirements })
    const after = Math.floor(Date.now() / 1000)
    expect(result.validBefore).toBeGreaterThanOrEqual(BigInt(before + 300))
    expect(result.validBefore).toBeLessThanOrEqual(BigInt(after + 300))
    expect(result.validAfter).toBeLessThanOrEqual(BigInt(after))
  })

  test('nonce: 0x + 64 hex digits, random', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createNonce()))
    expect(nonces.size).toBe(100)
    for (const nonce of nonces) expect(nonce).toMatch(/^0x[0-9a-f]{64}$/)
    expect(createAuthorization({ from, requirements }).nonce).toMatch(/^0x[0-9a-f]{64}$/)
    expect(createAuthorization({ from, requirements, nonce: authorization.nonce }).nonce).toBe(
      authorization.nonce,
    )
  })

  test('wire form round-trips (decimal strings)', () => {
    const wire = toWireAuthorization(authorization)
    expect(wire).toEqual({
      from,
      to,
      value: '10000',
      validAfter: '1700000000',
      validBefore: '1700000300',
      nonce: authorization.nonce,
    })
    expect(fromWireAuthorization(wire)).toEqual(authorization)
  })
})

describe('getAuthorizationDomain', () => {
  const base = {
    network: 'eip155:8453',
    asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  }

  test('takes extra.name and extra.version', () => {
    expect(
      getAuthorizationDomain({ requirements: { ...base, extra: { name: 'X', version: '9' } } }),
    ).toEqual({ name: 'X', version: '9', chainId: 8453, verifyingContract: base.asset })
  })

  test('falls back to the registry, including for v1 network names', () => {
    expect(getAuthorizationDomain({ requirements: base })).toMatchObject({
      name: 'USD Coin',
      version: '2',
    })
    expect(
      getAuthorizationDomain({
        requirements: {
          network: 'base-sepolia',
          asset: '0x036cbd53842c5426634e7929541ec2318f3dcf7e',
        },
      }),
    ).toMatchObject({ name: 'USDC', version: '2', chainId: 84532 })
  })

  test('throws MissingEip712DomainError for an unknown asset without extra', () => {
    expect(() =>
      getAuthorizationDomain({ requirements: { ...base, asset: to, extra: { name: 'X' } } }),
    ).toThrow(MissingEip712DomainError)
  })

  test('throws for a network that is not EVM', () => {
    expect(() =>
      getAuthorizationDomain({
        requirements: { ...base, network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' },
      }),
    ).toThrow()
  })
})
