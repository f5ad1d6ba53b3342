import { readAuthorizationState } from '@tollgate/evm'
import { type Address, type Hex, pad } from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'

// keccak256('AuthorizationUsed(address,bytes32)') and keccak256('AuthorizationCanceled(address,bytes32)')
const usedTopic = '0x98de503528ee59b575ef0c0a2576a82497bfc029a5685b209e9ec333479b10a5'
const canceledTopic = '0x1cdd46ff242716cdaa72d159d339a485b3438398348d68f09d7c8c0a59353d81'

/** What the chain says about an authorization. */
export type AuthorizationOnChain =
  | { status: 'unused' }
  /** Spent: the payee was paid, by whichever transaction carried it (found when the logs allow). */
  | {
      status: 'used'
      txHash?: Hex | undefined
      blockNumber?: bigint | undefined
      blockHash?: Hex | undefined
    }
  /** Canceled by the payer with `cancelAuthorization`: never paid. */
  | { status: 'canceled' }

export type ReconcileAuthorizationParameters = {
  asset: Address
  payer: Address
  nonce: Hex
  /** First block searched for the `AuthorizationUsed` log. @default 0n */
  fromBlock?: bigint | undefined
}

type RpcLog = {
  topics: Hex[]
  transactionHash: Hex | null
  blockNumber: Hex | null
  blockHash: Hex | null
}

/**
 * Asks the chain whether an authorization was spent, before the settler sends it (again): the
 * token's `authorizationState`, then its `AuthorizationUsed`/`AuthorizationCanceled` log to tell a
 * payment from a cancellation and to find the transaction that paid.
 */
export async function reconcileAuthorization(
  client: ChainClient,
  { asset, payer, nonce, fromBlock = 0n }: ReconcileAuthorizationParameters,
): Promise<AuthorizationOnChain> {
  const used = await readAuthorizationState(client, { asset, authorizer: payer, nonce })
  if (!used) return { status: 'unused' }
  let logs: RpcLog[] = []
  try {
    logs = (await client.request({
      method: 'eth_getLogs',
      params: [
        {
          address: asset,
          topics: [
            [usedTopic, canceledTopic],
            pad(payer.toLowerCase() as Hex),
            nonce.toLowerCase() as Hex,
          ],
          fromBlock: `0x${fromBlock.toString(16)}`,
          toBlock: 'latest',
        },
      ],
    })) as RpcLog[]
  } catch {
    // A node that refuses the range still answered the question that matters: it is spent.
    return { status: 'used' }
  }
  const log = logs.at(-1)
  if (!log) return { status: 'used' }
  if (log.topics[0]?.toLowerCase() === canceledTopic) return { status: 'canceled' }
  return {
    status: 'used',
    txHash: log.transactionHash ?? undefined,
    blockNumber: log.blockNumber === null ? undefined : BigInt(log.blockNumber),
    blockHash: log.blockHash ?? undefined,
  }
}
