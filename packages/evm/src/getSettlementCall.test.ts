import type { Hex } from 'viem'
import {
  decodeFunctionData,
  encodeFunctionData,
  serializeErc6492Signature,
  toFunctionSelector,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { eip3009Abi } from './abis.js'
import { getSettlementCall } from './getSettlementCall.js'

const asset = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const authorization = {
  from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  value: '10000',
  validAfter: '1700000000',
  validBefore: '1700000300',
  nonce: `0x${'ab'.repeat(32)}`,
}
const base = [
  authorization.from,
  authorization.to,
  10_000n,
  1_700_000_000n,
  1_700_000_300n,
  authorization.nonce,
] as const
const r = `0x${'11'.repeat(32)}` as const
const s = `0x${'22'.repeat(32)}` as const
const vrsSelector = toFunctionSelector(
  'transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)',
)
const bytesSelector = toFunctionSelector(
  'transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)',
)

describe('getSettlementCall', () => {
  test('65-byte signature: the (v, r, s) overload', () => {
    const call = getSettlementCall({
      payload: { signature: `${r}${s.slice(2)}1b`, authorization },
      requirements: { asset },
    })
    expect(call).toMatchObject({ address: asset, functionName: 'transferWithAuthorization' })
    expect(call.args).toEqual([...base, 27, r, s])
    expect(encodeFunctionData(call).slice(0, 10)).toBe(vrsSelector)
  })

  test('a 0/1 recovery bit becomes v = 27/28', () => {
    const call = getSettlementCall({
      payload: { signature: `${r}${s.slice(2)}01`, authorization },
      requirements: { asset },
    })
    expect(call.args[6]).toBe(28)
  })

  test('longer signature (ERC-1271 wallet): the bytes overload', () => {
    const signature = `0x${'cd'.repeat(130)}` as Hex
    const call = getSettlementCall({
      payload: { signature, authorization },
      requirements: { asset },
    })
    expect(call.args).toEqual([...base, signature])
    const data = encodeFunctionData(call)
    expect(data.slice(0, 10)).toBe(bytesSelector)
    expect(decodeFunctionData({ abi: eip3009Abi, data }).args).toEqual([...base, signature])
  })

  test('shorter non-ECDSA signature: the bytes overload', () => {
    const signature = `0x${'cd'.repeat(64)}` as Hex
    const call = getSettlementCall({
      payload: { signature, authorization },
      requirements: { asset },
    })
    expect(encodeFunctionData(call).slice(0, 10)).toBe(bytesSelector)
  })

  test('ERC-6492 wrapper is stripped; the inner signature picks the overload', () => {
    const inner = `${r}${s.slice(2)}1c` as Hex
    const wrapped = serializeErc6492Signature({
      address: '0x4e59b44847b379578588920cA78FbF26c0B4956C',
      data: '0x1234',
      signature: inner,
    })
    const call = getSettlementCall({
      payload: { signature: wrapped, authorization },
      requirements: { asset },
    })
    expect(call.args).toEqual([...base, 28, r, s])
    const long = `0x${'cd'.repeat(100)}` as Hex
    const wrappedLong = serializeErc6492Signature({
      address: '0x4e59b44847b379578588920cA78FbF26c0B4956C',
      data: '0x1234',
      signature: long,
    })
    expect(
      getSettlementCall({
        payload: { signature: wrappedLong, authorization },
        requirements: { asset },
      }).args,
    ).toEqual([...base, long])
  })
})
