import { erc20Abi } from '@tollgate/evm'
import { encodeAbiParameters, encodeEventTopics, type Hex } from 'viem'
import { expect, test } from 'vitest'
import { readTransferLog } from './readTransferLog.js'

const from = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const to = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

test("reads an ERC-20 Transfer as viem's ABI decoding does; anything else is not one", () => {
  const topics = encodeEventTopics({ abi: erc20Abi, eventName: 'Transfer', args: { from, to } })
  const data = encodeAbiParameters([{ type: 'uint256' }], [1_234_567n])
  expect(readTransferLog({ topics: topics as Hex[], data })).toEqual({
    from: from.toLowerCase(),
    to: to.toLowerCase(),
    value: 1_234_567n,
  })
  // ERC-721: the token id is a third indexed topic, and there is no data.
  expect(readTransferLog({ topics: [...(topics as Hex[]), data], data: '0x' })).toBeUndefined()
  // Another event.
  expect(
    readTransferLog({ topics: [`0x${'11'.repeat(32)}`, ...(topics.slice(1) as Hex[])], data }),
  ).toBeUndefined()
  // Malformed data.
  expect(readTransferLog({ topics: topics as Hex[], data: '0x01' })).toBeUndefined()
})
