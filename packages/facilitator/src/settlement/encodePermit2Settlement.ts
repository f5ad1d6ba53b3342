import { getPermit2SettlementCall, type Permit2Authorization } from '@tollgate/evm'
import { type Address, encodeFunctionData, type Hex } from 'viem'
import { InvalidSettlementBatchError } from '../errors.js'

/** Multicall3, at the same address on every chain that has it. */
export const multicall3Address = '0xcA11bde05977b3631167028862bE2a173976CA11' as const

/** Multicall3's `aggregate3`: each call may fail without sinking the others. */
export const aggregate3Abi = [
  {
    type: 'function',
    name: 'aggregate3',
    stateMutability: 'payable',
    inputs: [
      {
        name: 'calls',
        type: 'tuple[]',
        components: [
          { name: 'target', type: 'address' },
          { name: 'allowFailure', type: 'bool' },
          { name: 'callData', type: 'bytes' },
        ],
      },
    ],
    outputs: [
      {
        name: 'returnData',
        type: 'tuple[]',
        components: [
          { name: 'success', type: 'bool' },
          { name: 'returnData', type: 'bytes' },
        ],
      },
    ],
  },
] as const

/** One Permit2 payment to settle: the authorization, its signature, and the amount to move. */
export type Permit2SettlementItem = {
  authorization: Permit2Authorization
  signature: Hex
  /** `exact`: the permitted amount; `upto`: the charge. */
  amount: bigint
}

/** Gas limits of Permit2 settlement transactions (only gas used is paid). */
export type Permit2SettlementGas = {
  /** One proxy `settle`. @default 150_000n */
  single?: bigint | undefined
  /** Fixed part of a Multicall3 batch. @default 40_000n */
  batchBase?: bigint | undefined
  /** Each item of a batch. @default 110_000n */
  batchItem?: bigint | undefined
}

/**
 * The transaction that settles Permit2 payments: one proxy `settle` for one item; for several
 * `exact` ones, one Multicall3 `aggregate3` of their `settle` calls, each allowed to fail alone
 * (anyone may call the `exact` proxy, so a batch contract may). `upto` items are never batched:
 * the proxy only takes a settlement from the facilitator the payer named, never from a contract.
 */
export function encodePermit2Settlement({
  items,
  multicall3,
  gas = {},
}: {
  items: readonly Permit2SettlementItem[]
  /** Where Multicall3 is; without it only single settlements are possible. */
  multicall3?: Address | undefined
  gas?: Permit2SettlementGas | undefined
}): { to: Address; data: Hex; gas: bigint; kind: 'single' | 'batch' } {
  const invalid = (reason: string) =>
    new InvalidSettlementBatchError({ reason, size: items.length })
  const calls = items.map((item) => {
    const call = getPermit2SettlementCall(item)
    return {
      target: call.address,
      data: encodeFunctionData(call as Parameters<typeof encodeFunctionData>[0]),
    }
  })
  const [first] = calls
  if (!first) throw invalid('no items')
  if (calls.length === 1)
    return { to: first.target, data: first.data, gas: gas.single ?? 150_000n, kind: 'single' }
  if (!multicall3) throw invalid('a Permit2 batch needs Multicall3')
  if (items.some((item) => item.authorization.scheme !== 'exact'))
    throw invalid('upto settlements cannot be batched')
  return {
    to: multicall3,
    data: encodeFunctionData({
      abi: aggregate3Abi,
      functionName: 'aggregate3',
      args: [
        calls.map((call) => ({ target: call.target, allowFailure: true, callData: call.data })),
      ],
    }),
    gas: (gas.batchBase ?? 40_000n) + BigInt(items.length) * (gas.batchItem ?? 110_000n),
    kind: 'batch',
  }
}
