import type { Address, Hex } from 'viem'
import type { Permit2Authorization } from './permit2.js'
import { getPermit2Proxy } from './permit2.js'
import { exactPermit2ProxyAbi, uptoPermit2ProxyAbi } from './permit2Abis.js'

export type GetPermit2SettlementCallParameters = {
  authorization: Permit2Authorization
  signature: Hex
  /** What to move: the permitted amount for `exact`; for `upto`, the charge (at most the permitted amount). */
  amount: bigint
}

export type GetPermit2SettlementCallReturnType =
  | {
      address: Address
      abi: typeof exactPermit2ProxyAbi
      functionName: 'settle'
      args: readonly [
        { permitted: { token: Address; amount: bigint }; nonce: bigint; deadline: bigint },
        Address,
        { to: Address; validAfter: bigint },
        Hex,
      ]
    }
  | {
      address: Address
      abi: typeof uptoPermit2ProxyAbi
      functionName: 'settle'
      args: readonly [
        { permitted: { token: Address; amount: bigint }; nonce: bigint; deadline: bigint },
        bigint,
        Address,
        { to: Address; facilitator: Address; validAfter: bigint },
        Hex,
      ]
    }

/**
 * The proxy `settle` call of a Permit2 payment, ready for viem's `writeContract`,
 * `simulateContract` or `encodeFunctionData`: `exact` moves the permitted amount, `upto` moves
 * `amount` and must be sent by the facilitator its witness names.
 *
 * @example
 * import { getPermit2SettlementCall } from '@tollgate/evm'
 *
 * const hash = await walletClient.writeContract(getPermit2SettlementCall({ authorization, signature, amount }))
 */
export function getPermit2SettlementCall({
  authorization: a,
  signature,
  amount,
}: GetPermit2SettlementCallParameters): GetPermit2SettlementCallReturnType {
  const permit = {
    permitted: { token: a.token, amount: a.amount },
    nonce: a.nonce,
    deadline: a.deadline,
  }
  const address = getPermit2Proxy(a.scheme)
  if (a.scheme === 'upto')
    return {
      address,
      abi: uptoPermit2ProxyAbi,
      functionName: 'settle',
      args: [
        permit,
        amount,
        a.from,
        {
          to: a.to,
          facilitator: a.facilitator ?? '0x0000000000000000000000000000000000000000',
          validAfter: a.validAfter,
        },
        signature,
      ],
    }
  return {
    address,
    abi: exactPermit2ProxyAbi,
    functionName: 'settle',
    args: [permit, a.from, { to: a.to, validAfter: a.validAfter }, signature],
  }
}
