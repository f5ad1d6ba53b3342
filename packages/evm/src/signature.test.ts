import type { Hex } from 'viem'
import { keccak256, serializeErc6492Signature, stringToHex, zeroAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import {
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
