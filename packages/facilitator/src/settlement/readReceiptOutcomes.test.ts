import { reasons } from '@tollgate/core'
import { eip3009Abi } from '@tollgate/evm'
import {
  type Address,
  encodeAbiParameters,
  encodeErrorResult,
  encodeEventTopics,
  type Hex,
  type Log,
  parseAbi,
} from 'viem'
import { expect, test } from 'vitest'
import type { SettlementRecord } from '../ledger/types.js'
import { batchSettlerAbi } from './batchSettlerAbi.js'
import { readReceiptOutcomes } from './readReceiptOutcomes.js'

const token: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const payer: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const nonce = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex

const record = (n: number) => ({ asset: token, payer, nonce: nonce(n) }) as SettlementRecord

function log(address: Address, topics: Hex[], data: Hex = '0x'): Log {
  return { address, topics, data } as unknown as Log
}

const used = (n: number, from: Address = payer, at: Address = token) =>
  log(
    at,
    encodeEventTopics({
      abi: eip3009Abi,
      eventName: 'AuthorizationUsed',
      args: { authorizer: from, nonce: nonce(n) },
    }) as Hex[],
  )

const failed = (n: number, message: string) =>
  log(
    '0x0000000000000000000000000000000000000bad',
    encodeEventTopics({
      abi: batchSettlerAbi,
      eventName: 'AuthorizationFailed',
      args: { token, from: payer, nonce: nonce(n) },
    }) as Hex[],
    encodeAbiParameters(
      [{ type: 'bytes' }],
      [
        encodeErrorResult({
          abi: parseAbi(['error Error(string)']),
          errorName: 'Error',
          args: [message],
        }),
      ],
    ),
  )

test('a receipt settles the authorizations its token logged as used, and says why the others failed', () => {
  // A transfer log of the same token, unrelated, sits between them.
  const transfer = log(token, [
    '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef',
    `0x${'00'.repeat(12)}${payer.slice(2)}`,
    `0x${'00'.repeat(32)}`,
  ])
  const outcomes = readReceiptOutcomes(
    {
      status: 'success',
      logs: [
        used(1),
        transfer,
        failed(2, 'FiatTokenV2: invalid signature'),
        // Used, but of another token or payer: not ours.
        used(3, '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'),
        used(4, payer, '0x0000000000000000000000000000000000000001'),
      ],
    },
    [record(1), record(2), record(3), record(4)],
  )
  expect(outcomes.map((o) => o.outcome)).toEqual(['settled', 'failed', 'failed', 'failed'])
  expect(outcomes[1]).toMatchObject({ reason: reasons.invalidExactEvmSignature, definitive: true })
  expect(outcomes[2]).toMatchObject({
    reason: reasons.invalidExactEvmTransactionFailed,
    definitive: false,
  })
  // A reverted transaction settled nothing, whatever it logged.
  expect(
    readReceiptOutcomes({ status: 'reverted', logs: [used(1)] }, [record(1)])[0]?.outcome,
  ).toBe('failed')
})
