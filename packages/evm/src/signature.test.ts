import fc from 'fast-check'
import { recover as recoverWithLibsecp256k1 } from 'tiny-secp256k1'
import type { Address, Hex } from 'viem'
import {
  keccak256,
  recoverAddress,
  serializeErc6492Signature,
  stringToHex,
  toHex,
  zeroAddress,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import {
  createEcdsaRecoverer,
  isErc6492Signature,
  recoverEcdsaSigner,
  splitSignature,
  unwrapErc6492Signature,
} from './signature.js'

const account = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const digest = keccak256(stringToHex('tollgate'))
const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

describe('recoverEcdsaSigner', () => {
  test('recovers the signer of a 65-byte signature locally', async () => {
    const signature = await account.sign({ hash: digest })
    expect(await recoverEcdsaSigner(digest, signature)).toBe(account.address)
  })

  test('accepts a 0/1 recovery bit as well as 27/28', async () => {
    const signature = await account.sign({ hash: digest })
    const v = Number.parseInt(signature.slice(130), 16)
    const bit = `${signature.slice(0, 130)}0${v - 27}` as Hex
    expect(await recoverEcdsaSigner(digest, bit)).toBe(account.address)
  })

  test('rejects the high-s twin of a valid signature (the token would)', async () => {
    const signature = await account.sign({ hash: digest })
    const { r, s, v } = splitSignature(signature)
    const highS = (n - BigInt(s)).toString(16).padStart(64, '0')
    const twin = `${r}${highS}${(v === 27 ? 28 : 27).toString(16)}` as Hex
    expect(await recoverEcdsaSigner(digest, twin)).toBeUndefined()
  })

  test('rejects other lengths, a bad v and garbage', async () => {
    const signature = await account.sign({ hash: digest })
    expect(await recoverEcdsaSigner(digest, `${signature}00`)).toBeUndefined()
    expect(await recoverEcdsaSigner(digest, `${signature.slice(0, 130)}1d` as Hex)).toBeUndefined()
    expect(await recoverEcdsaSigner(digest, `0x${'00'.repeat(64)}1b`)).toBeUndefined()
  })
})

/** What the token's `ECRecover` gives: viem's recovery, with high `s` and a bad `v` refused. */
async function reference(hash: Hex, signature: Hex): Promise<Address | undefined> {
  const { v, s } = splitSignature(signature)
  if (v !== 27 && v !== 28) return undefined
  if (BigInt(s) > n / 2n) return undefined
  try {
    return await recoverAddress({ hash, signature })
  } catch {
    return undefined
  }
}

describe('recoverEcdsaSigner with a cached payer key', () => {
  const payers = [
    account,
    privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'),
  ]

  test('agrees with a recovery for valid, flipped-v, high-s, wrong-digest and garbage signatures', async () => {
    // Seen twice: the key is cached, and its table built.
    for (const payer of payers) {
      for (let i = 0; i < 2; i++) {
        const hash = keccak256(stringToHex(`warm ${i}`))
        const signature = await payer.sign({ hash })
        expect(await recoverEcdsaSigner(hash, signature, payer.address)).toBe(payer.address)
      }
    }
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom(0, 1),
        fc.constantFrom('valid', 'flipped v', 'high s', 'wrong digest', 'garbage'),
        async (digestBytes, other, which, kind) => {
          const payer = payers[which]!
          const hash = toHex(digestBytes)
          const signed = await payer.sign({ hash })
          const { r, s, v } = splitSignature(signed)
          const hex = (x: bigint) => x.toString(16).padStart(64, '0')
          let signature: Hex = signed
          let checked = hash
          if (kind === 'flipped v') signature = `${r}${s.slice(2)}${v === 27 ? '1c' : '1b'}`
          if (kind === 'high s')
            signature = `${r}${hex(n - BigInt(s))}${v === 27 ? '1c' : '1b'}` as Hex
          if (kind === 'wrong digest') checked = toHex(other)
          if (kind === 'garbage')
            signature = `${toHex(other)}${toHex(digestBytes).slice(2)}${v.toString(16)}` as Hex
          const expected = await reference(checked, signature)
          expect(await recoverEcdsaSigner(checked, signature, payer.address)).toBe(expected)
          if (kind === 'valid') expect(expected).toBe(payer.address)
          else expect(expected).not.toBe(payer.address)
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe('splitSignature', () => {
  test('r, s and v (27/28) of a 65-byte signature', () => {
    const r = `0x${'11'.repeat(32)}` as const
    const s = `0x${'22'.repeat(32)}` as const
    expect(splitSignature(`${r}${s.slice(2)}1c`)).toEqual({ r, s, v: 28 })
    expect(splitSignature(`${r}${s.slice(2)}00`)).toEqual({ r, s, v: 27 })
  })
})

describe('ERC-6492', () => {
  const inner = `0x${'ab'.repeat(65)}` as Hex
  const factory = '0x4e59b44847b379578588920cA78FbF26c0B4956C'
  const factoryData = '0xdeadbeef'

  test('detects and unwraps a wrapped signature', () => {
    const wrapped = serializeErc6492Signature({
      address: factory,
      data: factoryData,
      signature: inner,
    })
    expect(isErc6492Signature(wrapped)).toBe(true)
    expect(unwrapErc6492Signature(wrapped)).toEqual({
      signature: inner,
      deployment: { factory, factoryData },
    })
  })

  test('a plain signature is returned as is', () => {
    expect(isErc6492Signature(inner)).toBe(false)
    expect(unwrapErc6492Signature(inner)).toEqual({ signature: inner })
  })

  test('a zero factory means no deployment', () => {
    const wrapped = serializeErc6492Signature({
      address: zeroAddress,
      data: '0x',
      signature: inner,
    })
    expect(unwrapErc6492Signature(wrapped)).toEqual({ signature: inner })
  })

  test('a malformed wrapper is undefined', () => {
    expect(unwrapErc6492Signature(`0x${'00'.repeat(8)}${'6492'.repeat(16)}`)).toBeUndefined()
  })
})

describe('createEcdsaRecoverer', () => {
  const viaLibsecp256k1 = createEcdsaRecoverer((hash, signature, bit) =>
    recoverWithLibsecp256k1(hash, signature, bit, false),
  )

  test('agrees with recoverEcdsaSigner on valid, flipped-v, 0/1-v, high-s, wrong-digest and garbage signatures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom('valid', 'flipped v', 'bit v', 'high s', 'wrong digest', 'garbage'),
        async (digestBytes, other, kind) => {
          const hash = toHex(digestBytes)
          const signed = await account.sign({ hash })
          const { r, s, v } = splitSignature(signed)
          const hex = (x: bigint) => x.toString(16).padStart(64, '0')
          let signature: Hex = signed
          let checked = hash
          if (kind === 'flipped v') signature = `${r}${s.slice(2)}${v === 27 ? '1c' : '1b'}`
          if (kind === 'bit v') signature = `${r}${s.slice(2)}0${v - 27}`
          if (kind === 'high s')
            signature = `${r}${hex(n - BigInt(s))}${v === 27 ? '1c' : '1b'}` as Hex
          if (kind === 'wrong digest') checked = toHex(other)
          if (kind === 'garbage')
            signature = `${toHex(other)}${toHex(digestBytes).slice(2)}${v.toString(16)}` as Hex
          const expected = await recoverEcdsaSigner(checked, signature)
          expect(await viaLibsecp256k1(checked, signature, account.address)).toBe(expected)
          if (kind === 'valid' || kind === 'bit v') expect(expected).toBe(account.address)
        },
      ),
      { numRuns: 120 },
    )
  })

  test('refuses what recoverEcdsaSigner refuses before recovering, and a backend that throws', async () => {
    const signed = await account.sign({ hash: digest })
    for (const bad of [
      `${signed}00`,
      `${signed.slice(0, 130)}1d`,
      `0x${'00'.repeat(64)}1b`,
      `0x${'zz'.repeat(65)}`,
    ])
      expect(await viaLibsecp256k1(digest, bad as Hex)).toBeUndefined()
    expect(await viaLibsecp256k1('0x1234', signed)).toBeUndefined()
    const throwing = createEcdsaRecoverer(() => {
      throw new Error('backend failed')
    })
    expect(await throwing(digest, signed)).toBeUndefined()
  })
})
