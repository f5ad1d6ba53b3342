import type { Address, Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import type { Permit2Terms, SettlementRecord } from '../../ledger/types.js'
import { chooseGroup } from './chooseGroup.js'

const account = privateKeyToAccount(`0x${'11'.repeat(32)}`)
const other = privateKeyToAccount(`0x${'22'.repeat(32)}`)
const batchSettler: Address = `0x${'bb'.repeat(20)}`
const multicall3: Address = `0x${'cc'.repeat(20)}`
const ecdsa: Hex = `0x${'ab'.repeat(65)}`
const contractSignature: Hex = `0x${'cd'.repeat(100)}`

let next = 0
function row(signature: Hex = ecdsa, permit2?: Permit2Terms | undefined): SettlementRecord {
  next++
  return {
    chainId: 31337,
    asset: `0x${'aa'.repeat(20)}`,
    payer: `0x${'01'.repeat(20)}`,
    nonce: `0x${next.toString(16).padStart(64, '0')}`,
    payee: `0x${'02'.repeat(20)}`,
    value: 1n,
    validAfter: 0n,
    validBefore: 2n ** 40n,
    signature,
    permit2,
    state: 'queued',
    holdUntil: undefined,
    txHash: undefined,
    sender: undefined,
    txNonce: undefined,
    blockNumber: undefined,
    blockHash: undefined,
    reason: undefined,
    owner: undefined,
    leaseUntil: undefined,
    attempts: 0,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
  }
}
const exact = () => row(ecdsa, { scheme: 'exact', permitted: 1n })
const upto = (facilitator: Address) => row(ecdsa, { scheme: 'upto', permitted: 5n, facilitator })

describe('chooseGroup', () => {
  test('one kind per transaction: the largest group', () => {
    const ecdsaRows = [row(), row()]
    const contractRows = [row(contractSignature), row(contractSignature), row(contractSignature)]
    const ready = [...ecdsaRows, exact(), ...contractRows]
    expect(chooseGroup(ready, account, { batchSettler, multicall3 })).toEqual(contractRows)
    const more = [row(), row()]
    expect(chooseGroup([...ready, ...more], account, { batchSettler, multicall3 })).toEqual([
      ...ecdsaRows,
      ...more,
    ])
  })

  test('without a BatchSettler an EIP-3009 row goes alone; Permit2 exact ones batch in Multicall3', () => {
    const a = row()
    const permit2 = [exact(), exact()]
    expect(
      chooseGroup([a, row(), ...permit2], account, { batchSettler: undefined, multicall3 }),
    ).toEqual(permit2)
    expect(chooseGroup([a, row()], account, { batchSettler: undefined, multicall3 })).toEqual([a])
  })

  test('without Multicall3 a Permit2 exact row goes alone; a tie goes to EIP-3009', () => {
    const permit2 = [exact(), exact(), exact()]
    const options = { batchSettler, multicall3: undefined }
    expect(chooseGroup(permit2, account, options)).toEqual([permit2[0]])
    const single = row()
    expect(chooseGroup([...permit2, single], account, options)).toEqual([single])
    const ecdsaRows = [row(), row()]
    expect(chooseGroup([...permit2, ...ecdsaRows], account, options)).toEqual(ecdsaRows)
  })

  test('an upto row goes alone, only from the account its payer named, and after the others', () => {
    const mine = upto(account.address.toLowerCase() as Address)
    const theirs = upto(other.address)
    const options = { batchSettler, multicall3 }
    expect(chooseGroup([theirs, mine], account, options)).toEqual([mine])
    expect(chooseGroup([theirs], account, options)).toEqual([])
    const plain = row()
    expect(chooseGroup([mine, plain], account, options)).toEqual([plain])
    expect(chooseGroup([], account, options)).toEqual([])
  })
})
